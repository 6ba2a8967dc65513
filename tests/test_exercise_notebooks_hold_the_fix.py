"""From lesson 03 on, an exercise notebook shows no fix before the learner asks
``lab.hint`` (issue 21).

- Its code imports none of the tools an answer uses: a stub leaves the imports above it,
  so an answer's import is written inside the answer (every exercises notebook from 03 on,
  generated here from its solutions; and the check sees them in the solutions).
- What its recording cells print, run here in exercise mode: 05 and 09a–09d (03 and 04
  are checked in their own test modules). The others need more than this process has: 06
  runs ``lab.compare`` (a database file per size), 08 the partners, 10 the capstone's
  state; 07 shows the code under test, naive and fixed, because the learner writes the
  test. Every exercises notebook's own run, which has all of that, is checked the same way
  in test_grading_notebooks.py (``shown_in_run``: the code a notebook shows on purpose
  left out).
"""

from pathlib import Path, PurePosixPath

import nbformat
import pytest
from recording_cells import answer_tools_shown, fixes_shown, shown_before_a_hint, shown_in_run

from workshop_site.grading.notebooks import exercise_notebook
from workshop_site.notebook_runner import NotebookRun

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
FROM_03 = sorted(path for path in SOLUTIONS.glob("*.ipynb") if int(path.name[:2]) >= 3)


def _exercises(solutions):
    notebook = nbformat.read(solutions, as_version=4)
    return exercise_notebook(notebook, source=PurePosixPath("solutions") / solutions.name)


@pytest.mark.parametrize("solutions", FROM_03, ids=lambda path: path.name[:3].strip("_"))
def test_the_exercise_notebook_imports_no_answer_tool(solutions):
    assert answer_tools_shown(_exercises(solutions)) == []


@pytest.mark.parametrize(
    ("solutions", "tool"),
    [
        ("07_testing_performance", "assert_queries_flat"),
        ("08_external_calls", "transaction"),
        ("09c_in_database", "Subquery"),
        ("10_checklist_capstone", "CaptureQueriesContext"),
    ],
)
def test_the_answers_tools_are_seen_in_the_solutions(solutions, tool):
    notebook = nbformat.read(SOLUTIONS / f"{solutions}_solutions.ipynb", as_version=4)
    assert any(found.endswith(f": {tool}") for found in answer_tools_shown(notebook))


def test_a_timeout_passed_before_the_answer_is_seen():
    cell = nbformat.v4.new_code_cell("requests.get(url, timeout=(0.2, 0.5))")
    assert answer_tools_shown(nbformat.v4.new_notebook(cells=[cell])) == ["cell 0: timeout="]


def _printed(source, text):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return cell


def test_a_run_is_read_but_the_code_it_shows_on_purpose():
    notebook = nbformat.v4.new_notebook(
        cells=[
            _printed('lab.start()\nlab.exercises("03")', "03.j Fix the N+1 hidden in __str__"),
            _printed("lab.show_source(naive)", 'Order.objects.select_related("customer")'),
            _printed("lab.diagnose(q)", 'try `select_related("customer")`'),
        ]
    )
    shown = shown_in_run(NotebookRun(Path("x.ipynb"), notebook, []))
    assert fixes_shown(shown) == ["try ", "select_related("], shown


@pytest.mark.slow
@pytest.mark.parametrize(
    "notebook",
    [
        "05_composing_querysets",
        "09a_indexes",
        "09b_long_jobs",
        "09c_in_database",
        "09d_templates",
    ],
)
def test_the_exercise_notebook_shows_no_fix_before_a_hint(seeded, notebook):
    shown = shown_before_a_hint(SOLUTIONS / f"{notebook}_solutions.ipynb")
    assert fixes_shown(shown) == [], shown
