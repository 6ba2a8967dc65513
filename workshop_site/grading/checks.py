"""The built-in check kinds: result, scaling, budget, shape, memory and time ratios.

Each is a frozen dataclass: its fields are the options an exercise declares, e.g.
``Budget(queries=2)`` or ``Shape(joins=("shop_address",))``. ``advice`` (every kind has
it) is added to the failure message: the exercise's own words on what to try.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workshop_site.grading.advice import explain, list_queries, plural, short_sql
from workshop_site.grading.compare import canonical, first_difference, show
from workshop_site.grading.kinds import Check, Outcome, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["Result", "Scaling", "Budget", "Shape", "MemoryRatio", "TimeRatio"]


def _with_advice(message: str, advice: str) -> str:
    return f"{message}\n{advice}" if advice else message


@register
@dataclass(frozen=True)
class Result(Check):
    """The result equals the reference's at every size (``ordered``: in the same order)."""

    ordered: bool = False
    advice: str = ""

    kind = "result"
    failure = "wrong result"
    stage = 10

    def evaluate(self, attempt: Attempt) -> Outcome:
        expected = {run.size: attempt.reference(run.size).value for run in attempt.runs}
        hard_coded = self._hard_coded(attempt, expected)
        if hard_coded:
            return Outcome(False, _with_advice(hard_coded, self.advice))
        for run in attempt.runs:
            difference = first_difference(expected[run.size], run.value, ordered=self.ordered)
            if difference is not None:
                message = f"{attempt.where(run.size)}: {difference}"
                return Outcome(False, _with_advice(message, self.advice))
        return Outcome(True, figures=(f"right with {attempt.sizes_text()}",))

    def _hard_coded(self, attempt: Attempt, expected: dict[int, object]) -> str:
        """The same answer at every size while the right one changes: typed in, or computed
        outside the function from the lesson's data."""
        if len(attempt.runs) < 2:
            return ""
        answers = {canonical(run.value) for run in attempt.runs}
        right = {canonical(value) for value in expected.values()}
        if len(answers) > 1 or len(right) == 1 or answers <= right:
            return ""
        value = attempt.runs[0].value
        return (
            f"your function returned the same answer at every size ({show(value)}) but the "
            "right answer changes with the data. The grader uses other data than the lesson "
            "(another seed, other sizes), so a result typed in or computed outside the "
            "function cannot pass: compute it from the database, inside the function."
        )


def _counts_text(attempt: Attempt) -> str:
    """ "11 queries with 10 waiting customers, 31 with 30"."""
    parts = []
    for index, run in enumerate(attempt.runs):
        where = attempt.where(run.size)
        if index == 0:
            parts.append(f"{plural(run.queries, 'query', 'queries')} {where}")
        else:
            parts.append(f"{run.queries:,} {where.removesuffix(' ' + _label(attempt))}")
    return ", ".join(parts)


def _label(attempt: Attempt) -> str:
    rows = attempt.exercise.rows
    return rows.label if rows is not None else ""


@register
@dataclass(frozen=True)
class Scaling(Check):
    """The number of queries stays the same as the data grows (no N+1)."""

    advice: str = ""

    kind = "scaling"
    failure = "query count grows with rows"
    stage = 20

    def evaluate(self, attempt: Attempt) -> Outcome:
        first, last = attempt.runs[0], attempt.runs[-1]
        if last.queries > first.queries:
            why = explain(last.log)
            message = _counts_text(attempt) + (f": {why}" if why else "")
            return Outcome(False, _with_advice(message, self.advice))
        counts = {run.queries for run in attempt.runs}
        if len(counts) == 1:
            figure = f"{plural(first.queries, 'query', 'queries')} at each size"
        else:
            figure = _counts_text(attempt)
        return Outcome(True, figures=(figure,))


@register
@dataclass(frozen=True)
class Budget(Check):
    """At most ``queries`` queries at every size."""

    queries: int
    advice: str = ""

    kind = "budget"
    failure = "over the query budget"
    stage = 30

    def evaluate(self, attempt: Attempt) -> Outcome:
        for run in attempt.runs:
            if run.queries > self.queries:
                why = explain(run.log)
                message = (
                    f"{plural(run.queries, 'query', 'queries')} {attempt.where(run.size)}; the "
                    f"budget is {self.queries}"
                    + (f": {why}" if why else f". They were:\n{list_queries(run.log)}")
                )
                return Outcome(False, _with_advice(message, self.advice))
        return Outcome(True, figures=(f"within the budget of {self.queries}",))


def _select_list(sql: str) -> str:
    """The columns between the first SELECT and its FROM (subqueries included)."""
    start = sql.find("SELECT ")
    if start < 0:
        return ""
    depth, i = 0, start + len("SELECT ")
    while i < len(sql):
        ch = sql[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" FROM ", i):
            return sql[start:i]
        i += 1
    return sql[start:]


