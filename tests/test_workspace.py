"""The workspace: where it is, and one clear line when its disk is full or read-only."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from workshop_site.lab import databases, workspace
from workshop_site.lab.workspace import WorkspaceError, workspace_error

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def test_a_relative_workshop_home_is_taken_from_the_repository_root(monkeypatch, tmp_path):
    relative = Path(".workshop") / f"relative-{os.getpid()}"
    monkeypatch.setenv("WORKSHOP_HOME", str(relative))
    monkeypatch.chdir(tmp_path)  # a kernel started in notebooks/ or exercises/
    try:
        assert workspace.workspace() == ROOT / relative
    finally:
        shutil.rmtree(ROOT / relative, ignore_errors=True)


def test_outside_a_checkout_a_relative_workshop_home_is_taken_from_the_current_folder(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(workspace, "checkout_root", lambda: None)
    monkeypatch.setenv("WORKSHOP_HOME", "files")
    monkeypatch.chdir(tmp_path)
    assert workspace.workspace() == tmp_path / "files"


def test_errors_about_the_disk_become_one_line_naming_the_folder_and_the_fix(tmp_path):
    full = workspace_error(OperationalError("database or disk is full"), tmp_path)
    assert isinstance(full, WorkspaceError)
    assert full.errno == errno.ENOSPC
    assert str(tmp_path) in str(full)
    assert "Free some space" in str(full)
    assert "\n" not in str(full)
    assert full._render_traceback_() == [f"WorkspaceError: {full}"]
    read_only = workspace_error(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert "cannot be written (read-only file system)" in str(read_only)
    assert "WORKSHOP_HOME" in str(read_only)
    assert workspace_error(ValueError("something else"), tmp_path) is None


def test_a_copy_that_fails_for_lack_of_space_leaves_nothing_behind(monkeypatch, tmp_path):
    source = tmp_path / "template.sqlite3"
    source.write_bytes(b"x" * 100)

    def full_disk(src, dst):
        Path(dst).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(databases.shutil, "copyfile", full_disk)
    monkeypatch.setattr(databases, "_is_postgres", lambda using: False)  # files, as on SQLite
    target = tmp_path / "kernels" / "kernel-x.sqlite3"
    with pytest.raises(WorkspaceError, match="The disk holding .*kernels is full"):
        databases.copy_database(source, target, using="default")
    assert list((tmp_path / "kernels").iterdir()) == []


# -- on a real small disk (a tmpfs: root only) ---------------------------------------------


@pytest.fixture
def disk(tmp_path):
    """A 20 MB file system of its own, mounted at ``tmp_path/disk``."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


_TWICE = """
import sys
from workshop_site import lab
from workshop_site.lab.workspace import WorkspaceError
try:
    lab.start(quiet=True)
    print("started")
except WorkspaceError as exc:
    print("refused:", exc._render_traceback_())
sys.stdout.flush()
sys.stdin.readline()  # the test frees the space
print("again:", lab.start(quiet=True).rows["Customer"])
"""


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
@pytest.mark.parametrize("free_mb", [2, 10])
def test_a_full_disk_says_so_and_the_next_try_after_freeing_space_succeeds(disk, free_mb):
    filler = disk / "filler"
    filler.write_bytes(b"\0" * ((20 - free_mb) * MB))
    home = disk / "ws"
    env = {**os.environ, "WORKSHOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    kernel = subprocess.Popen(
        [sys.executable, "-c", _TWICE],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = kernel.stdout.readline()
    assert first.startswith("refused: ['WorkspaceError: The disk holding"), first
    assert str(home) in first
    assert "Free some space" in first
    # A template built whole is the cache, kept; nothing half written is.
    leftovers = [p.name for p in home.rglob("*") if p.is_file() and not p.name.startswith("shop-")]
    assert leftovers == [], f"a failed attempt left {leftovers}"
    filler.unlink()  # the learner frees space, and runs lab.start() again
    out, err = kernel.communicate("\n", timeout=120)
    assert kernel.returncode == 0, err
    assert "again: 1000" in out


def test_a_read_only_workspace_says_so_in_one_line(disk):
    home = disk / "ws"
    home.mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    for folder in (home, disk / "missing"):
        result = subprocess.run(
            [sys.executable, "-c", "from workshop_site import lab; lab.start(quiet=True)"],
            env={**os.environ, "WORKSHOP_HOME": str(folder)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("workshop_site.lab.workspace.WorkspaceError: "), last
        assert "cannot be written (read-only file system)" in last
        assert "WORKSHOP_HOME" in last


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_start_says_where_the_workspace_is(tmp_path):
    code = "from workshop_site import lab; s = lab.start(size=20, quiet=True); print(repr(s))"
    env = {**os.environ, "WORKSHOP_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"Workspace (progress, cached databases): {tmp_path}" in result.stdout
