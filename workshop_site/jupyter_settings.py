"""JupyterLab's defaults for the workshop: no "be notified about Jupyter news?" pop-up,
and no calls to the internet for news or updates.

They are ``jupyter/django-perf-workshop.json`` in the repository. Every JupyterLab reads
the files in ``<environment>/share/jupyter/lab/settings/overrides.d/`` as its defaults (a
learner can still change them in Settings). A regular install of the package puts the file
there (pyproject.toml's data-files, as a JupyterHub installs it); an editable install
(``pip install -e .``: ``make lab``, Binder, conda) does not, because setuptools leaves data
files out of editable installs (pypa/setuptools#3399). So set-up copies it::

    python -m workshop_site.jupyter_settings     # into this Python's environment

Standard library only: set-up runs it before anything else is installed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

__all__ = ["SOURCE", "target", "install", "main"]

SOURCE = Path(__file__).resolve().parent.parent / "jupyter" / "django-perf-workshop.json"


def target(prefix: Path) -> Path:
    """Where JupyterLab in the environment at ``prefix`` reads the file."""
    return prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / SOURCE.name


def install(prefix: Path | None = None) -> Path | None:
    """Copy the settings into the environment at ``prefix`` (this Python's by default);
    the path written, or None outside a checkout (a regular install has them already)."""
    if not SOURCE.is_file():
        return None
    path = target(Path(sys.prefix) if prefix is None else prefix)
    if not path.is_file() or path.read_bytes() != SOURCE.read_bytes():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE, path)
    return path


def main() -> int:
    path = install()
    print(f"JupyterLab settings: {path}" if path else "JupyterLab settings: installed already")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
