"""Files and databases a process makes for itself, named so they can be cleaned after it.

A kernel's database, ``compare()``'s copies, a task worker's log, a template being built,
a copy being written: each is named ``<kind>-<owner>...`` where the owner is
:func:`owner_tag` (user, host, process id), e.g. ``kernel-alice-3fa2b1-4242.sqlite3``.
A kernel removes its own when it exits; one that was killed cannot, so the next
``lab.start()`` removes what dead processes left (:func:`prune_files`, and
``databases.prune_databases`` on PostgreSQL). Only one's own: same user and same host
(process ids repeat across containers and users), and only when that process is gone —
or when the process now using its id started after the file was last written.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

__all__ = ["KINDS", "owner_tag", "owned_pid", "process_gone", "prune_files"]

#: The kinds of per-process files and databases.
KINDS = ("kernel", "compare", "worker", "building", "partial")
#: Files named before owners were part of names (``kernel-4242.sqlite3``,
#: ``x.sqlite3.4242.building``): removed when their process is gone and they are old.
_LEGACY = re.compile(r"^(?:(?:kernel|compare|worker)-(\d+)\b|.*\.(\d+)\.(?:building|partial)\b)")
_LEGACY_AGE = 12 * 3600
_SLACK = 2.0  # seconds: file times and process start times are not taken at one instant


def _safe(text: str, length: int) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())[:length] or "x"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid in some containers
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "user"


def _owner() -> str:
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
    return f"{_safe(_user(), 12)}-{host}"


def owner_tag(pid: int | None = None) -> str:
    """``<user>-<host hash>-<pid>``: unique to this process across users and hosts."""
    return f"{_owner()}-{os.getpid() if pid is None else pid}"


def owned_pid(name: str, *, separator: str = "-") -> int | None:
    """The process id in a name this user and host gave (``<kind>-<owner>-<pid>...``);
    None for anyone else's name. ``separator`` is ``_`` for PostgreSQL's names."""
    owner = re.escape(_owner().replace("-", separator))
    kinds = "|".join(KINDS)
    sep = re.escape(separator)
    found = re.match(rf"^(?:{kinds}){sep}{owner}{sep}(\d+)", name)
    if not found:
        return None
    rest = name[found.end() :]
    return int(found.group(1)) if not rest or not rest[0].isdigit() else None


def process_gone(pid: int, *, last_written: float) -> bool:
    """Is process ``pid`` gone — or is the one with that id now younger than the thing it
    supposedly wrote at ``last_written`` (the id was reused)?"""
    try:
        started = psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # another user's process, or no access to its details: keep
        return False
    return started > last_written + _SLACK


def _legacy_gone(name: str, modified: float) -> bool:
    found = _LEGACY.match(name)
    if not found:
        return False
    pid = int(found.group(1) or found.group(2))
    return time.time() - modified > _LEGACY_AGE and not psutil.pid_exists(pid)


def prune_files(folders: Iterable[Path]) -> list[Path]:
    """Remove the files in ``folders`` that this user's dead processes on this host left;
    return them. A file in use elsewhere (Windows) or removed meanwhile is skipped."""
    removed = []
    for folder in folders:
        try:
            entries = list(folder.iterdir())
        except OSError:  # missing, or not ours to read
            continue
        for path in entries:
            try:
                modified = path.stat().st_mtime
                pid = owned_pid(path.name)
                if pid is None:
                    gone = _legacy_gone(path.name, modified)
                else:
                    gone = pid != os.getpid() and process_gone(pid, last_written=modified)
                if gone and path.is_file():
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed
