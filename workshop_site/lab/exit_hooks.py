"""What a kernel does when it exits: remove its copy of the shop's database and the
grader's, stop its local partners and its task worker.

Each hook is registered with :mod:`atexit` (a kernel shut down gracefully, or a script
ending, runs them) and kept here, so that :func:`run` can run them before the process is
killed: the test suite runs them in each notebook's kernel after its last cell, then kills
it (a graceful shutdown took 0.6 s more, most of it the interpreter tearing itself down).
"""

from __future__ import annotations

import atexit
from collections.abc import Callable

__all__ = ["register", "run"]

_hooks: list[Callable[[], object]] = []


def register(hook: Callable[[], object]) -> None:
    """Run ``hook`` when this process exits (or at :func:`run`, whichever comes first)."""
    _hooks.append(hook)
    atexit.register(hook)


def run() -> None:
    """Run the hooks now, newest first as :mod:`atexit` would, each once; one that fails
    does not stop the others."""
    while _hooks:
        hook = _hooks.pop()
        atexit.unregister(hook)
        try:
            hook()
        except Exception as error:  # as atexit: report, go on
            print(f"exit hook {getattr(hook, '__qualname__', hook)} failed: {error!r}")
