"""The throwaway PostgreSQL server: reachable by whoever started it only, gone afterwards
however it was stopped; a wrong DATABASE_URL is one paragraph."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from workshop_site.pgserver import find_bindir, throwaway_postgres

needs_postgres = pytest.mark.skipif(
    find_bindir() is None, reason="PostgreSQL's server binaries (initdb) are not installed"
)

_SHOW_URL = "import os, time; print(os.environ['DATABASE_URL'], flush=True); time.sleep(120)"


@pytest.fixture
def tmpdir_for_servers():
    # Not pytest's tmp_path: as root the server runs as `postgres`, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="pgserver-test-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.postgres  # starts servers: `make test-slow`
@needs_postgres
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_removes_the_server_and_its_folder(stop, tmpdir_for_servers):
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop_site.pgserver", sys.executable, "-c", _SHOW_URL],
        env={**os.environ, "TMPDIR": str(tmpdir_for_servers)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    assert _listening(port)
    assert [p.name[:12] for p in tmpdir_for_servers.iterdir()] == ["workshop-pg-"]
    process.send_signal(stop)
    process.communicate(timeout=60)
    assert process.returncode == 128 + stop
    assert not _listening(port), "the server was left running"
    assert list(tmpdir_for_servers.iterdir()) == [], "its folder was left behind"


@pytest.mark.postgres  # starts servers: `make test-slow`
@needs_postgres
def test_only_whoever_started_it_can_connect():
    import psycopg

    with throwaway_postgres() as url:
        address = url.split("@")[1]
        port = int(address.split(":")[1].split("/")[0])
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgres://workshop@{address}", connect_timeout=5)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(f"postgres://workshop:guessed@{address}", connect_timeout=5)
        sockets = list(Path(tempfile.gettempdir()).glob(f"workshop-pg-*/.s.PGSQL.{port}"))
        assert len(sockets) == 1
        assert sockets[0].parent.stat().st_mode & 0o077 == 0, "its folder is its owner's only"


def test_a_wrong_database_url_is_one_paragraph():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    result = subprocess.run(
        [sys.executable, "-c", "from workshop_site import lab; lab.start(quiet=True)"],
        env={**os.environ, "DATABASE_URL": f"postgres://me:secret@127.0.0.1:{port}/workshop"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "RuntimeWarning" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("workshop_site.lab.databases.DatabaseUnreachable: Could not connect")
    assert f"127.0.0.1:{port}, user me" in last
    assert "Connection refused" in last
    assert "secret" not in result.stderr, "the password is never printed"
    from workshop_site.lab.databases import DatabaseUnreachable

    error = DatabaseUnreachable("what was tried; what to check")
    assert error._render_traceback_() == ["DatabaseUnreachable: what was tried; what to check"]
