"""An exclusive lock between processes on one machine (released by the system if the
process is killed). Windows has no ``flock``: there the block runs unlocked, and callers
say what that costs them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["locked", "locked_file"]


@contextmanager
def locked(fd: int) -> Iterator[None]:
    """Hold an exclusive lock on the open file ``fd`` for the block."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def locked_file(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created empty if missing) for the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with locked(fd):
            yield
    finally:
        os.close(fd)
