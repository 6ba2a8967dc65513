"""A throwaway PostgreSQL server: ``initdb`` + ``pg_ctl`` in a temporary folder.

    with throwaway_postgres() as url:      # postgres://workshop@127.0.0.1:PORT/workshop
        ...
    python -m workshop_site.pgserver COMMAND [ARG...]   # runs COMMAND with DATABASE_URL set

It listens on 127.0.0.1 (and a socket in its folder) only, on a free port, with fsync
off (its data is thrown away), and is stopped and removed afterwards whatever happened.
``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user.
Debian: ``apt-get install postgresql`` (binaries in /usr/lib/postgresql/<version>/bin);
macOS: ``brew install postgresql@16`` (binaries on PATH); ``PG_BINDIR`` overrides.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["find_bindir", "throwaway_postgres", "PostgresNotInstalled", "main"]


class PostgresNotInstalled(RuntimeError):
    pass


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
        return sock.getsockname()[1]


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
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        shutil.chown(folder, user="postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    data, port = folder / "data", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "workshop", "--auth=trust",
            "-E", "UTF8", "--locale=C")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
            "-w", "-o", options, "start")  # fmt: skip
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "workshop",
             "workshop"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgres://workshop@127.0.0.1:{port}/workshop"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if not command:
        print("usage: python -m workshop_site.pgserver COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        with throwaway_postgres() as url:
            print(f"PostgreSQL on {url.split('@')[1]} (throwaway)", file=sys.stderr)
            return subprocess.run(command, env={**os.environ, "DATABASE_URL": url}).returncode
    except PostgresNotInstalled as exc:
        print(exc, file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
