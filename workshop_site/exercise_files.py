"""A lesson's three notebooks, and whether a learner has written in an exercises notebook.

``notebooks/03_n_plus_one.ipynb`` is the lesson, ``exercises/03_n_plus_one_exercises.ipynb``
its exercises and ``solutions/03_n_plus_one_solutions.ipynb`` their solutions: three
names, so that three tabs open side by side in JupyterLab read differently.

``make exercises`` generates the exercises from the solutions and records, in each
exercises notebook's metadata, a fingerprint of the cells it wrote. A notebook whose cells
no longer match it (an answer typed in, a cell added) or that has outputs holds the
learner's work: the generator does not overwrite it without ``--force``, and the lint of
``make test`` leaves it alone.

Standard library only: the set-up (``workshop_site.setup``) uses it before anything is
installed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "EXERCISES_SUFFIX",
    "SOLUTIONS_SUFFIX",
    "FINGERPRINT_KEY",
    "exercises_name",
    "solutions_name",
    "lesson_name",
    "fingerprint",
    "recorded_fingerprint",
    "learner_work",
    "learner_notebooks",
]

EXERCISES_SUFFIX = "_exercises"
SOLUTIONS_SUFFIX = "_solutions"
#: Where the generator keeps the fingerprint: ``metadata.workshop.generated_cells``.
FINGERPRINT_KEY = "generated_cells"


def exercises_name(lesson: str) -> str:
    """``03_n_plus_one.ipynb`` → ``03_n_plus_one_exercises.ipynb``."""
    return _with_suffix(lesson, EXERCISES_SUFFIX)


def solutions_name(lesson: str) -> str:
    """``03_n_plus_one.ipynb`` → ``03_n_plus_one_solutions.ipynb``."""
    return _with_suffix(lesson, SOLUTIONS_SUFFIX)


def lesson_name(name: str) -> str:
    """The lesson's file name for an exercises or solutions notebook's (or a lesson's)."""
    stem = Path(name).stem
    for suffix in (EXERCISES_SUFFIX, SOLUTIONS_SUFFIX):
        stem = stem.removesuffix(suffix)
    return f"{stem}.ipynb"


def _with_suffix(lesson: str, suffix: str) -> str:
    return f"{Path(lesson_name(lesson)).stem}{suffix}.ipynb"


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def fingerprint(cells: Iterable[Mapping[str, Any]]) -> str:
    """A hash of the cells' types and sources (outputs and metadata left out)."""
    digest = hashlib.sha256()
    for cell in cells:
        digest.update(json.dumps([cell.get("cell_type"), _source(cell)]).encode())
    return digest.hexdigest()[:16]


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def recorded_fingerprint(notebook: Mapping[str, Any]) -> str | None:
    """The fingerprint the generator recorded in a notebook (parsed JSON), if any."""
    value = notebook.get("metadata", {}).get("workshop", {}).get(FINGERPRINT_KEY)
    return value if isinstance(value, str) else None


def learner_work(path: Path, *, expected: str | None = None) -> bool:
    """Does this exercises notebook hold a learner's work: outputs, or cells that differ
    from those the generator recorded (or from the ``expected`` fingerprint)? A file that
    cannot be read as a notebook is the learner's too."""
    notebook = _read(path)
    if notebook is None:
        return path.exists()
    cells = notebook.get("cells", [])
    if any(cell.get("outputs") or cell.get("execution_count") for cell in cells):
        return True
    return fingerprint(cells) not in {recorded_fingerprint(notebook), expected} - {None}


def learner_notebooks(folder: Path) -> list[Path]:
    """The exercises notebooks in ``folder`` that hold a learner's work."""
    return [path for path in sorted(folder.glob("*.ipynb")) if learner_work(path)]
