"""exercises/ is generated from solutions/ (and up to date); every exercise a solutions
notebook checks is declared, and every declared exercise is in a solutions notebook."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from workshop_site.grading.generate import main, planned, stale
from workshop_site.grading.notebooks import (
    STUB,
    MarkerError,
    checked_ids,
    exercise_notebook,
    strip_solutions,
)
from workshop_site.grading.registry import all_exercises

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_a_marked_region_becomes_a_stub_at_its_indent():
    source = (
        "def f(x):\n"
        '    """Docstring kept."""\n'
        "    # BEGIN SOLUTION\n"
        "    y = x + 1\n"
        "    return y\n"
        "    # END SOLUTION\n"
        "\n"
        'lab.check("00.1", f)'
    )
    assert strip_solutions(source) == (
        f'def f(x):\n    """Docstring kept."""\n    {STUB}\n\nlab.check("00.1", f)'
    )


def test_unmarked_code_is_unchanged():
    assert strip_solutions("x = 1\nprint(x)") == "x = 1\nprint(x)"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("# BEGIN SOLUTION\nx = 1", "without # END SOLUTION"),
        ("x = 1\n# END SOLUTION", "line 2: # END SOLUTION without"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "line 2: # BEGIN SOLUTION inside"),
    ],
)
def test_unpaired_markers_are_refused(source, problem):
    with pytest.raises(MarkerError, match=problem):
        strip_solutions(source)


def _notebook():
    notebook = nbformat.v4.new_notebook(metadata={"workshop": {"title": "T"}})
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Exercises"),
        nbformat.v4.new_code_cell(
            "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION"
        ),
        nbformat.v4.new_markdown_cell("The answer is 1.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("lab.check(\"03.2\", f)\nlab.check('03.1', g)"),
    ]
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="1")]
    notebook.cells[1].execution_count = 3
    return notebook


def test_exercise_notebook_strips_solutions_tagged_cells_and_outputs():
    solution = _notebook()
    exercise = exercise_notebook(solution, source="solutions/03_x.ipynb")
    assert [cell.cell_type for cell in exercise.cells] == ["markdown", "code", "code"]
    assert exercise.cells[1].source == f"def f():\n    {STUB}"
    assert exercise.cells[1].outputs == []
    assert exercise.cells[1].execution_count is None
    assert exercise.metadata["workshop"] == {"title": "T", "generated_from": "solutions/03_x.ipynb"}
    assert "return 1" in solution.cells[1].source, "the solution itself is not modified"


def test_checked_ids_in_order():
    assert checked_ids(_notebook()) == ["03.2", "03.1"]


def test_exercises_are_up_to_date():
    to_write, orphans = stale(ROOT)
    out_of_date = sorted(p.name for p in [*to_write, *orphans])
    assert not out_of_date, (
        f"exercises/ is out of date with solutions/: run `make exercises` ({out_of_date})"
    )


def test_the_generator_writes_and_then_has_nothing_to_do(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    nbformat.write(_notebook(), tmp_path / "solutions" / "03_x.ipynb")
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert "wrote exercises/03_x.ipynb" in capsys.readouterr().out
    assert main(["--root", str(tmp_path), "--check"]) == 0
    (tmp_path / "solutions" / "03_x.ipynb").unlink()
    assert main(["--root", str(tmp_path)]) == 0
    assert "removed exercises/03_x.ipynb" in capsys.readouterr().out


def test_every_solutions_notebook_has_its_exercises_twin():
    assert SOLUTIONS, "no solutions notebooks"
    assert set(planned(ROOT)) == {ROOT / "exercises" / p.name for p in SOLUTIONS}


def test_solutions_and_declarations_match():
    in_notebooks: dict[str, str] = {}
    for path in SOLUTIONS:
        lesson = path.name[:2]
        for exercise_id in checked_ids(nbformat.read(path, as_version=4)):
            assert exercise_id.startswith(f"{lesson}."), f"{path.name} checks {exercise_id}"
            assert exercise_id not in in_notebooks, f"{exercise_id} is checked twice"
            in_notebooks[exercise_id] = path.name
    declared = set(all_exercises())
    assert declared - set(in_notebooks) == set(), "declared, but in no solutions notebook"
    assert set(in_notebooks) - declared == set(), "in a solutions notebook, but not declared"


def test_lessons_and_exercises_link_up():
    """Each solutions notebook belongs to a lesson notebook that links to its exercises;
    each exercises link in a lesson points at a generated notebook."""
    lessons = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    for solution in SOLUTIONS:
        lesson = lessons.get(solution.name[:2])
        assert lesson is not None, f"{solution.name}: no lesson notebook {solution.name[:2]}_*"
        link = f"../exercises/{solution.name}"
        assert link in lesson.read_text(encoding="utf-8"), f"{lesson.name} never links {link}"
    for lesson in lessons.values():
        for name in re.findall(
            r"\.\./exercises/([\w.-]+\.ipynb)", lesson.read_text(encoding="utf-8")
        ):
            assert (ROOT / "exercises" / name).exists(), f"{lesson.name} links a missing {name}"
