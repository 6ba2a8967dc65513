"""Lesson 02's exercises, on traffic the grader sends to its own data.

02.2 (the costliest route, read from a run) and 02.3 (an alert rule that catches the bad
deploy on the partners' API): the reference passes; the answers a learner gets wrong —
the most requested route, the slowest one, a route typed in; a rule that always fires,
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

#: The costliest route of the shop's traffic the grader sends (see ex02.SHOP_PAGES).
COSTLIEST = "/products/<str:slug>/"


@pytest.mark.slow
def test_costliest_route_the_reference_passes_and_the_shops_traffic_tells_the_three_apart():
    runs = []

    def reference(run):
        runs.append(run)
        return ref02.costliest_route(run)

    verdict = graded("02.2", reference)
    assert verdict.passed, repr(verdict)
    assert f"{COSTLIEST!r} on the shop's traffic" in verdict.headline()
    # By construction, not by luck of the timing: the most requested route, the slowest
    # and the costliest are three routes, apart by their counts (each query a round trip).
    stats = lab.route_stats(runs[0])
    most_requested, slowest = stats["requests"].idxmax(), stats["mean_ms"].idxmax()
    costliest = stats["total_ms"].idxmax()
    assert len({most_requested, slowest, costliest}) == 3, stats
    queries = stats["queries_per_request"] * stats["requests"]
    assert queries[costliest] >= 2 * queries.drop(costliest).max(), stats
    per_request = stats["queries_per_request"]
    assert per_request[slowest] >= 2 * per_request.drop(slowest).max(), stats
    assert stats["requests"][most_requested] >= 2 * stats["requests"][costliest], stats


@pytest.mark.slow
def test_costliest_route_the_most_requested_route_fails():
    verdict = rejected(
        "02.2",
        lambda run: lab.route_stats(run)["requests"].idxmax(),
        "the shop's traffic (seed 129)",
        "answers '/api/cart/'",
        "Is another route's total higher?",
        kind="reads-traffic",
    )
    assert COSTLIEST not in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("duration", ["mean_ms", "p95_ms"])
def test_costliest_route_the_slowest_route_fails(duration):
    verdict = rejected(
        "02.2",
        lambda run: lab.route_stats(run)[duration].idxmax(),
        "the shop's traffic (seed 129)",
        "answers '/'",
        "Is another route's total higher?",
        kind="reads-traffic",
    )
    assert COSTLIEST not in verdict.message


@pytest.mark.slow
def test_costliest_route_typed_in_fails_on_the_api_traffic():
    rejected(
        "02.2", lambda run: COSTLIEST, "partners' API traffic", "no request", kind="reads-traffic"
    )


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
