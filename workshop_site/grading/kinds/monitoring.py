"""The kinds that judge monitoring work (lesson 02, measure first), on traffic sent here.

- :class:`ReadsTraffic`: the learner's function reads a traffic run (its one argument)
  and must say what the reference says *about the same run*: several runs, each with
  other traffic, so that every part of the question matters. Learner and reference read
  the same recorded durations, so the verdict does not depend on how busy the machine
  was while the traffic ran.
- :class:`CatchesBadDeploy`: the learner's function returns an alert rule; traffic with
  a bad deploy half-way is sent on the grading data, and the rule must stay quiet before
  the deploy and fire after it. Rules on counts only (queries, errors): a rule on time
  would get another verdict on a busier machine.

Traffic is sent in the grader's sandbox (the grading data, rolled back), with the
exercise's time limit and query cap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workshop_site.grading.compare import show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.lab.visitors import TrafficRun

__all__ = ["CatchesBadDeploy", "ReadsTraffic", "Traffic"]


@dataclass(frozen=True)
class Traffic:
    """One traffic run to send: ``lab.traffic(n=n, seed=seed, ...)``; ``pages``: the URL
    names visited (default: the whole shop's mix)."""

    n: int
    seed: int
    pages: tuple[str, ...] = ()
    bad_deploy_at: int | None = None
    label: str = ""  # how messages name it: "the partners' API traffic"

    def send(self) -> TrafficRun:
        from workshop_site.lab.visitors import MIX, traffic

        return traffic(
            n=self.n,
            seed=self.seed,
            mix=self.pages or MIX,
            bad_deploy_at=self.bad_deploy_at,
            progress=False,
        )

    def describe(self) -> str:
        return self.label or f"traffic of {self.n} requests (seed {self.seed})"


def _sent(check: Check, attempt: Attempt, traffic: Traffic) -> TrafficRun:
    """``traffic`` sent on the smallest grading data; the grader's own run: never fails
    for the learner (an error here is the exercise's)."""
    run = attempt.measure(traffic.send, size=attempt.sizes[0], raw=True)
    if run.problem is not None:
        raise RuntimeError(
            f"{attempt.exercise.id}: {check.kind} could not send {traffic.describe()}: "
            f"{run.problem.message}"
        )
    sent: TrafficRun = run.value
    return sent


def _reading(function: Callable[[Any], Any], run: TrafficRun) -> Callable[[], Any]:
    """``function`` called with ``run``: what the grader's sandbox runs."""

    def read() -> Any:
        return function(run)

    return read


@register
@dataclass(frozen=True)
class ReadsTraffic(Check):
    """The learner's ``function(run)`` returns what the reference returns for each of
    ``runs``; ``explain(run, answer)`` says what the learner's answer measured in that run
    (where to look), never the right answer."""

    runs: tuple[Traffic, ...]
    explain: Callable[[Any, Any], str] | None = None

    kind = "reads-traffic"
    failure = "not what the traffic shows"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function takes a run: called here

    def evaluate(self, attempt: Attempt) -> Outcome:
        found = []
        for traffic in self.runs:
            run = _sent(self, attempt, traffic)
            expected = attempt.exercise.reference(run)
            mine = attempt.measure(_reading(attempt.submitted, run), size=attempt.sizes[0])
            if (stopped := self.stopped(mine, context=f"on {traffic.describe()}")) is not None:
                return stopped
            if mine.value != expected:
                said = self.explain(run, mine.value) if self.explain else ""
                return self.fail(
                    f"on {traffic.describe()} your function answers {show(mine.value)}, "
                    "and the traffic says otherwise" + (f": {said}" if said else ".")
                )
            found.append(f"{show(mine.value)} on {traffic.describe()}")
        return self.passed("right: " + "; ".join(found))


@register
@dataclass(frozen=True)
class CatchesBadDeploy(Check):
    """The learner's rule (an ``AlertRule``) stays quiet before ``traffic``'s bad deploy
    and fires after it, on every run of ``runs``."""

    runs: tuple[Traffic, ...]
    metrics: tuple[str, ...] = ("queries", "error")

    kind = "catches-bad-deploy"
    failure = "the alert misses the bad deploy"
    stage = Stage.RESULT

    def evaluate(self, attempt: Attempt) -> Outcome:
        from workshop_site.lab.alert_rules import alert

        size = attempt.sizes[0]
        ran = attempt.runs[0] if attempt.runs else attempt.measure(attempt.submitted, size=size)
        if (stopped := self.stopped(ran, context="your function")) is not None:
            return stopped
        rule = ran.value
        if rule.metric not in self.metrics:
            return self.fail(
                f"your rule watches `{rule.metric}`: time depends on how busy the machine is, "
                "so the same traffic would breach it on one machine and not on another (and "
                f"this check could not give the same verdict twice). Watch a count: "
                f"{' or '.join(f'`{m}`' for m in self.metrics)}."
            )
        figures = []
        for traffic in self.runs:
            run = _sent(self, attempt, traffic)
            deploy = traffic.bad_deploy_at
            assert deploy is not None, "a CatchesBadDeploy traffic has a bad deploy"
            result = alert(rule, run)
            windows = result.windows
            before = windows[windows["last_request"] < deploy]
            after = windows[windows["last_request"] >= deploy]
            early = before[before["firing"]]
            if not early.empty:
                first = early.iloc[0]
                return self.fail(
                    f"on {traffic.describe()} your rule fires at request #{first['last_request']}"
                    f", before the bad deploy at #{deploy}: {rule.stat} of {rule.metric} = "
                    f"{first['value']:.3g} > {rule.threshold:g} while the shop was healthy. "
                    "Compare the route's numbers before and after the deploy "
                    '(`lab.route_stats(run, by=["route", "release"])`).'
                )
            if not result.fired:
                if windows.empty:
                    why = (
                        f"not one full window of {rule.window} requests"
                        + (f" on `{rule.route}`" if rule.route else "")
                        + " in the traffic (which routes does it visit?)"
                    )
                else:
                    peak = after["value"].max() if not after.empty else windows["value"].max()
                    why = (
                        f"its highest window after the deploy is {peak:.3g}, not above "
                        f"{rule.threshold:g} for {rule.for_windows} windows in a row"
                    )
                return self.fail(
                    f"on {traffic.describe()} your rule stays quiet after the bad deploy at "
                    f"request #{deploy}: {why}."
                )
            quiet = before["value"].max() if not before.empty else float("nan")
            fired_at = result.fired_at or deploy
            figures.append(
                f"{traffic.describe()}: fired at request #{fired_at}, "
                f"{fired_at - deploy} requests after the deploy (before it, the "
                f"highest window was {quiet:.3g})"
            )
        return self.passed(*figures)
