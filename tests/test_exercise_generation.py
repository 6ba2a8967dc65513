"""exercises/ is generated from solutions/ (and up to date); every exercise a solutions
notebook checks is declared, and every declared exercise is in a solutions notebook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from course_files import committed_text

from workshop_site.exercise_files import (
    exercises_name,
    learner_work,
    lesson_name,
    recorded_fingerprint,
    solutions_name,
)
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
        nbformat.v4.new_code_cell(
            "def g():\n    return 2\n\n\nlab.check(\"03.2\", f)\nlab.check('03.1', g)"
        ),
    ]
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="1")]
    notebook.cells[1].execution_count = 3
    return notebook


def test_exercise_notebook_strips_solutions_tagged_cells_and_outputs():
    solution = _notebook()
    exercise = exercise_notebook(solution, source="solutions/03_x_solutions.ipynb")
    assert [cell.cell_type for cell in exercise.cells] == ["markdown", "code", "code"]
    assert exercise.cells[1].source == f"def f():\n    {STUB}"
    assert exercise.cells[1].outputs == []
    assert exercise.cells[1].execution_count is None
    assert exercise.metadata["workshop"] == {
        "title": "T",
        "generated_from": "solutions/03_x_solutions.ipynb",
    }
    assert "return 1" in solution.cells[1].source, "the solution itself is not modified"


def test_checked_ids_in_order():
    assert checked_ids(_notebook()) == ["03.2", "03.1"]


def test_exercises_are_up_to_date():
    to_write, orphans = stale(ROOT)
    # A learner's answers (or saved outputs) in a notebook generated from the current
    # solutions are theirs, not staleness; the committed files are checked exactly below.
    to_write = {
        path: text
        for path, text in to_write.items()
        if not (path.exists() and learner_work(path) and _generated_from(path, text))
    }
    out_of_date = sorted(p.name for p in [*to_write, *orphans])
    assert not out_of_date, (
        f"exercises/ is out of date with solutions/: run `make exercises` ({out_of_date})"
    )


def _generated_from(path: Path, text: str) -> bool:
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    return recorded_fingerprint(on_disk) == recorded_fingerprint(json.loads(text))


def test_committed_exercises_are_exactly_what_the_generator_writes():
    for path, text in planned(ROOT).items():
        committed = committed_text(path)
        assert committed is None or committed == text, (
            f"{path.name} as committed differs from what `make exercises` writes: "
            "edit solutions/, then run `make exercises`"
        )


def _write_solution(root: Path, name: str = "03_x_solutions.ipynb") -> Path:
    (root / "solutions").mkdir(exist_ok=True)
    path = root / "solutions" / name
    nbformat.write(_notebook(), path)
    return path


def test_the_generator_writes_and_then_has_nothing_to_do(tmp_path, capsys):
    solution = _write_solution(tmp_path)
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert "wrote exercises/03_x_exercises.ipynb" in capsys.readouterr().out
    assert main(["--root", str(tmp_path), "--check"]) == 0
    solution.unlink()
    assert main(["--root", str(tmp_path)]) == 0
    assert "removed exercises/03_x_exercises.ipynb" in capsys.readouterr().out


def _answer(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = "def f():\n    return 1  # my answer"
    nbformat.write(notebook, path)


def test_a_learners_answers_are_never_overwritten_without_force(tmp_path, capsys):
    solution = _write_solution(tmp_path)
    main(["--root", str(tmp_path)])
    exercise = tmp_path / "exercises" / "03_x_exercises.ipynb"
    assert not learner_work(exercise), "a freshly generated notebook holds no work"
    _answer(exercise)
    assert learner_work(exercise)
    # The solution changes: the exercises notebook is stale, but it holds answers.
    notebook = nbformat.read(solution, as_version=4)
    notebook.cells[0].source = "# Exercises, reworded"
    nbformat.write(notebook, solution)
    capsys.readouterr()
    assert main(["--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "exercises/03_x_exercises.ipynb" in err
    assert "--force" in err
    assert "my answer" in exercise.read_text(), "the answers are still there"
    assert main(["--root", str(tmp_path), "--check"]) == 1, "stale, answers or not"
    assert main(["--root", str(tmp_path), "--force"]) == 0
    assert "my answer" not in exercise.read_text()
    assert main(["--root", str(tmp_path), "--check"]) == 0


def test_answers_in_an_up_to_date_notebook_are_not_staleness(tmp_path, capsys):
    _write_solution(tmp_path)
    main(["--root", str(tmp_path)])
    exercise = tmp_path / "exercises" / "03_x_exercises.ipynb"
    _answer(exercise)
    capsys.readouterr()
    assert main(["--root", str(tmp_path), "--check"]) == 0
    assert "holds your work" in capsys.readouterr().out
    assert main(["--root", str(tmp_path)]) == 0, "nothing to regenerate, nothing refused"
    assert "my answer" in exercise.read_text()
    assert main(["--root", str(tmp_path), "--force"]) == 0, "--force: a fresh notebook"
    assert "my answer" not in exercise.read_text()


def test_saved_outputs_count_as_the_learners_work(tmp_path):
    _write_solution(tmp_path)
    main(["--root", str(tmp_path)])
    exercise = tmp_path / "exercises" / "03_x_exercises.ipynb"
    notebook = nbformat.read(exercise, as_version=4)
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran")]
    nbformat.write(notebook, exercise)
    assert learner_work(exercise)


def test_an_exercises_notebook_whose_solution_is_gone_is_kept_when_it_holds_answers(
    tmp_path, capsys
):
    solution = _write_solution(tmp_path)
    main(["--root", str(tmp_path)])
    exercise = tmp_path / "exercises" / "03_x_exercises.ipynb"
    _answer(exercise)
    solution.unlink()
    assert main(["--root", str(tmp_path)]) == 1
    assert exercise.exists()
    assert "03_x_exercises.ipynb" in capsys.readouterr().err


def test_lessons_exercises_and_solutions_have_distinct_file_names():
    assert exercises_name("03_n_plus_one.ipynb") == "03_n_plus_one_exercises.ipynb"
    assert solutions_name("03_n_plus_one.ipynb") == "03_n_plus_one_solutions.ipynb"
    assert exercises_name("03_n_plus_one_solutions.ipynb") == "03_n_plus_one_exercises.ipynb"
    assert lesson_name("03_n_plus_one_exercises.ipynb") == "03_n_plus_one.ipynb"
    folders = [ROOT / name for name in ("notebooks", "exercises", "solutions")]
    names = [path.name for folder in folders for path in folder.glob("*.ipynb")]
    assert len(names) == len(set(names)), "two notebooks share a name (and a tab title)"


def test_every_solutions_notebook_has_its_exercises_twin():
    assert SOLUTIONS, "no solutions notebooks"
    assert set(planned(ROOT)) == {ROOT / "exercises" / exercises_name(p.name) for p in SOLUTIONS}


def _number(path: Path) -> str:
    """``03`` for ``03_n_plus_one_solutions.ipynb``, ``09a`` for an episode's."""
    return path.name.split("_", 1)[0]


def test_solutions_and_declarations_match():
    in_notebooks: dict[str, str] = {}
    for path in SOLUTIONS:
        lesson = _number(path)
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
    lessons = {_number(p): p for p in (ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")}
    for solution in SOLUTIONS:
        lesson = lessons.get(_number(solution))
        assert lesson is not None, f"{solution.name}: no lesson notebook {_number(solution)}_*"
        link = f"../exercises/{exercises_name(solution.name)}"
        assert link in lesson.read_text(encoding="utf-8"), f"{lesson.name} never links {link}"
    for lesson in lessons.values():
        for name in re.findall(
            r"\.\./exercises/([\w.-]+\.ipynb)", lesson.read_text(encoding="utf-8")
        ):
            assert (ROOT / "exercises" / name).exists(), f"{lesson.name} links a missing {name}"
