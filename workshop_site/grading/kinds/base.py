"""What every check kind shares: the :class:`Check` base, its :class:`Outcome`, the stages.

A check kind is a frozen dataclass deriving from :class:`Check`, registered with
:func:`register`. Its options are the dataclass fields (every kind also takes
``advice="..."``, the exercise's own words on what to try, added to its failure
messages); ``evaluate(attempt)`` looks at the learner's measured runs
(``attempt.runs``), the reference's (``attempt.reference``), or runs whatever it needs in
the grader's sandbox (``attempt.measure``), and returns an :class:`Outcome`: ``self.fail``
for what the kind judges, ``self.stopped`` for a run that did not get through. Kinds run
in :class:`Stage` order and the first failure is the verdict, so the learner hears about
a wrong result before a query budget.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

from workshop_site.grading.advice import said
from workshop_site.grading.problems import NOT_ATTEMPTS, PROBLEMS, Problem
from workshop_site.grading.sealed import SealedABC, seal

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["Check", "Outcome", "Stage", "register", "registered_kinds", "failure_label"]


class Stage(IntEnum):
    """When a kind runs among an exercise's checks (lowest first)."""

    #: The answer itself; or, for a kind that calls the learner's code its own way (a
    #: view under traffic, a test, a partner call), the whole behaviour.
    RESULT = 10
    #: How the queries grow with the data (an N+1, a statement per row).
    SCALING = 20
    #: How many queries, and their shape.
    BUDGET = 30
    #: Memory and time, against the reference or as the data grows.
    RESOURCES = 40
    #: Anything else.
    LAST = 50


@dataclass(frozen=True)
class Outcome:
    """What one check found: passed or not, and the words to show."""

    passed: bool
    message: str = ""  # when it failed: what is wrong and what to try
    figures: tuple[str, ...] = ()  # when it passed: what was measured
    # When a run of the learner's code did not get through (it raised, is the stub, ran
    # too long...): the verdict is this problem, as for the grader's own runs.
    problem: Problem | None = None


@dataclass(frozen=True)
class Check(metaclass=SealedABC):
    """The base of every check kind (see the module's docstring)."""

    #: The kind's name in declarations, progress files and reports, e.g. ``"budget"``.
    kind: ClassVar[str]
    #: A failure's short label in reports, e.g. ``"over the query budget"``.
    failure: ClassVar[str]
    #: Order among the exercise's checks.
    stage: ClassVar[Stage] = Stage.LAST
    #: ``False`` for a kind that calls the learner's code its own way (with
    #: ``attempt.measure``), e.g. a learner's test run against two implementations: when no
    #: check of an exercise uses them, the grader skips its calls at every size.
    uses_runs: ClassVar[bool] = True

    #: The exercise's own words on where to look, added to this kind's failure messages.
    advice: str = field(default="", kw_only=True)
    #: The exercise's own words on the fix, added to them in lessons only: in an exercise
    #: notebook the fix waits for ``lab.hint`` (see ``grading/advice.py``).
    fix: str = field(default="", kw_only=True)

    @abstractmethod
    def evaluate(self, attempt: Attempt) -> Outcome:
        """Look at the attempt and say whether this check passed."""

    def passed(self, *figures: str) -> Outcome:
        """This check passed; ``figures`` say what was measured."""
        return Outcome(True, figures=figures)

    def fail(self, message: str, *, fix: str = "") -> Outcome:
        """This kind's failure: ``message`` (the problem), the exercise's advice (where to
        look), then — in lessons, not in exercise notebooks — ``fix`` and the exercise's."""
        fixes = " ".join(part for part in (fix, self.fix) if part)
        return Outcome(False, said(message, look=self.advice, fix=fixes))

    def stopped(self, run: Run, *, context: str = "", then: str = "") -> Outcome | None:
        """``None`` when ``run`` got through; else an outcome that passes its problem on.

        The verdict is then the problem (not written yet, raised, ran too long...), said
        as "{context}: {what stopped it}" and followed by ``then`` — except when it is no
        attempt at all (the stub, a ^C, a misuse of ``check()``), said as is.
        """
        problem = run.problem
        if problem is None:
            return None
        if problem.kind not in NOT_ATTEMPTS:
            message = f"{context}: {problem.message}" if context else problem.message
            problem = Problem(problem.kind, f"{message}\n{then}" if then else message)
        return Outcome(False, problem.message, problem=problem)


seal(Check)  # its helpers (fail, passed, stopped) are every kind's

_KINDS: dict[str, type[Check]] = {}


def register[C: type[Check]](cls: C) -> C:
    """Class decorator: make a check kind known by its ``kind`` name, and seal it (its
    methods cannot be replaced afterwards: see ``grading/sealed.py``)."""
    existing = _KINDS.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"check kind {cls.kind!r} is already {existing.__qualname__}")
    _KINDS[cls.kind] = cls
    return seal(cls)


def registered_kinds() -> dict[str, type[Check]]:
    """Every registered check kind, by name."""
    return dict(_KINDS)


def failure_label(kind: str) -> str:
    """The short label of a failure of ``kind`` (a check kind or a problem)."""
    if kind in PROBLEMS:
        return PROBLEMS[kind]
    cls = _KINDS.get(kind)
    return cls.failure if cls is not None else kind
