"""The runaway guards: a query cap, and a wall-clock limit that stops Python loops, blocking
calls and long SQL statements, then leaves no stray exception behind."""

from __future__ import annotations

import signal
import sqlite3
import sys
import threading
import time

import pytest

from workshop_site.grading import guards
from workshop_site.grading.guards import (
    QueryCap,
    QueryCapExceeded,
    TimeLimitExceeded,
    time_limit,
)


def _spin() -> None:
    while True:
        pass


def test_a_python_loop_is_stopped():
    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        _spin()
    assert watchdog.fired


def test_a_blocking_sleep_is_stopped():
    began = time.perf_counter()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        time.sleep(30)
    assert time.perf_counter() - began < 10
    if guards._cpu_clock(threading.get_ident()) is not None:
        assert watchdog.waited is not None  # the wall clock ended it: a message says waiting
        assert watchdog.waited >= 0.2 * 2
        assert watchdog.computed < 0.2


def test_a_long_sql_statement_is_interrupted():
    connection = sqlite3.connect(":memory:")
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    with pytest.raises((TimeLimitExceeded, sqlite3.OperationalError)):
        with time_limit(0.2, interrupt=connection.interrupt):
            connection.execute(endless).fetchall()


def _compute(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_limit_reached_in_a_sqlite_callback_still_stops_the_code(monkeypatch):
    # SQLite discards what a callback raises, and the grader's own trace callback runs on
    # every statement of the learner's code: the exception, raised in there, was lost, and
    # a slow N+1 answer ran on unstopped until the next round. Here rounds are 30 s apart:
    # only the lost exception can bring the next one in time.
    monkeypatch.setattr(guards, "_REPEAT_SECONDS", 30.0)
    connection = sqlite3.connect(":memory:")
    connection.set_trace_callback(lambda sql: _spin())  # ended by the limit's exception only
    after: list[int] = []

    def query_then_compute() -> None:
        connection.execute("SELECT 1")
        for _ in range(30):  # 0.3 s more of CPU time
            _compute(0.01)
            after.append(1)

    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        query_then_compute()
    assert watchdog.fired
    assert len(after) < 30
    _kernel_is_usable()


@pytest.mark.slow
def test_code_that_swallows_the_exception_is_stopped_again():
    swallowed = []

    def stubborn() -> None:
        while len(swallowed) < 2:
            try:
                _spin()
            except BaseException as exc:  # what a careless learner writes
                swallowed.append(exc)

    with pytest.raises(TimeLimitExceeded), time_limit(0.2):  # noqa: PT012 - both must run
        stubborn()
        _spin()
    assert swallowed


def test_nothing_fires_after_a_quick_block_or_after_a_timeout():
    with time_limit(0.2):
        total = sum(range(1000))
    assert total == 499500
    with pytest.raises(TimeLimitExceeded), time_limit(0.1):
        _spin()
    # Longer than the watchdog's repeat interval: a stray exception would land here.
    deadline = time.perf_counter() + 0.8
    while time.perf_counter() < deadline:
        pass


def test_works_outside_the_main_thread():
    outcome = []

    def worker() -> None:
        try:
            with time_limit(0.2):
                _spin()
        except TimeLimitExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert outcome == ["stopped"]


def test_the_query_cap_raises_past_the_cap_and_keeps_raising():
    cap = QueryCap(2)

    def execute(sql, params, many, context):
        return "ran"

    assert cap(execute, "SELECT 1", (), False, {}) == "ran"
    assert cap(execute, "SELECT 1", (), False, {}) == "ran"
    for _ in range(2):
        with pytest.raises(QueryCapExceeded):
            cap(execute, "SELECT 1", (), False, {})
    assert cap.tripped
    # Derived from BaseException: a learner's ``except Exception`` does not swallow it.
    assert not issubclass(QueryCapExceeded, Exception)
    assert not issubclass(TimeLimitExceeded, Exception)


# -- answers that fight the time limit: a verdict within the limit plus a few seconds ------


def _retrying_forever() -> None:
    while True:
        try:
            _spin()
        except:  # noqa: E722 - the learner's retry loop this guard must get out of
            continue


def _retrying_a_sleep_forever() -> None:
    while True:
        try:
            time.sleep(0.05)
        except:  # noqa: E722
            continue


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
@pytest.mark.parametrize("loop", [_retrying_forever, _retrying_a_sleep_forever])
def test_a_bare_except_retry_loop_is_left(loop):
    began = time.perf_counter()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        loop()
    assert watchdog.fired
    assert time.perf_counter() - began < 3
    _kernel_is_usable()


def _ignoring_the_alarm(then, *, signals=(signal.SIGALRM,)) -> None:
    for number in signals:
        signal.signal(number, signal.SIG_IGN)
    then()


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_code_that_ignores_the_alarm_is_still_stopped():
    began = time.perf_counter()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        _ignoring_the_alarm(lambda: time.sleep(30))  # a blocking call: SIGVTALRM ends it
    assert watchdog.alarm_replaced
    assert time.perf_counter() - began < 3
    _kernel_is_usable()


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_a_loop_that_ignores_the_alarm_and_swallows_everything_is_left():
    with pytest.raises(TimeLimitExceeded), time_limit(0.2) as watchdog:
        _ignoring_the_alarm(_retrying_a_sleep_forever)
    assert watchdog.fired
    assert watchdog.alarm_replaced
    _kernel_is_usable()


@pytest.mark.slow
def test_a_call_that_cannot_be_interrupted_gets_a_notice(capsys):
    # Both signals off and a blocking call: nothing from inside the process ends it. The
    # watchdog says what to do; here the call ends by itself after 4.5 s (the limit: at
    # most 0.4 s of wall clock for code that waits; the notice: 3 s later).
    both = (signal.SIGALRM, signal.SIGVTALRM)
    with pytest.raises(TimeLimitExceeded), time_limit(0.1):
        _ignoring_the_alarm(lambda: time.sleep(4.5), signals=both)
    notice = capsys.readouterr().err
    assert "Python cannot interrupt" in notice
    assert "Kernel → Restart Kernel" in notice
    _kernel_is_usable()


def _kernel_is_usable() -> None:
    """After a guarded block: the alarm handler is what it was, no line trap is left, no
    exception is pending."""
    for number in (signal.SIGALRM, signal.SIGVTALRM):
        assert signal.getsignal(number) in (signal.SIG_DFL, signal.SIG_IGN, None)
    assert all(sys.monitoring.get_tool(tool) != "workshop grader" for tool in range(6))
    deadline = time.perf_counter() + 0.8
    while time.perf_counter() < deadline:
        pass


@pytest.mark.parametrize(("load", "seconds"), [(0.0, 6.0), (6.0, 9.0), (40.0, 12.0)])
def test_the_wall_clock_stops_any_code_at_two_to_four_times_its_limit(monkeypatch, load, seconds):
    # The limit itself counts CPU time, which a busy machine does not stretch; the wall
    # clock is the backstop for code that waits, and grows with the load per CPU.
    monkeypatch.setattr(guards.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(guards.os, "cpu_count", lambda: 2)
    assert guards._wall_seconds(3.0) == seconds
