"""Check kinds: the pluggable part of an exercise declaration.

A check kind is a frozen dataclass deriving from :class:`Check`, registered with
:func:`register`. Its options are the dataclass fields; ``evaluate(attempt)`` looks at
the learner's measured runs (``attempt.runs``), the reference's (``attempt.reference``),
or runs whatever it needs in the grader's sandbox (``attempt.measure``), and returns an
:class:`Outcome`. Kinds run in ``stage`` order and the first failure is the verdict, so
the learner hears about a wrong result before a query budget.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from workshop_site.grading.problems import PROBLEMS, Problem

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["Check", "Outcome", "register", "kinds", "failure_label"]


@dataclass(frozen=True)
class Outcome:
    """What one check found: passed or not, and the words to show."""

    passed: bool
    message: str = ""  # when it failed: what is wrong and what to try
    figures: tuple[str, ...] = ()  # when it passed: what was measured
    # A kind that calls the learner's code itself (``uses_runs = False``) passes on what
    # stopped it (the stub: "not written yet"), to be reported as the grader's own runs are.
    problem: Problem | None = None


class Check(ABC):
    """The base of every check kind (see the module's docstring)."""

    #: The kind's name in declarations, progress files and reports, e.g. ``"budget"``.
    kind: ClassVar[str]
    #: A failure's short label in reports, e.g. ``"over the query budget"``.
    failure: ClassVar[str]
    #: Order among the exercise's checks: result 10, scaling 20, budget/shape 30, ratios 40.
    stage: ClassVar[int] = 50
    #: ``False`` for a kind that calls the learner's code its own way (with
    #: ``attempt.measure``), e.g. a learner's test run against two implementations: when no
    #: check of an exercise uses them, the grader skips its calls at every size.
    uses_runs: ClassVar[bool] = True

    @abstractmethod
    def evaluate(self, attempt: Attempt) -> Outcome:
        """Look at the attempt and say whether this check passed."""


_KINDS: dict[str, type[Check]] = {}


def register[C: type[Check]](cls: C) -> C:
    """Class decorator: make a check kind known by its ``kind`` name."""
    existing = _KINDS.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"check kind {cls.kind!r} is already {existing.__qualname__}")
    _KINDS[cls.kind] = cls
    return cls


def kinds() -> dict[str, type[Check]]:
    """Every registered check kind, by name."""
    return dict(_KINDS)


def failure_label(kind: str) -> str:
    """The short label of a failure of ``kind`` (a check kind or a problem)."""
    if kind in PROBLEMS:
        return PROBLEMS[kind]
    cls = _KINDS.get(kind)
    return cls.failure if cls is not None else kind
