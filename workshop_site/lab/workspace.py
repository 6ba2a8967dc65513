"""Where the workshop keeps its files: cached databases, kernels' databases, progress."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["workspace"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def workspace() -> Path:
    """The folder for the workshop's own files, created if missing.

    ``WORKSHOP_HOME`` wins; in a checkout (``pip install -e .``) it is ``.workshop/`` at
    the repository's root, so deleting that one folder resets everything; otherwise
    ``~/.django-perf-workshop``.
    """
    env = os.environ.get("WORKSHOP_HOME")
    if env:
        path = Path(env)
    elif (_PACKAGE_DIR.parent / "pyproject.toml").is_file():
        path = _PACKAGE_DIR.parent / ".workshop"
    else:
        path = Path.home() / ".django-perf-workshop"
    path.mkdir(parents=True, exist_ok=True)
    return path