@register
@dataclass(frozen=True)
class Shape(Check):
    """The SQL has the shape the lesson is about.

    ``joins``: tables some query must JOIN (``select_related``), e.g. ``"shop_address"``.
    ``not_selected``: ``"table.column"`` no query may select (``only``/``defer``), e.g.
    ``"shop_product.description"``.
    """

    joins: tuple[str, ...] = ()
    not_selected: tuple[str, ...] = ()
    advice: str = ""

    kind = "shape"
    failure = "wrong SQL shape"
    stage = 30

    def evaluate(self, attempt: Attempt) -> Outcome:
        run = attempt.runs[-1]
        for table in self.joins:
            pattern = re.compile(rf'JOIN "{re.escape(table)}"')
            if not any(pattern.search(query.sql) for query in run.log):
                message = (
                    f"no query joins `{table}` {attempt.where(run.size)}: this exercise asks "
                    "for the related rows in the same query, with a JOIN (`select_related`). "
                    f"Your queries:\n{list_queries(run.log)}"
                )
                return Outcome(False, _with_advice(message, self.advice))
        for column in self.not_selected:
            table, _, name = column.partition(".")
            needle = f'"{table}"."{name}"'
            for number, query in enumerate(run.log, start=1):
                if needle in _select_list(query.sql):
                    message = (
                        f"`{column}` is still selected, by query {number}: "
                        f"`{short_sql(query)}` — this exercise is about not loading it"
                    )
                    return Outcome(False, _with_advice(message, self.advice))
        return Outcome(True, figures=("SQL shape as asked",))


def _bytes(n: float) -> str:
    if n < 1000:
        return f"{n:.0f} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


def _ratio_failure(
    what: str, mine: str, theirs: str, *, ratio: float, at_most: float, where: str, note: str = ""
) -> str:
    allowed = f"at most {at_most:g}× allowed" + (f"; {note}" if note else "")
    return f"{what} {mine} against the reference's {theirs} {where}: {ratio:.1f}× ({allowed})"


def _stopped(run: Run) -> Outcome | None:
    if run.problem is not None:
        return Outcome(False, run.problem.message)
    return None


@register
@dataclass(frozen=True)
class MemoryRatio(Check):
    """Peak Python memory at most ``at_most`` times the reference's, at the largest size,
    both measured in the same check (tracemalloc). Below ``floor`` bytes nothing counts:
    tiny allocations would make ratios meaningless."""

    at_most: float = 2.0
    floor: int = 64_000
    advice: str = ""

    kind = "memory-ratio"
    failure = "uses more memory than the reference"
    stage = 40

    def evaluate(self, attempt: Attempt) -> Outcome:
        size = attempt.sizes[-1]
        learner = attempt.measure(attempt.submitted, size=size, memory=True)
        if (stopped := _stopped(learner)) is not None:
            return stopped
        reference = attempt.measure(attempt.exercise.reference, size=size, memory=True)
        mine, theirs = learner.peak_memory or 0, reference.peak_memory or 0
        ratio = max(mine, self.floor) / max(theirs, self.floor)
        if ratio > self.at_most:
            floored = min(mine, theirs) < self.floor
            message = _ratio_failure(
                "peak memory",
                _bytes(mine),
                _bytes(theirs),
                ratio=ratio,
                at_most=self.at_most,
                where=attempt.where(size),
                note=f"less than {_bytes(self.floor)} counts as {_bytes(self.floor)}"
                if floored
                else "",
            )
            return Outcome(False, _with_advice(message, self.advice))
        return Outcome(True, figures=(f"peak memory {ratio:.1f}× the reference's",))


@register
@dataclass(frozen=True)
class TimeRatio(Check):
    """Wall time at most ``at_most`` times the reference's at the largest size: the best
    of ``repeat`` runs each, measured in the same check (never an absolute time)."""

    at_most: float = 3.0
    repeat: int = 3
    advice: str = ""

    kind = "time-ratio"
    failure = "slower than the reference"
    stage = 40

    def evaluate(self, attempt: Attempt) -> Outcome:
        size = attempt.sizes[-1]
        mine, theirs = [], []
        for _ in range(self.repeat):
            learner = attempt.measure(attempt.submitted, size=size)
            if (stopped := _stopped(learner)) is not None:
                return stopped
            mine.append(learner.seconds)
            theirs.append(attempt.measure(attempt.exercise.reference, size=size).seconds)
        best, reference = min(mine), min(theirs)
        ratio = best / max(reference, 1e-6)
        if ratio > self.at_most:
            message = _ratio_failure(
                "time",
                f"{best * 1000:.1f} ms",
                f"{reference * 1000:.1f} ms",
                ratio=ratio,
                at_most=self.at_most,
                where=attempt.where(size),
            )
            return Outcome(False, _with_advice(message, self.advice))
        return Outcome(True, figures=(f"time {ratio:.1f}× the reference's",))
