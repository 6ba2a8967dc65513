"""The check-kind base: every kind exported from one place, with a stage, a label, advice
added to its failures, and one way of passing on a run that did not get through."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

import workshop_site.grading.kinds as exported
from workshop_site import grading
from workshop_site.grading.kinds import (
    Budget,
    Check,
    Result,
    Stage,
    failure_label,
    registered_kinds,
)
from workshop_site.grading.problems import Problem
from workshop_site.grading.sandbox import Run


def test_every_registered_kind_is_exported_from_the_kinds_package():
    names = {
        cls.__name__
        for cls in registered_kinds().values()
        if cls.__module__.startswith("workshop_")
    }
    assert names <= set(exported.__all__)
    assert names <= set(grading.__all__)


OURS = sorted(
    (c for c in registered_kinds().values() if c.__module__.startswith("workshop_site.")),
    key=lambda c: c.kind,
)


@pytest.mark.parametrize("cls", OURS, ids=lambda c: c.kind)
def test_each_kind_has_a_stage_a_label_and_advice(cls):
    assert isinstance(cls.stage, Stage)
    assert failure_label(cls.kind) == cls.failure
    assert "advice" in cls.__dataclass_fields__


def test_stages_sort_as_the_verdict_reads():
    assert Stage.RESULT < Stage.SCALING < Stage.BUDGET < Stage.RESOURCES < Stage.LAST
    checks = [Budget(queries=2), Result()]
    assert [c.kind for c in sorted(checks, key=lambda c: c.stage)] == ["result", "budget"]


def test_fail_adds_the_advice_and_passed_keeps_the_figures():
    assert Budget(queries=1).fail("3 queries").message == "3 queries"
    advised = Budget(queries=1, advice="Try select_related.")
    assert advised.fail("3 queries").message == "3 queries\nTry select_related."
    assert advised.passed("1 query", "fast").figures == ("1 query", "fast")
    with pytest.raises(FrozenInstanceError):
        advised.advice = "other"  # type: ignore[misc]


def _run(problem: Problem | None) -> Run:
    return Run(size=100, problem=problem)


def test_a_run_that_got_through_is_not_stopped():
    assert Result().stopped(_run(None)) is None


def test_a_stopped_run_is_passed_on_in_the_kinds_context():
    raised = Problem("raised", "your code raised KeyError: 'x'")
    outcome = Result(advice="not added").stopped(
        _run(raised), context="on the naive code", then="Run it in the notebook."
    )
    assert outcome is not None
    assert not outcome.passed
    assert outcome.problem == Problem(
        "raised", "on the naive code: your code raised KeyError: 'x'\nRun it in the notebook."
    )
    assert outcome.message == outcome.problem.message


@pytest.mark.parametrize("kind", ["todo", "usage", "interrupted"])
def test_no_attempt_is_passed_on_as_it_is(kind):
    problem = Problem(kind, "not written yet")
    outcome = Result().stopped(_run(problem), context="on the naive code")
    assert outcome is not None
    assert outcome.problem == problem


def test_a_kind_must_say_how_it_evaluates():
    class Incomplete(Check):
        kind = "incomplete"
        failure = "never"

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()  # type: ignore[abstract]
