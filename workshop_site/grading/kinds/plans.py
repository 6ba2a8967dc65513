"""The kind that judges a query's plan: the learner declares an index, the plan must use it.

The learner's function returns a ``models.Index`` — what they would put in a model's
``Meta.indexes``. :class:`IndexServes` creates it on the grading data (inside the run's
transaction, so it is rolled back with everything else), reads the plan of the exercise's
query (:mod:`workshop_site.lab.query_plans`), and runs the query with and without the index:
the plan must go straight to the rows (a SEARCH through the index, or a walk through a
partial index that holds only the rows asked for) and must not sort them afterwards; the
answer must not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from workshop_site.grading.compare import show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from workshop_site.grading.attempt import Attempt
    from workshop_site.lab.query_plans import Plan

__all__ = ["IndexServes"]


@register
@dataclass(frozen=True)
class IndexServes(Check):
    """The index the learner returns makes ``query``'s plan go straight to its rows, in
    order, on ``model``'s table; ``query()`` builds the queryset the index is for."""

    model: type[models.Model]
    query: Callable[[], QuerySet[Any]]

    kind = "index-serves"
    failure = "the plan does not use the index well"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function returns an index: it is called here

    def evaluate(self, attempt: Attempt) -> Outcome:
        size = attempt.sizes[-1]
        declared = attempt.measure(attempt.submitted, size=size, raw=True)
        if (stopped := self.stopped(declared)) is not None:
            return stopped
        index = declared.value
        if not isinstance(index, models.Index):
            return self.fail(
                f"your function returned {show(index)}; expected a `models.Index(fields=[...], "
                'name="...")`, as you would write it in the model\'s `Meta.indexes`'
            )
        table = self.model._meta.db_table
        without = attempt.measure(lambda: self._planned(None), size=size, raw=True)
        with_index = attempt.measure(lambda: self._planned(index), size=size, raw=True)
        if (stopped := self.stopped(with_index, context="creating your index failed")) is not None:
            return stopped
        if without.problem is not None:
            raise RuntimeError(f"the exercise's query failed: {without.problem.message}")
        name, found, rows = with_index.value
        _, before, expected = without.value
        if rows != expected:
            raise RuntimeError(f"an index changed the answer of the query ({name})")
        problem = self._judge(index, name, found, table)
        if problem:
            return self.fail(
                f"{problem}\nThe plan, before: {_said(before)}; with your index: {_said(found)}"
            )
        return self.passed(
            f"without an index the database {_lower(before.words())}",
            f"with `{name}` it {_lower(found.words())}",
        )

    def _planned(self, index: models.Index | None) -> tuple[str, Plan, list[Any]]:
        from workshop_site.lab.indexes import create_index
        from workshop_site.lab.query_plans import plan

        name = create_index(self.model, index) if index is not None else ""
        queryset = self.query()
        return name, plan(queryset), list(queryset.values_list("pk", flat=True))

    def _judge(self, index: models.Index, name: str, found: Plan, table: str) -> str:
        from workshop_site.lab.query_plans import INDEX_ORDER, SEARCH

        step = found.step(table)
        fields = ", ".join(index.fields)
        if step is None or step.index != name:
            return (
                f"the database does not use your index `{name}` ({fields}) for this query: it "
                f"{_lower(found.words())}. An index helps a filter when "
                "the filtered column comes first (a partial index: when its condition is the "
                "query's filter)."
            )
        if step.how == INDEX_ORDER and index.condition is None:
            return (
                f"the database reads your index `{name}` ({fields}) from start to end, "
                "checking each row's status: your index starts with a column the query does "
                "not filter on. Put the filtered column first."
            )
        if found.sorts:
            return (
                f"your index `{name}` ({fields}) finds the rows, but the database still sorts "
                "them afterwards: add the ordering column to the index, after the filtered "
                "one, so the rows come out of the index already in order."
            )
        if step.how not in (SEARCH, INDEX_ORDER):
            return f"the plan reads {table} without your index: {found.words()}"
        return ""


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:].rstrip(".")


def _said(found: Plan) -> str:
    return "`" + "; ".join(line.strip() for line in found.lines) + "`"
