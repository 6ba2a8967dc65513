"""Every declared exercise: each module of ``workshop_site.grading.exercises`` lists its
lesson's exercises in ``EXERCISES``."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import pkgutil
import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from workshop_site.grading.exercise import FROM_SOLUTIONS, Exercise
from workshop_site.lab.boot import ShopNotStarted, require_started

__all__ = [
    "all_exercises",
    "get",
    "lesson_exercises",
    "lesson_number",
    "UnknownExercise",
    "DjangoNotReady",
]

_PACKAGE = "workshop_site.grading.exercises"


class UnknownExercise(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


#: The exercises use the shop's models: the same error as every ``lab`` entry point's.
DjangoNotReady = ShopNotStarted


def _require_django() -> None:
    require_started("Grading")


def all_exercises() -> Mapping[str, Exercise]:
    """Every declared exercise by id, in id order (read-only: a learner's code cannot
    swap a declaration). Imports the declaring modules, which import the shop's models:
    call it after ``lab.start()``."""
    _require_django()
    return _load()


@cache
def _load() -> Mapping[str, Exercise]:
    package = importlib.import_module(_PACKAGE)
    found: dict[str, Exercise] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{_PACKAGE}.{info.name}")
        for exercise in getattr(module, "EXERCISES", ()):
            if exercise.id in found:
                raise ValueError(f"exercise {exercise.id} is declared twice ({info.name})")
            found[exercise.id] = _with_reference(exercise)
    return MappingProxyType(dict(sorted(found.items(), key=lambda item: _order(item[0]))))


def _with_reference(exercise: Exercise) -> Exercise:
    """The exercise with its reference: the solutions notebook's (one source)."""
    if exercise.reference is not FROM_SOLUTIONS:
        return exercise
    from workshop_site.grading.reference_lookup import reference

    return dataclasses.replace(exercise, reference=reference(exercise.id))


_NUMBERED = re.compile(r"^(\d+)([a-z]?)\.(\d+)$")


def _order(exercise_id: str) -> tuple[int, str, int]:
    match = _NUMBERED.match(exercise_id)
    if match is None:
        raise ValueError(f"not an exercise id: {exercise_id!r}")
    return int(match[1]), match[2], int(match[3])


def get(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id`` ("03.1"); :class:`UnknownExercise` names close ids."""
    exercises = all_exercises()
    exercise = exercises.get(str(exercise_id))
    if exercise is None:
        known = _closest(str(exercise_id), list(exercises))
        raise UnknownExercise(
            f"there is no exercise {exercise_id!r}; known: {', '.join(known)} "
            '(ids are strings like "03.1")'
        )
    return exercise


def _closest(typed: str, ids: list[str]) -> list[str]:
    """The ids closest to ``typed``: first the one it means with its zeros written
    ("0.1" → 00.1, "3.2" → 03.2), then those that read alike."""
    first: list[str] = []
    lesson, dot, number = typed.strip().partition(".")
    if dot and lesson.isdigit() and number.isdigit():
        meant = f"{int(lesson):02d}.{int(number)}"
        if meant in ids:
            first.append(meant)
        first += [i for i in ids if i.startswith(f"{int(lesson):02d}.") and i not in first]
    alike = difflib.get_close_matches(typed, ids, n=3)
    found = list(dict.fromkeys(first + alike))[:3]
    return found or ids


def lesson_number(lesson: str | int) -> str:
    """``"01"`` for ``1`` or ``"01"``, ``"09a"`` for an episode; a clear error otherwise."""
    if isinstance(lesson, int) or lesson.strip().isdigit():
        return f"{int(lesson):02d}"
    episode = re.fullmatch(r"(\d+)([a-z])", lesson.strip())
    if episode:
        return f"{int(episode[1]):02d}{episode[2]}"
    raise ValueError(f'a lesson is a number like "01" (or an episode like "09a"), got {lesson!r}')


def lesson_exercises(lesson: str | int) -> list[Exercise]:
    """The exercises of lesson ``lesson`` ("01" or 1), in order; a lesson split in
    episodes ("09") has its episodes' ("09a.1", "09b.1"...), an episode ("09a") its own."""
    number = lesson_number(lesson)
    return [e for e in all_exercises().values() if _in_lesson(e.lesson, number)]


def _in_lesson(lesson: str, number: str) -> bool:
    """``09a`` is in ``09a`` and in ``09`` (the lesson its episodes came from)."""
    return lesson == number or (
        number.isdigit() and lesson.rstrip("abcdefghijklmnopqrstuvwxyz") == number
    )
