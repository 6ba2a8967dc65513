"""What stops an attempt before any check runs, said in plain words.

The learner's code raised (the exception, trimmed to the learner's own frames), is not
written yet (the exercise stub), ran too long, ran too many queries, or returned the
wrong kind of value.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from types import TracebackType

from workshop_site.grading.django_errors import explain
from workshop_site.lab.capture import Source, _skipped

__all__ = [
    "NOT_ATTEMPTS",
    "PROBLEMS",
    "Problem",
    "STUB_MESSAGE",
    "WrongType",
    "from_exception",
    "learner_frames",
    "where",
]

#: What an exercise stub raises; the grader reports it as "not written yet".
STUB_MESSAGE = "write your answer here"

#: Each problem's kind and its short label for reports.
PROBLEMS: dict[str, str] = {
    "todo": "not written yet",
    "raised": "raised an exception",
    "timeout": "ran past the time limit",
    "query-cap": "ran too many queries",
    "type": "returned the wrong type",
    "writes": "changed the data",
    "tampered": "switched off the grader's instruments",
    "other-database": "reached for another database",
    "usage": "check() called wrongly",
    "interrupted": "interrupted",
    "error": "could not be graded",
}

#: Problems that are no attempt at the exercise: the stub, a misuse of check(), a ^C.
NOT_ATTEMPTS = frozenset({"todo", "usage", "interrupted"})

_MAX_MESSAGE = 300
_MAX_FRAMES = 3


class WrongType(TypeError):
    """Raised by a check kind's own wrapper when the learner's function returned the wrong
    kind of value where only raising can stop the run (a view inside a replay): reported
    as the "type" problem, its message as is."""


@dataclass(frozen=True)
class Problem:
    """Why an attempt stopped early: a kind from :data:`PROBLEMS` and a message."""

    kind: str
    message: str

    @property
    def label(self) -> str:
        return PROBLEMS.get(self.kind, self.kind)


def _is_learner(filename: str) -> bool:
    # The same frames the query recorder skips (Django, the standard library,
    # site-packages, the lab and the grader); the shop's own models count as learner's.
    return not _skipped(filename)


def learner_frames(tb: TracebackType | None) -> list[Source]:
    """The traceback's frames that are the learner's (or the shop's) code, outermost first."""
    return [
        Source(frame.filename, frame.lineno or 0, frame.name)
        for frame in traceback.extract_tb(tb)
        if _is_learner(frame.filename)
    ]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def where(exc: BaseException) -> str:
    """The innermost learner line an exception passed through, as "cell line 3: code"."""
    frames = learner_frames(exc.__traceback__)
    return str(frames[-1]) if frames else ""


def from_exception(exc: BaseException) -> Problem:
    """The learner's function raised ``exc``: say what and where, in the learner's frames."""
    frames = learner_frames(exc.__traceback__)
    if isinstance(exc, NotImplementedError) and (
        str(exc) == STUB_MESSAGE or (frames and _raised_here(exc, frames[-1]))
    ):
        return Problem(
            "todo",
            "not written yet: replace `raise NotImplementedError(...)` with your code, "
            "then run the cell again",
        )
    if isinstance(exc, KeyboardInterrupt):
        return Problem("interrupted", "you interrupted the check (Kernel → Interrupt)")
    if isinstance(exc, WrongType):
        return Problem("type", str(exc))
    name = type(exc).__name__
    text = _short(str(exc))
    head = f"your code raised {name}: {text}" if text else f"your code raised {name}"
    lines = [head, *(f"  {frame}" for frame in frames[-_MAX_FRAMES:])]
    # The lessons' classic wrong fixes (select_related on a many-to-many...) raise
    # Django errors worth a sentence in the lesson's words.
    if advice := explain(exc):
        lines.append(advice)
    return Problem("raised", "\n".join(lines))


def _raised_here(exc: BaseException, frame: Source) -> bool:
    # The stub's own ``raise`` is the innermost frame; Django raising NotImplementedError
    # ("DISTINCT ON fields is not supported") has frames below the learner's.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename == frame.filename
