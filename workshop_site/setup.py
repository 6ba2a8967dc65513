"""The Makefile's targets for machines without ``make`` (most Windows laptops).

Run from the workshop folder with a Python 3.12 or newer::

    py -3.12 -m workshop_site.setup lab          # Windows
    python3.12 -m workshop_site.setup lab        # anywhere
    python -m workshop_site.setup test
    python -m workshop_site.setup lab --offline D:\\wheelhouse

It only uses the standard library: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from collections.abc import Sequence
from pathlib import Path

__all__ = ["venv_python", "install_command", "commands_for", "main"]

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LINTED = ["workshop_site", "tests", "notebooks", "solutions", "exercises", "benchmarks"]


def venv_python(venv_dir: Path = VENV, *, windows: bool | None = None) -> Path:
    windows = os.name == "nt" if windows is None else windows
    return venv_dir / ("Scripts/python.exe" if windows else "bin/python")


def install_command(python: Path, *, offline: str | None = None) -> list[str]:
    command = [str(python), "-m", "pip", "install", "--quiet", "-e", ".[test]"]
    if offline:
        command += ["--no-index", "--find-links", offline]
    return command


def commands_for(target: str, python: Path) -> list[list[str]]:
    """What each target runs once the environment is installed."""
    py = str(python)
    lint = [
        [py, "-m", "ruff", "check", *(p for p in LINTED if (ROOT / p).exists())],
        [py, "-m", "ruff", "format", "--check", *(p for p in LINTED if (ROOT / p).exists())],
    ]
    return {
        "install": [],
        "lab": [
            [
                py,
                "-m",
                "jupyter",
                "lab",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.root_dir=.",
                "notebooks/00_welcome.ipynb",
            ]
        ],  # fmt: skip
        "lint": lint,
        "test": [*lint, [py, "-m", "pytest"]],
        "doctor": [[py, "-m", "workshop_site.doctor"]],
    }[target]


def _pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_installed(*, offline: str | None = None) -> Path:
    if sys.version_info < (3, 12):  # noqa: UP036 - runs before install, maybe on an old Python
        raise SystemExit(
            f"This is Python {sys.version.split()[0]}; the workshop needs 3.12 or newer.\n"
            "Windows: install it from python.org, then run `py -3.12 -m workshop_site.setup lab`."
        )
    python = venv_python()
    if not python.exists():
        print(f"Creating {VENV} with Python {sys.version.split()[0]}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != _pyproject_hash():
        subprocess.run(install_command(python, offline=offline), cwd=ROOT, check=True)
        stamp.write_text(_pyproject_hash())
    return python


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop_site.setup")
    parser.add_argument("target", choices=["install", "lab", "lint", "test", "doctor"])
    parser.add_argument("--offline", metavar="WHEELHOUSE", help="install from this folder only")
    args = parser.parse_args(argv)
    python = ensure_installed(offline=args.offline)
    for command in commands_for(args.target, python):
        result = subprocess.run(command, cwd=ROOT)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
