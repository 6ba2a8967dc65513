"""Lesson 01's exercises grade measuring and diagnosing, at N and N+20 customers.

01.3 (the queries and labels of the naive mailing labels) and 01.4 (the relation and the
line of the pending totals' N+1): the reference passes; numbers typed in, the lesson's
own cell pasted, a relation or a line that is not the one — fail, naming the field that
is wrong and never its right value."""

from __future__ import annotations

import inspect

import pytest

from workshop_site import lab
from workshop_site.grading import grade
from workshop_site.grading.kinds import Diagnosis, registered_kinds
from workshop_site.grading.kinds.answers import same_relation
from workshop_site.grading.references import ref01
from workshop_site.grading.registry import get
from workshop_site.shop.models import Listing, Order

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def _line_reading_lines() -> int:
    """The line of ``Order.total`` that reads ``self.lines``: the right "line"."""
    lines, start = inspect.getsourcelines(Order.total.fget)
    return start + next(i for i, text in enumerate(lines) if "self.lines.all()" in text)


def rejected(exercise, answer, *fragments, absent=()):
    verdict = grade(exercise, answer, progress=False)
    assert (verdict.status, verdict.kind) == ("fail", "diagnosis"), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    for fragment in absent:
        assert fragment not in verdict.message, f"{fragment!r} gives the answer away"
    return verdict


def test_the_kind_is_registered_and_the_sizes_are_n_and_n_plus_20():
    assert registered_kinds()["diagnosis"] is Diagnosis
    for exercise in ("01.3", "01.4"):
        small, large = get(exercise).sizes
        assert large == small + 20


def test_a_relation_is_named_however_the_learner_writes_it():
    for typed in ("Order.lines", "order.lines", "lines", "order__lines", " LINES "):
        assert same_relation(typed, "Order.lines"), typed
    for typed in ("Order.customer", "Customer.lines", "line", 3, None):
        assert not same_relation(typed, "Order.lines"), typed


# -- 01.3: queries and labels at N and N+20 -------------------------------------------------


def test_queries_the_reference_passes():
    verdict = grade("01.3", ref01.label_costs, progress=False)
    assert verdict.passed, repr(verdict)


def test_queries_right_at_n_typed_in_fails_at_n_plus_20():
    # The right answer at N, measured on the grading data, then returned at both sizes.
    seen = {}

    def typed_in():
        if not seen:
            seen.update(ref01.label_costs())
        return dict(seen)

    verdict = rejected("01.3", typed_in, "not what the instruments show", "with")
    assert "'queries'" in verdict.message


def test_queries_the_lessons_cell_pasted_fails():
    def lesson_cell():
        def listing_titles(limit=20):
            return [item.product.title for item in Listing.objects.order_by("id")[:limit]]

        with lab.queries() as q:
            titles = listing_titles()
        return {"queries": len(q), "labels": len(titles)}

    rejected("01.3", lesson_cell, "'queries'", "`with lab.queries() as q:`")


def test_queries_swapped_and_missing_fields_fail():
    def swapped():
        found = ref01.label_costs()
        return {"queries": found["labels"], "labels": found["queries"]}

    rejected("01.3", swapped, "'queries'", "'labels'")
    rejected("01.3", lambda: {"queries": 1}, "no 'labels'")


# -- 01.4: which relation, which line --------------------------------------------------------


def test_diagnosis_the_reference_and_a_short_relation_name_pass():
    assert grade("01.4", ref01.pending_totals_diagnosis, progress=False).passed
    line = _line_reading_lines()
    assert grade("01.4", lambda: {"relation": "lines", "line": line}, progress=False).passed


def test_diagnosis_a_wrong_relation_or_the_cells_line_fails_without_the_answer():
    line = _line_reading_lines()
    rejected(
        "01.4",
        lambda: {"relation": "Order.customer", "line": line},
        "'relation' is not what the instruments show",
        absent=("Order.lines", "lines'"),
    )
    rejected(
        "01.4",
        lambda: {"relation": "Order.lines", "line": 3},
        "'line'",
        "not in your cell",
        absent=(str(line),),
    )


def test_diagnosis_the_lessons_listing_finding_pasted_fails():
    def lesson_cell():
        with lab.queries() as q:
            [item.product.title for item in Listing.objects.order_by("id")[:20]]
        finding = lab.diagnose(q)[0]
        return {"relation": finding.relation, "line": finding.source.lineno}

    rejected("01.4", lesson_cell, "'relation'", "'line'")


def test_diagnosis_a_string_instead_of_a_dict_is_told_the_shape():
    verdict = grade("01.4", lambda: "Order.lines", progress=False)
    assert verdict.status == "fail"
    assert "dict" in verdict.message
