"""Kinds that judge the queries the learner's code runs: how many as the data grows
(:class:`Scaling`), against a budget (:class:`Budget`), their SQL (:class:`Shape`), and
UPDATE statements per row (:class:`Updates`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workshop_site.grading.advice import explain, list_queries, short_sql
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.grading.sql_shape import read
from workshop_site.words import plural

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run
    from workshop_site.lab.capture import Query

__all__ = ["Budget", "Scaling", "Shape", "Updates"]


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

    kind = "scaling"
    failure = "query count grows with rows"
    stage = Stage.SCALING

    def evaluate(self, attempt: Attempt) -> Outcome:
        first, last = attempt.runs[0], attempt.runs[-1]
        if last.queries > first.queries:
            why = explain(last.log)
            return self.fail(_counts_text(attempt) + (f": {why}" if why else ""))
        counts = {run.queries for run in attempt.runs}
        if len(counts) == 1:
            return self.passed(f"{plural(first.queries, 'query', 'queries')} at each size")
        return self.passed(_counts_text(attempt))


@register
@dataclass(frozen=True)
class Budget(Check):
    """At most ``queries`` queries at every size."""

    queries: int

    kind = "budget"
    failure = "over the query budget"
    stage = Stage.BUDGET

    def evaluate(self, attempt: Attempt) -> Outcome:
        for run in attempt.runs:
            if run.queries > self.queries:
                why = explain(run.log)
                return self.fail(
                    f"{plural(run.queries, 'query', 'queries')} {attempt.where(run.size)}; the "
                    f"budget is {self.queries}"
                    + (f": {why}" if why else f". They were:\n{list_queries(run.log)}")
                )
        return self.passed(f"within the budget of {self.queries}")


@register
@dataclass(frozen=True)
class Shape(Check):
    """The SQL has the shape the lesson is about, read as SQL (``grading/sql_shape.py``:
    quoted or not, any case, aliases resolved).

    ``joins``: tables some query must read together with the rows (``select_related``:
    a JOIN), e.g. ``"shop_address"``. ``not_selected``: ``"table.column"`` no query may
    return (``only``/``defer``), e.g. ``"shop_product.description"``.
    """

    joins: tuple[str, ...] = ()
    not_selected: tuple[str, ...] = ()

    kind = "shape"
    failure = "wrong SQL shape"
    stage = Stage.BUDGET

    def evaluate(self, attempt: Attempt) -> Outcome:
        run = attempt.runs[-1]
        shapes = [(query, read(query.sql)) for query in run.log]
        for table in self.joins:
            if not any(shape.joins(table) for _, shape in shapes):
                return self.fail(
                    f"no query reads `{table}` together with the rows "
                    f"{attempt.where(run.size)}: this exercise asks for the related rows in "
                    f"the same query. Your queries:\n{list_queries(run.log)}",
                    fix="A JOIN does it: `select_related` follows a foreign key in the same query.",
                )
        for column in self.not_selected:
            table, _, name = column.partition(".")
            for number, (query, shape) in enumerate(shapes, start=1):
                if shape.selects(table, name):
                    return self.fail(
                        f"`{column}` is still selected, by query {number}: "
                        f"`{short_sql(query)}` — this exercise is about not loading it"
                    )
        return self.passed("SQL shape as asked")


def _updates(run: Run, table: str) -> list[Query]:
    return [
        query
        for query in run.log
        if query.sql.lstrip()[:6].upper() == "UPDATE" and f'"{table}"' in query.sql[:80]
    ]


@register
@dataclass(frozen=True)
class Updates(Check):
    """At most ``at_most`` UPDATE statements on ``table`` at every size (for an exercise
    with ``read_only=False``): one statement for all the rows, not one per row."""

    table: str
    at_most: int = 1

    kind = "updates"
    failure = "one UPDATE per row"
    stage = Stage.SCALING

    def evaluate(self, attempt: Attempt) -> Outcome:
        counts = [(run, _updates(run, self.table)) for run in attempt.runs]
        for _, updates in counts:
            if len(updates) > self.at_most:
                first = updates[0]
                line = f" ({first.source.short})" if first.source else ""
                sizes = ", ".join(
                    f"{plural(len(found), 'UPDATE', 'UPDATEs')} {attempt.where(each.size)}"
                    for each, found in counts
                )
                return self.fail(
                    f"{sizes}: one statement per row, like `{short_sql(first)}`{line}. "
                    f"At most {self.at_most} allowed.",
                    fix="Let the database change every row in one statement.",
                )
        most = max(len(updates) for _, updates in counts)
        return self.passed(f"{plural(most, 'UPDATE', 'UPDATEs')} at most, at every size")
