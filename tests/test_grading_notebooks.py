"""Every check in a solutions notebook passes; every exercises notebook runs to the end,
each of its checks reporting ❌ "not written yet", nothing raising, and from lesson 03 on
printing no fix before a hint (see tests/recording_cells.py). (Run by conftest.py's
``run_notebook``, which also records their timings and checks their slowest cell.)"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from course_files import course_notebook
from recording_cells import fixes_shown, shown_in_run

from workshop_site.grading.notebooks import checked_ids
from workshop_site.grading.progress import read_events

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def _checks(path: Path) -> list[dict]:
    return [e for e in read_events(path) if e.get("event") == "check"]


@pytest.fixture
def progress(tmp_path, monkeypatch):
    """A progress file of the test's own; the notebook's kernel inherits the variable."""
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("WORKSHOP_PROGRESS", str(path))
    return path


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_check_in_a_solutions_notebook_passes(path, progress, run_notebook):
    run = run_notebook(path, timeout=120)
    expected = checked_ids(nbformat.read(path, as_version=4))
    checks = _checks(progress)
    assert [c["exercise"] for c in checks] == expected
    failures = [
        f"{c['exercise']}: {c['reason']}: {c['message']}" for c in checks if c["status"] != "pass"
    ]
    assert not failures, failures
    assert "❌" not in run.outputs_text()


@pytest.mark.notebook
@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_an_exercises_notebook_runs_to_the_end_with_every_check_open(
    path, progress, run_notebook, tmp_path
):
    # As generated: a learner's answers in exercises/ are not the course's to test.
    notebook = course_notebook(path, tmp_path)
    run = run_notebook(notebook, timeout=120)  # raises if a cell raised
    expected = checked_ids(nbformat.read(notebook, as_version=4))
    checks = _checks(progress)
    assert [c["exercise"] for c in checks] == expected
    assert {c["status"] for c in checks} == {"todo"}
    text = run.outputs_text()
    assert "not written yet" in text
    if int(path.name[:2]) >= 3:
        assert fixes_shown(shown_in_run(run)) == [], shown_in_run(run)
    assert "✅ " + expected[0] not in text
