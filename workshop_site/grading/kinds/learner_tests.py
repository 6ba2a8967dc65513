"""The kind that judges a learner's test (lesson 07): it must tell the naive code from the fixed.

The learner's function is a test taking one argument, the code under test. The grader
runs it twice on the grading data, in the sandbox (rolled back, query cap, time limit):
once with the fixed implementation, where it must pass, and once with the naive one,
where it must fail — by an assertion (``assert``, ``assertNumQueries``,
``assert_queries_flat``) or by Django's ``FieldFetchBlocked`` (``FETCH_RAISE``), the two
ways the lesson teaches a test to fail. Crashing for another reason is no catch.

Both implementations reach the test under the same name, so a test cannot tell them
apart by anything but what they do.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldFetchBlocked
from django.db import connection

from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.grading.problems import where

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["TellsNaiveFromFixed", "TestFailed"]

#: What a test that catches a problem raises: a failed assertion, or a blocked lazy load.
FAILURES: tuple[type[BaseException], ...] = (AssertionError, FieldFetchBlocked)
_WRITES = ("INSERT", "UPDATE")
_SHORT = 160


@dataclass(frozen=True)
class TestFailed:
    """The learner's test failed, as a test should on the naive code: how, and where."""

    __test__ = False  # not a pytest class

    exception: str  # "AssertionError"
    message: str  # its first line, trimmed
    line: str  # the learner's line that raised it, when known

    def __str__(self) -> str:
        return f"{self.exception}: {self.message}" if self.message else self.exception


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= _SHORT else line[: _SHORT - 1] + "…"


class _Tracker:
    """What the test did with the code under test: each call, and the writes before it."""

    def __init__(self) -> None:
        self.writes = 0
        self.calls: list[tuple[int, int]] = []  # (writes before the call, writes after it)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip()[:7].upper().startswith(_WRITES):
            self.writes += 1
        return execute(sql, params, many, context)

    def grew_between_calls(self) -> bool:
        return len(self.calls) > 1 and self.calls[-1][0] > self.calls[0][1]


def _disguised(implementation: Callable[..., Any], name: str, tracker: _Tracker) -> Any:
    """``implementation`` under ``name`` (naive and fixed look alike), its calls tracked."""

    def subject(*args: Any, **kwargs: Any) -> Any:
        before = tracker.writes
        try:
            return implementation(*args, **kwargs)
        finally:
            tracker.calls.append((before, tracker.writes))

    subject.__name__ = subject.__qualname__ = name
    return subject


def _as_outcome(
    test: Callable[[Any], Any], subject: Callable[..., Any], tracker: _Tracker
) -> Callable[[], Any]:
    """Call ``test(subject)``; its failure is a value (``TestFailed``), anything else raises."""

    def call() -> TestFailed | None:
        try:
            with connection.execute_wrapper(tracker):
                test(subject)
        except FAILURES as exc:
            return TestFailed(type(exc).__name__, _first_line(exc), where(exc))
        return None

    return call


@register
@dataclass(frozen=True)
class TellsNaiveFromFixed(Check):
    """The learner's test must fail on ``naive`` and pass on ``fixed``.

    ``name`` is what the test's argument stands for in messages ("order_summaries");
    ``data`` says what data the test must set up to exercise the code, for the advice;
    ``failing``, when given, the names of the exceptions that count as catching the naive
    code (``("FieldFetchBlocked",)``: a lazy load must raise, a count is not asked for).
    """

    naive: Callable[..., Any]
    fixed: Callable[..., Any]
    name: str
    data: str = "rows for the code to loop over"
    failing: tuple[str, ...] = ()

    kind = "tells-naive-from-fixed"
    failure = "the test does not tell the naive code from the fixed"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function is a test: it is called here, twice

    def evaluate(self, attempt: Attempt) -> Outcome:
        test = attempt.submitted
        if (wrong := self._signature_problem(test)) is not None:
            return self.fail(wrong)
        size = attempt.sizes[0]
        on_fixed, _ = self._run(attempt, self.fixed, size=size)
        if (outcome := self._crashed(on_fixed, "fixed")) is not None:
            return outcome
        on_naive, tracker = self._run(attempt, self.naive, size=size)
        if (outcome := self._crashed(on_naive, "naive")) is not None:
            return outcome
        if isinstance(on_fixed.value, TestFailed):
            return self.fail(self._fails_on_fixed(on_fixed.value))
        if not isinstance(on_naive.value, TestFailed):
            return self.fail(self._passes_on_naive(tracker))
        if self.failing and on_naive.value.exception not in self.failing:
            return self.fail(
                f"your test fails on the naive `{self.name}` by {on_naive.value}, not by "
                f"{' or '.join(f'`{name}`' for name in self.failing)}: this test must catch "
                "the lazy load itself, where it happens, with no query count to keep up to date"
            )
        return self.passed(
            f"fails on the naive `{self.name}` ({on_naive.value.exception}), passes on the "
            "fixed one"
        )

    def _run(
        self, attempt: Attempt, implementation: Callable[..., Any], *, size: int
    ) -> tuple[Run, _Tracker]:
        tracker = _Tracker()
        subject = _disguised(implementation, self.name, tracker)
        test = _as_outcome(attempt.submitted, subject, tracker)
        return attempt.measure(test, size=size, raw=True), tracker

    def _signature_problem(self, test: Callable[..., Any]) -> str | None:
        try:
            inspect.signature(test).bind(object())
        except TypeError:
            return (
                f"your test must take the code to test as its one argument: "
                f"`def test_…({self.name}):`, and call `{self.name}(…)` inside"
            )
        except ValueError:  # no signature to read (a builtin): let the call decide
            return None
        return None

    def _crashed(self, run: Run, version: str) -> Outcome | None:
        return self.stopped(
            run,
            context=f"on the {version} `{self.name}`",
            then="A test catches a regression by failing — an `assert`, `assertNumQueries`, "
            "`assert_queries_flat`, or `FETCH_RAISE`'s `FieldFetchBlocked` — not by "
            "crashing. Run your test on both versions in the notebook to see it.",
        )

    def _fails_on_fixed(self, failed: TestFailed) -> str:
        at = f" ({failed.line})" if failed.line else ""
        return (
            f"your test fails on the fixed `{self.name}` too — {failed}{at}. A pin must "
            f"pass on code that is right: is the number you expect the fixed code's count?"
        )

    def _passes_on_naive(self, tracker: _Tracker) -> str:
        name = self.name
        lines = [f"your test passes on the naive `{name}`: it misses its N+1."]
        if not tracker.calls:
            lines.append(f"It never calls `{name}`: call it, and assert on what it runs.")
        elif len(tracker.calls) == 1:
            lines.append(
                f"It calls `{name}` once, so it sees one size of data, where a count can match "
                f"the naive code's by chance. Pin the count on {self.data}, add 20 rows, pin "
                f"it again: `assert_queries_flat(..., grow=...)` does both."
            )
        elif not tracker.grew_between_calls():
            lines.append(
                f"It calls `{name}` {len(tracker.calls)} times on the same data: add rows "
                f"between the calls, so that an N+1 shows as a count that grows."
            )
        else:
            lines.append(
                f"It adds rows between its calls: does it assert that the query count stays "
                f"the same? Does its data make the code loop ({self.data})?"
            )
        return "\n".join(lines)
