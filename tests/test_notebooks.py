"""Every notebook runs top to bottom headless, and none is committed with outputs.

The lessons run here; the solutions and exercises notebooks run in
test_grading_notebooks.py, which also checks what their checks said (each notebook runs
once in the suite)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from course_files import committed_text

from workshop_site.notebook_runner import has_outputs

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_welcome.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_committed_without_outputs(path):
    # As committed: a learner's saved outputs are theirs (outside git, the file itself).
    committed = committed_text(path)
    notebook = nbformat.reads(committed, as_version=4) if committed else nbformat.read(path, 4)
    assert not has_outputs(notebook), (
        f"{_id(path)} has outputs or execution counts: strip them before committing"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_has_title_and_time_estimate(path):
    meta = nbformat.read(path, as_version=4).metadata.get("workshop", {})
    assert meta.get("title"), f"{_id(path)}: metadata.workshop.title is missing"
    assert isinstance(meta.get("teaching_minutes"), int)
    assert isinstance(meta.get("exercise_minutes"), int)


@pytest.mark.notebook
@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_lesson_runs_headless(path, run_notebook):
    run_notebook(path)  # raises if a cell raised; checks the slowest cell's time
