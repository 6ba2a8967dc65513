"""Lesson or exercise: does the inspector show the fix?

Lessons show the whole diagnosis: the relation, the line, the fix. An exercise asks the
learner to find the fix, so its notebook turns the fix off for its kernel
(``lab.exercises("03")`` does it) and the findings name the relation, the line and where
the rows came from; the fix waits for ``lab.hint``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["exercise_mode", "in_exercise_mode", "mode"]

_exercise = False


def exercise_mode(on: bool = True) -> None:
    """Turn exercise mode on (findings without their fix) or off, for this kernel."""
    global _exercise
    _exercise = bool(on)


def in_exercise_mode() -> bool:
    return _exercise


@contextmanager
def mode(*, exercise: bool) -> Iterator[None]:
    """Exercise mode on or off for the block, then back to what it was."""
    previous = _exercise
    exercise_mode(exercise)
    try:
        yield
    finally:
        exercise_mode(previous)
