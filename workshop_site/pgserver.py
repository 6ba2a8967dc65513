"""A throwaway PostgreSQL server: ``initdb`` + ``pg_ctl`` in a temporary folder.

    with throwaway_postgres() as url:  # postgres://workshop:PASSWORD@127.0.0.1:PORT/workshop
        ...
    python -m workshop_site.pgserver COMMAND [ARG...]   # runs COMMAND with DATABASE_URL set

It listens on 127.0.0.1 (and a socket in its folder) only, on a free port, with fsync
off (its data is thrown away), and is stopped and removed afterwards whatever happened:
an error, Ctrl-C, or the command line being stopped (SIGTERM) or closed (SIGHUP).

Only whoever started it can connect: every connection needs a password generated for
this server (scram-sha-256), which only the command's environment holds, and its folder
(socket included) is open to its owner only. On a shared machine (a one-box JupyterHub)
other users can see the port, not use it.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user.
Debian: ``apt-get install postgresql`` (binaries in /usr/lib/postgresql/<version>/bin);
macOS: ``brew install postgresql@16`` (binaries on PATH); ``PG_BINDIR`` overrides.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

__all__ = [
    "find_bindir",
    "throwaway_postgres",
    "PostgresNotInstalled",
    "Stopped",
    "stop_signals_raise",
    "main",
]

#: The signals that stop ``python -m workshop_site.pgserver`` cleanly (SIGINT is Ctrl-C).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class PostgresNotInstalled(RuntimeError):
    pass


class Stopped(Exception):
    """Raised in the main thread when a stop signal arrives: the server is cleaned up."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def find_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are, or None."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if debian:
        return Path(debian[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a server for the duration of the block; yield its ``DATABASE_URL``."""
    bindir = find_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        raise PostgresNotInstalled(
            "No PostgreSQL server binaries found (initdb). Debian/Ubuntu: "
            "sudo apt-get install postgresql; macOS: brew install postgresql@16; "
            "or set PG_BINDIR."
        )
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))  # mode 0700: its owner's only
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    data, port = folder / "data", _free_port()
    password = secrets.token_urlsafe(24)

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    try:
        password_file = folder / "password"
        password_file.write_text(password)
        if as_root:
            for path in (folder, password_file):
                shutil.chown(path, user="postgres")
        run(str(bindir / "initdb"), "-D", str(data), "-U", "workshop", "--auth=scram-sha-256",
            f"--pwfile={password_file}", "-E", "UTF8", "--locale=C")  # fmt: skip
        password_file.unlink()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c unix_socket_permissions=0700 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
            "-w", "-o", options, "start")  # fmt: skip
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "workshop",
             "workshop"],
            check=True, capture_output=True, env={**os.environ, "PGPASSWORD": password},
        )  # fmt: skip
        yield f"postgres://workshop:{password}@127.0.0.1:{port}/workshop"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` in the main thread for the block, so that
    ``finally`` clauses (the server's clean-up) run; the previous handlers come back."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(command: list[str], url: str) -> int:
    """Run ``command``; a stop signal is passed on to it, and its end waited for."""
    child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})
    while True:
        try:
            return child.wait()
        except Stopped as stopped:
            child.send_signal(stopped.signum)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return 128 + stopped.signum
        except KeyboardInterrupt:
            continue  # the terminal sent Ctrl-C to the command too: it decides


def main(argv: Sequence[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if not command:
        print("usage: python -m workshop_site.pgserver COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        with stop_signals_raise(), throwaway_postgres() as url:
            print(f"PostgreSQL on {url.split('@')[1]} (throwaway)", file=sys.stderr)
            return _run(command, url)
    except PostgresNotInstalled as exc:
        print(exc, file=sys.stderr)
        return 3
    except Stopped as stopped:  # during the server's start: it is cleaned up already
        return 128 + stopped.signum


if __name__ == "__main__":
    raise SystemExit(main())
