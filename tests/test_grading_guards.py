"""The runaway guards: a query cap, and a wall-clock limit that stops Python loops, blocking
calls and long SQL statements, then leaves no stray exception behind."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

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
    with pytest.raises(TimeLimitExceeded), time_limit(0.2):
        time.sleep(30)
    assert time.perf_counter() - began < 10


def test_a_long_sql_statement_is_interrupted():
    connection = sqlite3.connect(":memory:")
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    with pytest.raises((TimeLimitExceeded, sqlite3.OperationalError)):
        with time_limit(0.2, interrupt=connection.interrupt):
            connection.execute(endless).fetchall()


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
