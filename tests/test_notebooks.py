"""Every notebook runs top to bottom headless, and none is committed with outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from course_files import committed_text, course_notebook

from workshop_site.notebook_runner import execute_notebook, has_outputs

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
TIMINGS = ROOT / "test-artifacts" / "notebook-timings.json"


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
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs_headless(path, tmp_path):
    run = execute_notebook(course_notebook(path, tmp_path), timeout=180, cwd=path.parent)
    _record_timing(run)
    index, seconds, first_line = run.slowest
    # A cell a learner waits on for long must show a progress bar; this catches a cell
    # that became an order of magnitude too slow (the exact figures go to TIMINGS).
    assert seconds < 20, f"{_id(path)} cell {index} ({first_line!r}) took {seconds:.1f} s"


def _record_timing(run) -> None:
    TIMINGS.parent.mkdir(exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    index, seconds, first_line = run.slowest
    data[_id(run.path)] = {
        "total_seconds": round(run.total_seconds, 2),
        "slowest_cell": index,
        "slowest_cell_seconds": round(seconds, 2),
        "slowest_cell_first_line": first_line,
    }
    TIMINGS.write_text(json.dumps(data, indent=2, sort_keys=True))
