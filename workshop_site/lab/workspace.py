"""Where the workshop keeps its files: cached databases, kernels' databases, progress.

When the folder cannot take a file (a full disk, a read-only or someone else's folder),
:class:`WorkspaceError` says so in one line that names the folder and the fix, instead of
SQLite's or the OS's traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["workspace", "checkout_root", "WorkspaceError", "workspace_error"]

ENV = "WORKSHOP_HOME"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}


def checkout_root() -> Path | None:
    """The repository's folder when the package runs from a checkout (``pip install -e .``)."""
    root = _PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def workspace() -> Path:
    """The folder for the workshop's own files, created if missing.

    ``WORKSHOP_HOME`` wins; a relative one is taken from the repository's root in a
    checkout (so that ``notebooks/`` and ``exercises/`` share it), else from the current
    folder. In a checkout it is ``.workshop/`` at the repository's root, so deleting that
    one folder resets everything; otherwise ``~/.django-perf-workshop``.
    """
    root = checkout_root()
    env = os.environ.get(ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_absolute():
            path = (root or Path.cwd()) / path
    elif root is not None:
        path = root / ".workshop"
    else:
        path = Path.home() / ".django-perf-workshop"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise workspace_error(exc, path) or exc from None
    return path


class WorkspaceError(OSError):
    """The workspace cannot take a file: one line, naming the folder and the fix."""

    def __init__(self, message: str, *, folder: Path, code: int) -> None:
        super().__init__(code, message, str(folder))
        self.message = message
        self.folder = folder

    def __str__(self) -> str:
        return self.message

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the line says everything to do.
        return [f"WorkspaceError: {self.message}"]


def _code(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    text = str(exc).lower()  # SQLite's own words, through Django's OperationalError
    if "disk is full" in text or "disk full" in text:
        return errno.ENOSPC
    if "readonly database" in text or "read-only" in text or "unable to open database" in text:
        return errno.EROFS
    return None


def workspace_error(exc: BaseException, folder: Path) -> WorkspaceError | None:
    """The one-line error for ``exc`` (an ``OSError`` or SQLite's ``OperationalError``)
    raised while writing into ``folder``; None when it is not about the folder's disk."""
    if isinstance(exc, WorkspaceError):
        return exc
    code = _code(exc)
    if code in _FULL:
        message = (
            f"The disk holding {folder} is full. Free some space on it (or set "
            f"{ENV} to a folder on a larger disk and restart the kernel), then run "
            "lab.start() again: what the failed attempt left behind is cleaned then."
        )
    elif code in _NOT_WRITABLE:
        reason = os.strerror(code).lower() if code is not None else "not writable"
        message = (
            f"{folder} cannot be written ({reason}). Set {ENV} to a folder you can write, "
            f"e.g. {ENV}=~/workshop-files, restart the kernel, then run lab.start() again."
        )
    else:
        return None
    return WorkspaceError(message, folder=folder, code=code or errno.EIO)
