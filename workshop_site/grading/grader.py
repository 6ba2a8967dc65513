"""``grade(exercise, fn)``: run the learner's function and decide, in the issue's order.

1. it raised (or is not written yet, ran too long, ran too many queries, returned the
   wrong kind of value) — measured at each size, stopping at the first that fails;
2. it changed the data, in an exercise that only reads;
3. then the exercise's checks by stage: the result, the query count as data grows, the
   budget and the SQL's shape, memory and time against the reference.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import replace
from typing import Any

from workshop_site.grading.advice import explain
from workshop_site.grading.attempt import Attempt, ReferenceFailed
from workshop_site.grading.confine import WRITES, Write, statement_kind
from workshop_site.grading.exercise import Exercise
from workshop_site.grading.kinds import failure_label
from workshop_site.grading.problems import PROBLEMS, Problem
from workshop_site.grading.registry import UnknownExercise, get
from workshop_site.grading.sandbox import Run
from workshop_site.grading.verdict import Verdict
from workshop_site.lab.inspector import diagnose
from workshop_site.words import plural

__all__ = ["grade"]

# The verdict's status when a problem is no attempt at the exercise: the stub is "todo",
# a misuse of check() or a ^C an "error" (nothing was graded).
_NO_ATTEMPT_STATUS = {"todo": "todo", "usage": "error", "interrupted": "error"}


def grade(exercise: Exercise | str, fn: Any, *, progress: bool = True) -> Verdict:
    """Grade ``fn`` against ``exercise`` (an id such as "03.1", or a declaration).

    Never raises: the learner's exceptions are the verdict, and a failure of the grader
    itself is a verdict with status "error".
    """
    began = time.perf_counter()
    exercise_id = exercise.id if isinstance(exercise, Exercise) else str(exercise)
    try:
        if not _django_ready():
            verdict = _error(exercise_id, "", "run `lab.start()` first: it sets up the shop")
        else:
            declared = exercise if isinstance(exercise, Exercise) else get(exercise)
            verdict = _grade(declared, fn, progress=progress)
    except UnknownExercise as exc:
        verdict = _error(exercise_id, "", str(exc))
    except ReferenceFailed as exc:
        verdict = _error(exercise_id, "", f"{exc} — a bug in the exercise: tell the instructor")
    except KeyboardInterrupt:
        verdict = _error(exercise_id, "", "you interrupted the check (Kernel → Interrupt)")
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        verdict = _error(
            exercise_id,
            "",
            f"the grader itself failed ({type(exc).__name__}: {exc}, at "
            f"{where.filename}:{where.lineno}) — tell the instructor",
        )
    return _timed(verdict, time.perf_counter() - began)


def _timed(verdict: Verdict, seconds: float) -> Verdict:
    return replace(verdict, seconds=seconds)


def _error(exercise_id: str, title: str, message: str) -> Verdict:
    return Verdict(
        exercise_id, title, "error", kind="error", reason=PROBLEMS["error"], message=message
    )


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


def _grade(exercise: Exercise, fn: Any, *, progress: bool) -> Verdict:
    if not callable(fn):
        return _fail(
            exercise,
            Problem(
                "usage",
                f"pass your function itself, without calling it: "
                f'`lab.check("{exercise.id}", my_function)` — got a {type(fn).__name__}',
            ),
        )
    attempt = Attempt(exercise, fn, progress=progress)
    if any(check.uses_runs for check in exercise.checks):
        # The reference first: whatever the learner's code changes in the kernel (a
        # module's constant, a patched function) cannot change the expected result.
        for size in exercise.sizes:
            attempt.reference(size)
        for size in exercise.sizes:
            run = attempt.measure(attempt.submitted, size=size)
            attempt.runs.append(run)
            if run.problem is not None:
                stopped = _stopped_by_n_plus_one(attempt, run, run.problem)
                return _fail(exercise, stopped, attempt=attempt)
    if (problem := _misbehaved(attempt)) is not None:
        return _fail(exercise, problem, attempt=attempt)
    figures: list[str] = []
    for check in sorted(exercise.checks, key=lambda c: c.stage):
        outcome = check.evaluate(attempt)
        # Whatever the kind concluded, its runs of the learner's code obey the same rules.
        if (problem := _misbehaved(attempt)) is not None:
            return _fail(exercise, problem, attempt=attempt)
        if outcome.problem is not None:
            return _fail(exercise, outcome.problem, attempt=attempt)
        if not outcome.passed:
            return Verdict(
                exercise.id,
                exercise.title,
                "fail",
                kind=check.kind,
                reason=check.failure,
                message=outcome.message,
                queries=_queries(attempt),
                notes=_committed_notes(attempt.measured),
            )
        figures.extend(outcome.figures)
    if attempt.runs:
        largest = attempt.runs[-1]
        figures.append(f"{largest.seconds * 1000:.1f} ms {attempt.where(largest.size)}")
    return Verdict(
        exercise.id,
        exercise.title,
        "pass",
        figures=tuple(figures),
        queries=_queries(attempt),
        notes=_committed_notes(attempt.measured),
    )


def _misbehaved(attempt: Attempt) -> Problem | None:
    """A run of the learner's code that wrote in a read-only exercise, or reached for a
    connection other than the grading data's."""
    runs = attempt.measured
    if attempt.exercise.read_only and (problem := _writes(runs)) is not None:
        return problem
    for run in runs:
        if run.refused:
            return Problem(
                "other-database",
                f"{run.refused[0]} was refused: while a check runs, your code reaches the "
                "grading data only, through Django's connection (`django.db.connection`), "
                "in its own thread or in threads it starts. Nothing was changed.",
            )
    return None


