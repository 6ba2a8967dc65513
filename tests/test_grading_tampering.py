"""Cheap tampering, closed: the verdict, the check kinds and the registry cannot be
changed from a learner's cell, and the expected result is computed before the learner's
code runs. (What remains possible on purpose is listed in docs/grading.md.)"""

from __future__ import annotations

import dataclasses
import sys

import pytest

from workshop_site.grading import Budget, Exercise, Result, Verdict, grade
from workshop_site.grading.kinds import Check
from workshop_site.grading.registry import UnknownExercise, all_exercises, get
from workshop_site.shop.models import Customer

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def test_a_failed_verdict_cannot_be_made_to_show_a_pass():
    verdict = Verdict("01.1", "Mailing labels", "fail", reason="wrong result")
    with pytest.raises(AttributeError, match="cannot be changed"):
        Verdict.passed = property(lambda self: True)  # type: ignore[method-assign,assignment]
    with pytest.raises(AttributeError, match="cannot be changed"):
        Verdict.headline = lambda self: "✅"  # type: ignore[method-assign]
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.status = "pass"  # type: ignore[misc]
    assert not verdict.passed
    assert repr(verdict).startswith("❌")


def test_the_check_kinds_cannot_be_patched():
    for kind in (Check, Result, Budget):
        with pytest.raises(AttributeError, match="cannot be changed"):
            kind.evaluate = lambda self, attempt: None  # type: ignore[method-assign]
    with pytest.raises(AttributeError, match="cannot be changed"):
        Check.fail = lambda self, message: None  # type: ignore[method-assign]


def test_the_registry_is_read_only():
    exercises = all_exercises()
    with pytest.raises(TypeError):
        exercises["01.3"] = dataclasses.replace(  # type: ignore[index]
            exercises["01.3"], checks=()
        )
    with pytest.raises(dataclasses.FrozenInstanceError):
        get("01.3").checks = ()  # type: ignore[misc]
    assert get("01.3").checks


def test_an_unknown_id_suggests_the_one_it_means_first():
    with pytest.raises(UnknownExercise) as unknown:
        get("0.1")
    assert str(unknown.value).startswith("there is no exercise '0.1'; known: 00.1, 00.2")
    with pytest.raises(UnknownExercise) as unknown:
        get("3.2")
    assert "known: 03.2, 03.1, 03.3" in str(unknown.value)


# -- the reference runs first --------------------------------------------------------------

NEWEST = 5  # what the statement asks for; the learner's code below changes it


def newest_customers():
    return list(Customer.objects.order_by("-created_at").values_list("name", flat=True)[:NEWEST])


NEWEST_CUSTOMERS = Exercise(
    id="91.1",
    title="The newest customers",
    reference=newest_customers,
    returns=list,
    checks=(Result(ordered=True), Budget(queries=1)),
)


def newest_customers_moving_the_goalposts():
    module = sys.modules[__name__]
    module.NEWEST = 2  # type: ignore[attr-defined]
    return list(Customer.objects.order_by("-created_at").values_list("name", flat=True)[:2])


def test_a_constant_the_learners_code_changes_does_not_change_the_expected_result():
    try:
        verdict = grade(NEWEST_CUSTOMERS, newest_customers_moving_the_goalposts, progress=False)
    finally:
        sys.modules[__name__].NEWEST = 5  # type: ignore[attr-defined]
    assert (verdict.status, verdict.kind) == ("fail", "result"), repr(verdict)
    assert "expected 5 items, got the first 2 of them" in verdict.message
