"""The hub's proxy: configurable-http-proxy, JupyterHub's default, from npm.

JupyterHub's documentation and its own tests use the Node.js proxy; a Python port exists
on PyPI (``configurable-http-proxy`` 0.x), but the hub's defaults and Z2JH's chart are
built around the npm package, so that is what the class runs. It is installed into
``.venv/node`` (``npm install --prefix``), nothing global; Node.js itself comes from the
system (Debian: ``apt-get install nodejs npm``; ``.ci/run`` installs it when missing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from workshop_site.classhub.errors import ClassHubError
from workshop_site.setup import VENV

__all__ = ["PACKAGE", "find_proxy", "install_proxy", "missing_reason"]

PACKAGE = "configurable-http-proxy@5"
PREFIX = VENV / "node"


def _installed() -> Path:
    return PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"


def find_proxy() -> Path | None:
    """The proxy's command, installed here or on PATH; None when there is none."""
    if _installed().exists():
        return _installed()
    found = shutil.which("configurable-http-proxy")
    return Path(found) if found else None


def missing_reason() -> str | None:
    """Why the proxy cannot be had here (no Node.js, no npm), or None."""
    if shutil.which("node") is None:
        return "no Node.js: install it (Debian: apt-get install nodejs npm; .ci/run does it)"
    if find_proxy() is None and shutil.which("npm") is None:
        return "no npm to install configurable-http-proxy (Debian: apt-get install npm)"
    return None


def install_proxy() -> Path:
    """The proxy's command, installed with npm into ``.venv/node`` the first time."""
    found = find_proxy()
    if found:
        return found
    reason = missing_reason()
    if reason:
        raise ClassHubError(f"JupyterHub's proxy (configurable-http-proxy) needs Node.js: {reason}")
    print(f"Installing {PACKAGE} into {PREFIX} (npm, once)...", flush=True)
    PREFIX.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", PACKAGE],
        capture_output=True,
        text=True,
    )
    if result.returncode or not _installed().exists():
        raise ClassHubError(f"npm could not install {PACKAGE}: {result.stderr.strip()[-800:]}")
    return _installed()
