"""One attempt at one exercise: what check kinds look at.

``attempt.runs`` are the learner's measured runs, one per size; ``attempt.reference(size)``
is the reference's (cached: it never changes); ``attempt.measure(fn, size=...)`` runs
anything else in the same sandbox (a check kind that needs more than one call).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from workshop_site.grading.confine import learner
from workshop_site.grading.exercise import Exercise
from workshop_site.grading.returned import accept
from workshop_site.grading.sandbox import GRADING_SEED, Run, run

__all__ = ["Attempt", "ReferenceFailed"]

_references: dict[tuple[Any, ...], Run] = {}


def _as_is(value: Any) -> Any:
    return value


def _as_learner(fn: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(fn, "__learner__", False):
        return fn

    @functools.wraps(fn)
    def submitted(*args: Any, **kwargs: Any) -> Any:
        with learner():
            return fn(*args, **kwargs)

    submitted.__learner__ = True  # type: ignore[attr-defined]
    return submitted


class ReferenceFailed(Exception):
    """The exercise's own reference did not run: a bug in the exercise, not the learner's."""


class Attempt:
    """The learner's function, the exercise, and every run made for this check."""

    def __init__(
        self, exercise: Exercise, submitted: Callable[..., Any], *, progress: bool = True
    ) -> None:
        self.exercise = exercise
        #: The learner's function, as check kinds call it: while it runs, the writes its
        #: connection makes are the learner's (the read-only rule, in every kind).
        self.submitted = _as_learner(submitted)
        self.sizes: tuple[int, ...] = exercise.sizes
        self.runs: list[Run] = []
        #: Every run made for this attempt, by the grader or by a check kind.
        self.measured: list[Run] = []
        self.progress = progress
        self._rows: dict[int, int] = {}

    def measure(
        self, fn: Callable[[], Any], *, size: int, memory: bool = False, raw: bool = False
    ) -> Run:
        """Run ``fn`` on the grading data for ``size``, with the exercise's guards.

        The returned value goes through the exercise's ``returns`` and ``use`` unless
        ``raw`` (a check kind's own helper, e.g. one that reads a query plan).
        """
        exercise = self.exercise
        mine = fn is self.submitted
        call = fn

        if not raw:
            # The returned value's lazy parts are the learner's work too.
            def call() -> Any:
                with learner() if mine else nullcontext():
                    return accept(
                        fn(), returns=exercise.returns, expects=exercise.expects, use=exercise.use
                    )

        result = run(
            call,
            size=size,
            accept=_as_is,
            cap=exercise.cap,
            seconds=exercise.time_limit,
            count_rows=exercise.rows.count if exercise.rows and size not in self._rows else None,
            memory=memory,
            progress=self.progress,
            setup=exercise.setup,
        )
        result.learner = mine and not raw
        self.measured.append(result)
        if result.rows is not None:
            self._rows[size] = result.rows
        return result

    def reference(self, size: int) -> Run:
        """The reference's run at ``size``; raises :class:`ReferenceFailed` if it fails."""
        exercise = self.exercise
        key = (
            exercise.id,
            exercise.reference,
            exercise.use,
            exercise.returns,
            exercise.setup,
            size,
            GRADING_SEED,
        )
        cached = _references.get(key)
        if cached is None:
            cached = self.measure(exercise.reference, size=size)
            if cached.problem is not None:
                raise ReferenceFailed(
                    f"the reference of {exercise.id} failed at size {size}: "
                    f"{cached.problem.message}"
                )
            _references[key] = cached
        if cached.rows is not None:
            self._rows.setdefault(size, cached.rows)
        return cached

    def rows_text(self, size: int) -> str:
        """ "24 waiting customers" (the exercise's ``rows``) or "size 300"."""
        rows = self.exercise.rows
        if rows is None or size not in self._rows:
            return f"size {size}"
        return f"{self._rows[size]:,} {rows.label}"

    def sizes_text(self) -> str:
        """ "8 and 24 waiting customers" (every run's rows) or "sizes 100 and 300"."""
        sizes = [run.size for run in self.runs]
        label = self.exercise.rows.label if self.exercise.rows else None
        if label is None or any(size not in self._rows for size in sizes):
            return "sizes " + " and ".join(str(size) for size in sizes)
        return " and ".join(f"{self._rows[size]:,}" for size in sizes) + f" {label}"

    def where(self, size: int) -> str:
        """ "with 24 waiting customers" or "at size 300"."""
        text = self.rows_text(size)
        return f"at {text}" if text.startswith("size ") else f"with {text}"
