"""An offline guard for processes pytest-socket does not reach, such as notebook kernels.

pytest-socket guards the test process; the notebooks the suite runs execute in kernels of
their own. ``loopback_only()`` gives a process the same rule: a socket may connect to this
machine (and to Unix sockets), and anything else raises :class:`NetworkBlocked`, a
``RuntimeError`` on purpose: the client code's ``except OSError`` fallbacks must not
swallow it, so a forgotten external call fails the run instead of passing quietly.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["NetworkBlocked", "is_loopback", "loopback_only", "offline"]

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NetworkBlocked(RuntimeError):
    """A connection to another machine, refused by :func:`loopback_only`."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is this machine, every address it resolves to."""
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(found) and all(ipaddress.ip_address(a[4][0]).is_loopback for a in found)


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else str(address)
    if not is_loopback(str(host)):
        raise NetworkBlocked(f"this process may connect to this machine only, not to {host!r}")


def _connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _original_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _original_connect_ex(self, address)


def loopback_only() -> None:
    """From now on, this process connects to this machine only. Applying it twice is a no-op."""
    socket.socket.connect = _connect  # type: ignore[assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[assignment]


@contextmanager
def offline() -> Iterator[None]:
    """:func:`loopback_only` for the block, then the previous rule back (what pytest-socket
    does around each test)."""
    before = socket.socket.connect, socket.socket.connect_ex
    loopback_only()
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = before  # type: ignore[method-assign]
