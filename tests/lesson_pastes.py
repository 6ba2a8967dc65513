"""The transfer rule (issue 21): no exercise is solved by pasting the lesson.

Each exercise test module keeps a map beside its tests, ``LESSON_PASTES``: exercise id →
``(lesson code, pasted answer, the grader's verdict kind)``. The lesson code is quoted as
it stands in the lesson's cells or in its activities' answers (what the cells hold once
the learner edited them, ``tests/claims/<notebook>.py``); the pasted answer is the
exercise's naive function with that code pasted in, nothing else changed. The test
checks that the quote is still in the lesson and that the grader rejects the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

from workshop_site.grading import grade

__all__ = ["Pastes", "assert_paste_fails", "cases"]

ROOT = Path(__file__).resolve().parent.parent

#: exercise id → [(lesson code, pasted answer, verdict kind)]
Pastes = dict[str, list[tuple[str, Callable[[], Any], str]]]


def _lesson_text(lesson: str) -> str:
    """The code of lesson ``lesson``'s cells (``"03_n_plus_one"``) and its activities'
    answers."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return code + "\n" + (ROOT / "tests" / "claims" / f"{lesson}.py").read_text()


def cases(pastes: Pastes) -> list[tuple[str, str, Callable[[], Any], str]]:
    """``pytest.mark.parametrize`` rows: (exercise, lesson code, pasted answer, kind)."""
    return [(e, code, fn, kind) for e, found in pastes.items() for code, fn, kind in found]


def assert_paste_fails(
    lesson: str, exercise: str, lesson_code: str, pasted: Callable[[], Any], kind: str
) -> None:
    assert lesson_code in _lesson_text(lesson), (
        f"lesson {lesson} no longer holds {lesson_code!r}: update LESSON_PASTES"
    )
    verdict = grade(exercise, pasted, progress=False)
    assert (verdict.status, verdict.kind) == ("fail", kind), repr(verdict)
