"""Kinds that judge calls to the shop's partners (lesson 08): a partner call that must fall
back in time, a learner's cassette test that must pin the partner's answer, and a
learner's test that must replace a partner call by a mock and still check the call.

Both call the learner's function themselves (``uses_runs = False``), against a partner
service of their own on a free loopback port, with ``settings.PARTNERS`` pointed at it for
the check only; each call runs under the grader's guards (``attempt.measure``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.test import override_settings

from workshop_site.external import PartnerService
from workshop_site.external.cassettes import holds_secret
from workshop_site.grading.compare import show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.grading.problems import NOT_ATTEMPTS

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = [
    "CassetteTest",
    "FallsBackInTime",
    "MockedCallTest",
    "change_recorded_answers",
    "partners_at",
]


@contextmanager
def partners_at(url: str) -> Iterator[None]:
    """``settings.PARTNERS`` pointed at ``url`` for the block."""
    with override_settings(PARTNERS={**settings.PARTNERS, "URL": url}):
        yield


def _measure(attempt: Attempt, call: Callable[[], Any]) -> Run:
    return attempt.measure(call, size=attempt.sizes[0], raw=True)


@register
@dataclass(frozen=True)
class FallsBackInTime(Check):
    """Called with ``args``, the learner's function gives the reference's answer while
    ``partner`` answers, and returns ``fallback`` within ``budget`` seconds while it hangs
    and while it answers 503."""

    partner: str
    fallback: Any
    args: tuple[Any, ...] = ()
    budget: float = 1.0

    kind = "partner-fallback"
    failure = "does not fall back in time"
    stage = Stage.RESULT
    uses_runs = False

    def evaluate(self, attempt: Attempt) -> Outcome:
        # The partner holds a hanging request a second past the budget, then answers: a
        # call without a timeout ends, late, and is reported as too slow.
        with PartnerService(hang_limit=self.budget + 1.0) as service, partners_at(service.url):
            healthy = _measure(attempt, lambda: attempt.submitted(*self.args))
            answering = f"with the {self.partner} partner answering"
            if (stopped := self.stopped(healthy, context=answering)) is not None:
                return stopped
            expected = _measure(attempt, lambda: attempt.exercise.reference(*self.args))
            if expected.problem is not None:
                raise RuntimeError(f"the reference failed: {expected.problem.message}")
            if healthy.value != expected.value:
                return self.fail(
                    f"with the {self.partner} partner answering, your function returned "
                    f"{show(healthy.value)}; the partner's answer is {show(expected.value)}"
                )
            seconds = {}
            for label, behaviour in (
                ("hanging", {"hang": True}),
                ("answering 503", {"failure_rate": 1.0}),
            ):
                with service.behaving(self.partner, **behaviour):
                    run = _measure(attempt, lambda: attempt.submitted(*self.args))
                failed = self._judge(run, label)
                if failed is not None:
                    return failed
                seconds[label] = run.seconds
        return self.passed(
            f"the partner's answer in {healthy.seconds * 1000:.0f} ms",
            f"the fallback in {seconds['hanging']:.2f} s with the partner hanging "
            f"(budget {self.budget:g} s)",
        )

    def _judge(self, run: Run, label: str) -> Outcome | None:
        when = f"with the {self.partner} partner {label}"
        if run.problem is not None and run.problem.kind == "timeout":
            return self.fail(
                f"{when}, your function was still waiting when the grader stopped it: "
                "`requests` waits as long as the partner does unless you pass "
                "`timeout=(connect, read)`"
            )
        if run.problem is not None:
            return self.fail(
                f"{when}, {run.problem.message}\nCatch `requests.RequestException` (timeouts "
                "and connection errors derive from it) and return the fallback."
            )
        if run.seconds > self.budget:
            return self.fail(
                f"{when}, your function took {run.seconds:.2f} s (budget {self.budget:g} s): "
                "the partner let go after its hang limit, your code did not stop waiting "
                "earlier. Pass `timeout=(connect, read)` to the call."
            )
        if run.value != self.fallback:
            return self.fail(
                f"{when}, your function returned {show(run.value)} in {run.seconds:.2f} s; "
                f"expected the fallback {show(self.fallback)}"
            )
        return None


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str) and "." in value:  # an amount ("6.18"), not a postcode
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return f"{number + 1:f}" if number.is_finite() else value
    if isinstance(value, list):
        return [_changed(item) for item in value]
    if isinstance(value, dict):
        return {key: _changed(item) for key, item in value.items()}
    return value


def change_recorded_answers(cassette: Path) -> list[str]:
    """Add 1 to every number in the cassette's JSON answers (decimal amounts written as
    strings too) and rewrite it; what changed, as "price: '6.75' → '7.75'"."""
    from vcr.serializers import yamlserializer

    data = yamlserializer.deserialize(cassette.read_text(encoding="utf-8"))
    changes: list[str] = []
    for interaction in data["interactions"]:
        response = interaction["response"]
        body = response["body"]["string"]
        text = body.decode() if isinstance(body, bytes) else body
        try:
            answer = json.loads(text)
        except ValueError:
            continue
        if not isinstance(answer, dict):
            continue
        changed = _changed(answer)
        changes += [
            f"{key}: {answer[key]!r} → {changed[key]!r}"
            for key in answer
            if changed[key] != answer[key]
        ]
        new_text = json.dumps(changed)
        response["body"]["string"] = new_text.encode() if isinstance(body, bytes) else new_text
        for name in response.get("headers", {}):
            if name.lower() == "content-length":
                response["headers"][name] = [str(len(new_text.encode()))]
    cassette.write_text(yamlserializer.serialize(data), encoding="utf-8")
    return changes


@register
@dataclass(frozen=True)
class CassetteTest(Check):
    """The learner's test, ``fn(cassette, record_mode=...)``: records the partners' answer
    into ``cassette`` (``record_mode="once"``, partners running), keeps no API key there,
    passes replaying it with the partners stopped (its default record mode), and fails
    once the recorded answer is changed."""

    kind = "cassette-test"
    failure = "the test does not pin the recorded answer"
    stage = Stage.RESULT
    uses_runs = False

    def evaluate(self, attempt: Attempt) -> Outcome:
        with tempfile.TemporaryDirectory(prefix="cassette-check-") as folder:
            cassette = Path(folder) / "shipping.yaml"
            service = PartnerService()
            with service, partners_at(service.url):
                recorded = _measure(
                    attempt, lambda: attempt.submitted(cassette, record_mode="once")
                )
                url, received = service.url, len(service.hits())
            recording = 'recording (record_mode="once", partners running)'
            if (stopped := self.stopped(recorded, context=recording)) is not None:
                return stopped
            failed = self._recording(recorded, cassette, received)
            if failed is not None:
                return failed
            with partners_at(url):  # the same address, nobody listening there any more
                replayed = _measure(attempt, lambda: attempt.submitted(cassette))
                if replayed.problem is not None:
                    return self.fail(
                        f"replaying the cassette with the partners stopped, "
                        f"{replayed.problem.message}\nIn the replay, use "
                        '`record_mode="none"` (the default of your `record_mode` parameter) and '
                        "make exactly the requests you recorded."
                    )
                changes = change_recorded_answers(cassette)
                tampered = _measure(attempt, lambda: attempt.submitted(cassette))
        return self._tampered(tampered, changes, received)

    def _recording(self, recorded: Run, cassette: Path, received: int) -> Outcome | None:
        if not cassette.exists() or received == 0:
            return self.fail(
                f"your test recorded nothing into the cassette it was given ({received} "
                "request(s) reached the partners): call the client inside "
                "`vcr.use_cassette(cassette, record_mode=record_mode)`"
            )
        if holds_secret(cassette, str(settings.PARTNERS["API_KEY"])):
            return self.fail(
                "the cassette stores the partners' API key (the `Authorization` header): "
                'record with `filter_headers=[("authorization", "<hidden>")]`'
            )
        return None

    def _tampered(self, tampered: Run, changes: list[str], received: int) -> Outcome:
        what = "; ".join(changes) or "nothing: the answer had no number"
        if tampered.problem is None:
            return self.fail(
                f"your test still passes after the recorded answer changed ({what}): "
                "assert on the values the client returns, not only that it returns"
            )
        if "AssertionError" not in tampered.problem.message:
            return self.fail(
                f"after the recorded answer changed ({what}), your test failed, but not on an "
                f"assertion: {tampered.problem.message}"
            )
        return self.passed(
            f"recorded {received} request(s)",
            "passed replaying with the partners stopped",
            f"failed when the answer changed ({what})",
        )


@register
@dataclass(frozen=True)
class MockedCallTest(Check):
    """The learner's test, ``fn(subject)``: with ``subject`` the shop's function it must pass
    without a single request reaching ``partner``; with each of ``wrong`` (what it does
    wrong, a function that does it) under the same name, it must fail on an assertion."""

    subject: Callable[..., Any]
    name: str
    partner: str
    wrong: tuple[tuple[str, Callable[..., Any]], ...]

    kind = "mocked-call-test"
    failure = "the test does not check the partner call"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function is a test: it is called here

    def evaluate(self, attempt: Attempt) -> Outcome:
        test = attempt.submitted
        with PartnerService() as service, partners_at(service.url):
            right = _measure(attempt, lambda: test(_named(self.subject, self.name)))
            not_yet = self.stopped(right) if _not_an_attempt(right) else None
            if not_yet is not None:
                return not_yet  # the stub, a ^C: no attempt yet
            reached = len(service.hits())
            if reached:
                return self.fail(
                    f"your test let {reached} request(s) reach the {self.partner} partner: "
                    "a test with a mock makes no network call",
                    fix="Patch the call where the code looks it up, around the call of the "
                    "function under test.",
                )
            if right.problem is not None:
                return self.fail(
                    f"your test fails on the shop's own `{self.name}`, which is right: "
                    f"{right.problem.message.splitlines()[0]}"
                )
            for what, function in self.wrong:
                run = _measure(attempt, partial(test, _named(function, self.name)))
                if run.problem is None:
                    return self.fail(
                        f"your test still passes when `{self.name}` {what}",
                        fix="Check how the mock was called (`assert_called_once_with`), and "
                        "what the function returned.",
                    )
                if "AssertionError" not in run.problem.message:
                    return self.fail(
                        f"when `{self.name}` {what}, your test fails, but not on an "
                        f"assertion: {run.problem.message.splitlines()[0]}"
                    )
        return self.passed(
            f"passed on the shop's `{self.name}` with no request to the {self.partner} partner",
            *(f"failed when `{self.name}` {what}" for what, _ in self.wrong),
        )


def _not_an_attempt(run: Run) -> bool:
    return run.problem is not None and run.problem.kind in NOT_ATTEMPTS


def _named(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``function`` under ``name``: the right and the wrong versions look alike."""

    def subject(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    subject.__name__ = subject.__qualname__ = name
    return subject
