"""What a scripted learner does in one lesson, read from the repository when it runs.

The lessons are rewritten often, so nothing here is a copy: the lesson's code cells come
from ``notebooks/NN_*.ipynb``; the exercises' steps from ``solutions/NN_*_solutions.ipynb``,
in order. A cell that calls ``lab.check("NN.M", fn)`` is a right answer (the solution as
written: it should pass). Where the notebook also defines ``fn_naive`` (the exercise's
naive version, which the learner is asked to fix), ``lab.check("NN.M", fn_naive)`` is
tried first, as a learner's first answer: it should fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from workshop_site.setup import ROOT

__all__ = ["SCRIPTED_LESSON", "Step", "LessonPlan", "lesson_plan", "verdicts"]

#: The lesson the scripted class and the load benchmark work: its exercises come as naive
#: ``fn_naive`` and fixed ``fn`` pairs, so a scripted learner has a wrong answer to try
#: as well as a right one (tests/test_classhub_parts.py holds that).
SCRIPTED_LESSON = "03"

_CHECK = re.compile(r"lab\.check\(\s*[\"'](\d\d\.\d+)[\"']\s*,\s*(\w+)\s*\)")
_DEF = re.compile(r"^def (\w+)\(", re.M)
_HEADLINE = re.compile(r"^(✅|❌) (\d\d\.\d+)\b", re.M)


@dataclass(frozen=True)
class Step:
    """One cell a learner runs; for a check, the verdicts it should give (id → pass/fail)."""

    code: str
    expect: tuple[tuple[str, str], ...] = ()

    @property
    def is_check(self) -> bool:
        return bool(self.expect)


@dataclass(frozen=True)
class LessonPlan:
    """A lesson's cells, then its exercises' steps; paths relative to the course's root."""

    lesson: str
    notebook: str
    exercises_notebook: str
    cells: tuple[str, ...]
    exercise_steps: tuple[Step, ...]

    @property
    def checks(self) -> list[tuple[str, str]]:
        """Every (exercise, expected verdict) the exercises' steps ask for."""
        return [pair for step in self.exercise_steps for pair in step.expect]


def _code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        if text.strip():
            cells.append(text)
    return cells


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {folder.name}/{pattern}, found {len(found)}")
    return found[0]


def lesson_plan(lesson: str, *, root: Path = ROOT) -> LessonPlan:
    """The plan for lesson ``lesson`` ("03") as the repository at ``root`` has it now."""
    number = f"{int(lesson):02d}"
    notebook = _one(root / "notebooks", f"{number}_*.ipynb")
    solutions = _one(root / "solutions", f"{number}_*_solutions.ipynb")
    exercises = _one(root / "exercises", f"{number}_*_exercises.ipynb")
    cells = _code_cells(solutions)
    defined = {name for cell in cells for name in _DEF.findall(cell)}
    steps: list[Step] = []
    for cell in cells:
        checks = _CHECK.findall(cell)
        for exercise, function in checks:
            if f"{function}_naive" in defined:
                wrong = f'lab.check("{exercise}", {function}_naive)'
                steps.append(Step(wrong, ((exercise, "fail"),)))
        steps.append(Step(cell, tuple((exercise, "pass") for exercise, _ in checks)))
    return LessonPlan(
        lesson=number,
        notebook=notebook.relative_to(root).as_posix(),
        exercises_notebook=exercises.relative_to(root).as_posix(),
        cells=tuple(_code_cells(notebook)),
        exercise_steps=tuple(steps),
    )


def verdicts(text: str) -> dict[str, str]:
    """The verdicts a cell showed (``✅ 03.1 …`` / ``❌ 03.1 …``): id → pass/fail."""
    return {
        exercise: "pass" if mark == "✅" else "fail" for mark, exercise in _HEADLINE.findall(text)
    }
