"""Lesson 02's exercises, on traffic the grader sends to its own data.

02.2 (the costliest route, read from a run) and 02.3 (an alert rule that catches the bad
deploy on the partners' API): the reference passes; the answers a learner gets wrong —
the most requested route, a route typed in; a rule that always fires,
one that never does, the lesson's search rule pasted, a rule on time — fail, each saying
what it measured and not the answer. The grading data is left as it was."""

from __future__ import annotations

import pytest

from workshop_site import lab
from workshop_site.grading import grade
from workshop_site.grading.integrity import file_digest
from workshop_site.grading.kinds import CatchesBadDeploy, ReadsTraffic, registered_kinds
from workshop_site.grading.references import ref02
from workshop_site.grading.registry import get
from workshop_site.grading.sandbox import working_copy

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def graded(exercise, answer):
    verdict = grade(exercise, answer, progress=False)
    for size in get(exercise).sizes:
        target, source = working_copy(size, progress=False)
        assert file_digest(target) == file_digest(source), f"grading data changed at {size}"
    return verdict


def rejected(exercise, answer, *fragments, kind):
    verdict = graded(exercise, answer)
    assert (verdict.status, verdict.kind) == ("fail", kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    return verdict


def test_the_kinds_are_registered():
    assert registered_kinds()["reads-traffic"] is ReadsTraffic
    assert registered_kinds()["catches-bad-deploy"] is CatchesBadDeploy


# -- 02.2: the route that costs the most server time -----------------------------------------


@pytest.mark.slow
def test_costliest_route_the_reference_passes():
    verdict = graded("02.2", ref02.costliest_route)
    assert verdict.passed, repr(verdict)
    assert "'/'" in verdict.headline()


@pytest.mark.slow
def test_costliest_route_the_most_requested_route_fails():
    verdict = rejected(
        "02.2",
        lambda run: lab.route_stats(run)["requests"].idxmax(),
        "the shop's traffic (seed 32)",
        "answers '/api/cart/'",
        "Is another route's total higher?",
        kind="reads-traffic",
    )
    assert "'/'" not in verdict.message.split("answers")[1].split("and the traffic")[1]


@pytest.mark.slow
def test_costliest_route_typed_in_fails_on_the_api_traffic():
    rejected("02.2", lambda run: "/", "partners' API traffic", "no request", kind="reads-traffic")


def test_costliest_route_an_answer_that_raises_gets_a_verdict():
    verdict = graded("02.2", lambda run: run.no_such_thing)
    assert verdict.status == "fail"
    assert "AttributeError" in verdict.message


# -- 02.3: an alert rule that catches the bad deploy ---------------------------------------


def _rule(**changes):
    options = {
        "metric": "queries",
        "stat": "p95",
        "threshold": 10,
        "route": "/api/listings/",
        "window": 4,
        "for_windows": 2,
    }
    options.update(changes)
    return lambda: lab.AlertRule("mine", **options)


@pytest.mark.slow
def test_alert_the_reference_and_another_right_rule_pass():
    verdict = graded("02.3", ref02.api_alert)
    assert verdict.passed, repr(verdict)
    assert "requests after the deploy" in verdict.headline()
    # Over all routes, the mean: another rule that separates before from after.
    assert graded("02.3", _rule(route=None, stat="mean", threshold=8, window=10)).passed


@pytest.mark.slow
def test_alert_that_always_fires_fails():
    rejected(
        "02.3", _rule(threshold=0), "before the bad deploy", "healthy", kind="catches-bad-deploy"
    )


@pytest.mark.slow
def test_alert_that_never_fires_fails():
    rejected(
        "02.3", _rule(threshold=1000), "stays quiet after the bad deploy", kind="catches-bad-deploy"
    )


@pytest.mark.slow
def test_alert_the_lessons_search_rule_pasted_fails():
    rejected(
        "02.3",
        _rule(route="/search/"),
        "stays quiet",
        "not one full window",
        "/search/",
        kind="catches-bad-deploy",
    )


def test_alert_on_time_is_refused_whatever_the_machine():
    rejected("02.3", _rule(metric="duration_ms"), "depends on how busy", kind="catches-bad-deploy")


def test_alert_that_is_not_a_rule_is_told_what_to_return():
    verdict = graded("02.3", lambda: {"threshold": 10})
    assert (verdict.status, verdict.kind) == ("fail", "type"), repr(verdict)
