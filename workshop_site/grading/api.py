"""What the exercise notebooks call: ``lab.check``, ``lab.exercises``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workshop_site.grading.grader import grade
from workshop_site.grading.output import show
from workshop_site.grading.progress import ProgressTable, progress, progress_file, record
from workshop_site.grading.registry import lesson_exercises
from workshop_site.grading.sandbox import prepare
from workshop_site.lab.inspector import exercise_mode

__all__ = ["check", "exercises"]


def check(exercise_id: str, fn: Callable[[], Any], /) -> None:
    """Grade your function for exercise ``exercise_id`` ("03.1") and show the verdict.

    It never raises: whatever your code does, the verdict says so. The attempt is added to
    your progress (``lab.progress()``).
    """
    verdict = grade(exercise_id, fn)
    show(verdict)
    if not record(verdict.as_record()):
        print(f"(could not save this attempt to {progress_file()})")


def exercises(lesson: str | int) -> ProgressTable:
    """The exercises of ``lesson`` and your progress on them; also builds their grading
    data now (once per machine), so that no check waits for it later.

    From then on this kernel's query inspector names each N+1 without its fix: finding
    the fix is the exercise (``lab.hint`` gives it when asked)."""
    declared = lesson_exercises(lesson)
    exercise_mode(True)
    prepare({size for exercise in declared for size in exercise.sizes})
    return progress(lesson)
