"""The learners' system accounts: one Linux user each, with a home folder of their own.

Separate users are what keeps learners apart on one machine, as on The Littlest
JupyterHub: each home folder is mode 0700, so nobody reads another's notebooks, progress
file or databases. Creating users needs root.

Every account made here carries a comment naming the process that made it
(``django-perf-workshop class hub, pid 1234``); :func:`remove_leftovers` removes the
accounts of a class whose process is gone (killed before it could clean up), and never
touches another user.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workshop_site.classhub.errors import ClassHubError

__all__ = ["Learner", "MARK", "create_learners", "remove_learners", "remove_leftovers", "is_root"]

MARK = "django-perf-workshop class hub, pid"
_MARK = re.compile(re.escape(MARK) + r" (\d+)$")


@dataclass(frozen=True)
class Learner:
    """One learner's account."""

    name: str
    password: str
    uid: int
    home: Path

    @property
    def workspace(self) -> Path:
        """Where the workshop keeps this learner's files (``WORKSHOP_HOME``)."""
        return self.home / ".django-perf-workshop"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run(command: Sequence[str], *, stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode:
        raise ClassHubError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")


def create_learners(names: Iterable[str], homes: Path) -> list[Learner]:
    """Create a user for each name, home in ``homes/<name>`` (0700), a random password."""
    if not is_root():
        raise ClassHubError("Creating the learners' accounts needs root (useradd): run it as root.")
    created: list[Learner] = []
    try:
        for name in names:
            try:
                pwd.getpwnam(name)
            except KeyError:
                pass
            else:
                raise ClassHubError(
                    f"A user named {name} exists already and was not made for this class: "
                    "choose another prefix (--prefix)."
                )
            home = homes / name
            _run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                  "--user-group", "--comment", f"{MARK} {os.getpid()}", name])  # fmt: skip
            home.chmod(0o700)
            password = secrets.token_urlsafe(12)
            _run(["chpasswd"], stdin=f"{name}:{password}\n")
            created.append(Learner(name, password, pwd.getpwnam(name).pw_uid, home))
    except BaseException:
        remove_learners(created)
        raise
    return created


def _end_processes(uid: int) -> None:
    """Whatever still runs as the user (a kernel the hub did not stop) must go before
    ``userdel``, which refuses to remove a user with running processes."""
    import psutil

    for attempt in (signal.SIGTERM, signal.SIGKILL):
        left = [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real == uid]
        for process in left:
            try:
                process.send_signal(attempt)
            except psutil.Error:
                pass
        if not left:
            return
        psutil.wait_procs(left, timeout=5)


def remove_learners(learners: Iterable[Learner]) -> None:
    """Remove each account, its processes and its home folder."""
    for learner in learners:
        _remove(learner.name, learner.uid)


def _remove(name: str, uid: int) -> None:
    _end_processes(uid)
    for _ in range(3):
        result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
        # Exit 12: the home folder or mail spool was not there to remove (the user is gone).
        if result.returncode in (0, 6, 12):
            return
        time.sleep(0.5)  # a process that was still exiting
    raise ClassHubError(f"could not remove the user {name}: {result.stderr.strip()}")


def remove_leftovers() -> list[str]:
    """Remove the accounts of earlier classes whose process is gone; their names."""
    removed = []
    for entry in pwd.getpwall():
        found = _MARK.search(entry.pw_gecos)
        if not found:
            continue
        try:
            os.kill(int(found.group(1)), 0)
            continue  # that class is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        _remove(entry.pw_name, entry.pw_uid)
        removed.append(entry.pw_name)
    return removed
