"""What killed kernels, builds and copies leave is removed by the next lab.start(): only
this user's on this host, and only when the process that made it is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workshop_site.lab.leftovers import owned_pid, owner_tag, process_gone, prune_files

SIZE = 20  # a tiny shop: the template builds in a fraction of a second


def _python(code: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "WORKSHOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # these tests are about files
    pipe = subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=pipe, stderr=pipe, text=True
    )


def test_names_carry_user_host_and_process():
    tag = owner_tag()
    assert tag.endswith(f"-{os.getpid()}")
    assert owned_pid(f"kernel-{tag}.sqlite3") == os.getpid()
    assert owned_pid(f"compare-{owner_tag(42)}-size100.sqlite3") == 42
    assert owned_pid(f"building-{owner_tag(42)}-shop-abc-size1000-seed42.sqlite3-journal") == 42
    assert owned_pid(f"ws_kernel_{owner_tag(42).replace('-', '_')}", separator="_") is None
    assert owned_pid(f"kernel_{owner_tag(42).replace('-', '_')}", separator="_") == 42
    assert owned_pid("kernel-someoneelse-abcdef-42.sqlite3") is None, "not this user's"
    assert owned_pid(f"kernel-{owner_tag(42)}1.sqlite3") == 421
    assert owned_pid("notes.txt") is None


def test_a_process_is_gone_when_it_exited_or_its_id_now_belongs_to_a_younger_one():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert process_gone(child.pid, last_written=time.time())
    assert not process_gone(os.getpid(), last_written=time.time())
    assert process_gone(os.getpid(), last_written=0.0), "written before this process began"


_KILLED = f"""
import os, signal
from pathlib import Path
from workshop_site import lab
from workshop_site.lab.leftovers import owner_tag
from workshop_site.lab.workspace import workspace
summary = lab.start(size={SIZE}, quiet=True)
kernels, tag = workspace() / "kernels", owner_tag()
for name in (f"compare-{{tag}}-size100.sqlite3", f"worker-{{tag}}.log",
             f"partial-{{tag}}-kernel-x.sqlite3"):
    (kernels / name).write_text("left behind")
print(summary.database, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a kernel killed: no exit hook runs
"""


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_the_next_start_removes_what_a_killed_kernel_left(tmp_path):
    killed = _python(_KILLED, tmp_path)
    out, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err
    database = Path(out.strip())
    kernels = tmp_path / "kernels"
    left = sorted(p.name for p in kernels.iterdir())
    assert database.name in left, left
    assert len(left) == 4, left
    # Not ours to remove: another user's (or host's) file, and a live process's.
    others = kernels / "kernel-someoneelse-abcdef-1.sqlite3"
    others.write_text("theirs")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = kernels / f"kernel-{owner_tag(sleeper.pid)}.sqlite3"
        alive.write_text("in use")
        nxt = _python(
            f"from workshop_site import lab; lab.start(size={SIZE}, quiet=True)", tmp_path
        )
        _, err = nxt.communicate(timeout=120)
        assert nxt.returncode == 0, err
        assert sorted(p.name for p in kernels.iterdir()) == sorted([others.name, alive.name])
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_a_build_killed_midway_is_removed_by_the_next_start(tmp_path):
    # A big shop takes seconds to seed: kill the build while it writes.
    build = _python("from workshop_site import lab; lab.start(size=20000, quiet=True)", tmp_path)
    templates = tmp_path / "templates"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if templates.is_dir() and any(p.name.endswith("-journal") for p in templates.iterdir()):
            break
        time.sleep(0.02)
    build.kill()
    build.communicate()
    halves = sorted(p.name for p in templates.iterdir())
    assert any(name.startswith("building-") for name in halves), halves
    nxt = _python(f"from workshop_site import lab; lab.start(size={SIZE}, quiet=True)", tmp_path)
    _, err = nxt.communicate(timeout=120)
    assert nxt.returncode == 0, err
    assert not [p for p in templates.iterdir() if p.name.startswith("building-")]


def test_prune_files_keeps_what_it_cannot_attribute(tmp_path):
    (tmp_path / "progress.jsonl").write_text("{}")
    (tmp_path / "kernel-7.sqlite3").write_text("recent, old-style name")
    assert prune_files([tmp_path, tmp_path / "missing"]) == []
    old = time.time() - 13 * 3600
    legacy = tmp_path / "kernel-999999999.sqlite3"
    legacy.write_text("an old-style name, 13 hours old, its process gone")
    os.utime(legacy, (old, old))
    assert prune_files([tmp_path]) == [legacy]


@pytest.mark.django_db
def test_dead_kernels_postgresql_databases_are_dropped():
    from django.db import connection

    from workshop_site.lab.databases import database_exists, postgres_name, prune_databases

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run `make test-postgres`")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = postgres_name(f"kernel-{owner_tag(child.pid)}.sqlite3")
    theirs = postgres_name(f"kernel-someoneelse-abcdef-{child.pid}.sqlite3")
    mine = postgres_name(f"kernel-{owner_tag()}.sqlite3")
    with connection._nodb_cursor() as cursor:
        for name in (dead, theirs, mine):
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        assert prune_databases() == [dead]
        assert not database_exists(f"kernel-{owner_tag(child.pid)}.sqlite3")
        assert database_exists(f"kernel-someoneelse-abcdef-{child.pid}.sqlite3")
    finally:
        with connection._nodb_cursor() as cursor:
            for name in (dead, theirs, mine):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
