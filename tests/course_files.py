"""The course's notebooks as committed, not as a learner left them.

A learner runs `make test` in the folder they work in: their answers are in `exercises/`
and JupyterLab saves outputs into the notebooks they ran. Tests about what the project
ships read the committed files (or, for exercises, what the generator writes).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from workshop_site.exercise_files import learner_work
from workshop_site.grading.generate import planned

ROOT = Path(__file__).resolve().parent.parent


def committed_text(path: Path) -> str | None:
    """``path`` as committed (git's HEAD); None outside a git checkout or when untracked."""
    try:
        result = subprocess.run(
            ["git", "show", f"HEAD:./{path.relative_to(ROOT).as_posix()}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def course_notebook(path: Path, folder: Path) -> Path:
    """The notebook to test for ``path``: itself, or, for an exercises notebook holding a
    learner's work, the one the generator writes (into ``folder/exercises``)."""
    if path.parent.name != "exercises" or not learner_work(path):
        return path
    copy = folder / "exercises" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(planned(ROOT)[path], encoding="utf-8")
    return copy
