"""A check kind for indexes: the learner declares an index, the query's plan must use it.

The learner's function returns a ``models.Index`` — what they would put in a model's
``Meta.indexes``. The check creates it on the grading data (inside the run's transaction,
so it is rolled back with everything else), reads the plan of the exercise's query
(:mod:`workshop_site.lessons.plans`), and runs the query with and without the index: the
plan must go straight to the rows (a SEARCH through the index, or a walk through a
partial index that holds only the rows asked for) and must not sort them afterwards; the
answer must not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet

from workshop_site.grading.compare import show
from workshop_site.grading.kinds import Check, Outcome, register
from workshop_site.lessons.indexes import create_index
from workshop_site.lessons.plans import INDEX_ORDER, SEARCH, Plan, plan

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["IndexServes"]

_NO_ATTEMPT = frozenset({"todo", "interrupted"})


@register
@dataclass(frozen=True)
class IndexServes(Check):
    """The index the learner returns makes ``query``'s plan go straight to its rows, in
    order, on ``model``'s table; ``query()`` builds the queryset the index is for."""

    model: type[models.Model]
    query: Callable[[], QuerySet]
    advice: str = ""

    kind = "index-serves"
    failure = "the plan does not use the index well"
    stage = 10
    uses_runs = False  # the learner's function returns an index: it is called here

    def evaluate(self, attempt: Attempt) -> Outcome:
        size = attempt.sizes[-1]
        declared = attempt.measure(attempt.submitted, size=size, raw=True)
        if declared.problem is not None:
            if declared.problem.kind in _NO_ATTEMPT:
                return Outcome(False, declared.problem.message, problem=declared.problem)
            return self._fail(declared.problem.message)
        index = declared.value
        if not isinstance(index, models.Index):
            return self._fail(
                f"your function returned {show(index)}; expected a `models.Index(fields=[...], "
                'name="...")`, as you would write it in the model\'s `Meta.indexes`'
            )
        table = self.model._meta.db_table
        without = attempt.measure(lambda: self._planned(None), size=size, raw=True)
        with_index = attempt.measure(lambda: self._planned(index), size=size, raw=True)
        if with_index.problem is not None:
            return self._fail(f"creating your index failed: {with_index.problem.message}")
        if without.problem is not None:
            raise RuntimeError(f"the exercise's query failed: {without.problem.message}")
        name, found, rows = with_index.value
        _, before, expected = without.value
        if rows != expected:
            raise RuntimeError(f"an index changed the answer of the query ({name})")
        problem = self._judge(index, name, found, table)
        if problem:
            return self._fail(
                f"{problem}\nThe plan, before: {_said(before)}; with your index: {_said(found)}"
            )
        return Outcome(
            True,
            figures=(
                f"without an index the database {_lower(before.words())}",
                f"with `{name}` it {_lower(found.words())}",
            ),
        )

    def _planned(self, index: models.Index | None) -> tuple[str, Plan, list[Any]]:
        name = create_index(self.model, index) if index is not None else ""
        queryset = self.query()
        return name, plan(queryset), list(queryset.values_list("pk", flat=True))

    def _judge(self, index: models.Index, name: str, found: Plan, table: str) -> str:
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

    def _fail(self, message: str) -> Outcome:
        return Outcome(False, f"{message}\n{self.advice}" if self.advice else message)


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:].rstrip(".")


def _said(found: Plan) -> str:
    return "`" + "; ".join(line.strip() for line in found.lines) + "`"