def _stopped_by_n_plus_one(attempt: Attempt, run: Run, problem: Problem) -> Problem:
    """A run stopped by the query cap, or by the time limit, in the middle of an N+1 is an
    N+1: say so, in its words. (On a busy machine a naive loop at the larger size can
    reach the time limit first: the verdict must not depend on which.)"""
    if problem.kind not in ("query-cap", "timeout") or not diagnose(run.log):
        return problem
    counts = [
        f"{plural(earlier.queries, 'query', 'queries')} {attempt.where(earlier.size)}"
        for earlier in attempt.runs[:-1]
    ]
    ran = f"over {attempt.exercise.cap:,}" if problem.kind == "query-cap" else f"{run.queries:,}+"
    counts.append(f"{ran} {attempt.where(run.size)} (stopped there)")
    return Problem("scaling", f"{', '.join(counts)}: {explain(run.log)}")


def _queries(attempt: Attempt) -> dict[int, int]:
    return {run.size: run.queries for run in attempt.runs}


def _fail(
    exercise: Exercise,
    problem: Problem,
    *,
    attempt: Attempt | None = None,
) -> Verdict:
    notes = _committed_notes(attempt.measured) if attempt else ()
    return Verdict(
        exercise.id,
        exercise.title,
        _NO_ATTEMPT_STATUS.get(problem.kind, "fail"),
        kind=problem.kind,
        reason=failure_label(problem.kind),
        message=problem.message,
        queries=_queries(attempt) if attempt else {},
        notes=notes,
    )


def _committed_notes(runs: list[Run]) -> tuple[str, ...]:
    notes = []
    for run in runs:
        if run.changes:
            notes.append(
                f"your code committed changes to the grading data at size {run.size} "
                f"({'; '.join(run.changes)}); the grader restored it"
            )
    return tuple(dict.fromkeys(notes))


def _writes(runs: list[Run]) -> Problem | None:
    for run in runs:
        writes = list(run.writes)
        if run.learner:  # the whole run was the learner's: its log says it too
            writes += [
                Write(query.sql, query.source)
                for query in run.log
                if statement_kind(query.sql) in WRITES
            ]
        if writes:
            return Problem("writes", _wrote(writes[0]))
        if run.changes:
            return Problem(
                "writes",
                f"your function committed changes to the data ({'; '.join(run.changes)}). "
                "This exercise only reads: the grader restored them.",
            )
    return None


def _wrote(write: Write) -> str:
    if write.thread:
        return (
            f"your code tried to change the data from another thread ({write.thread}): "
            f"`{write}`. The grader refused it: a thread opens a connection of its own, "
            "which no check can roll back. This exercise only reads."
        )
    where = f" ({write.source.short})" if write.source else ""
    return (
        f"your function changed the data: `{write}`{where}. This exercise only reads: "
        "the change was rolled back, nothing is lost."
    )
