"""The recorder's own cost, in CPU time: an N+1 loop bare, under Django's
``CaptureQueriesContext``, and under ``lab.queries()`` (lazy loads recorded), in one run.

Run: .venv/bin/python benchmarks/capture_overhead.py
The loop reads ``customer.address`` for 1,000 customers (1,001 queries). CPU time
(``time.process_time``), not wall time: on a shared 2-core machine wall time measures the
neighbours too. The ways take turns, run after run, so a busy stretch slows them alike;
the best run of each is compared (the least disturbed is the truest).

A fourth line measures what Django's ``track_peers`` would add (each instance keeps a
weak reference to the rows of its queryset): the inspector does not turn it on, and this
says what it would cost if it did. Exits 1 when ``lab.queries()`` costs more than
1.3× the bare loop.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from workshop_site import lab

RUNS = 9
TARGET = 1.3


def n_plus_one() -> int:
    from workshop_site.shop.models import Customer

    return len([customer.address.city for customer in Customer.objects.order_by("id")])


def captured() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        n_plus_one()
    return len(context)


def recorded() -> int:
    with lab.queries() as log:
        n_plus_one()
    return len(log)


@contextmanager
def _tracking_peers() -> Iterator[None]:
    from django.db.models.fetch_modes import FetchOne

    FetchOne.track_peers = True
    try:
        yield
    finally:
        del FetchOne.track_peers  # back to the class default (FetchMode: False)


def recorded_with_peers() -> int:
    with _tracking_peers():
        return recorded()


def cpu_time(function: Callable[[], int]) -> float:
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        function()
        return time.process_time() - began
    finally:
        gc.enable()


WAYS: dict[str, Callable[[], int]] = {
    "bare loop": n_plus_one,
    "CaptureQueriesContext": captured,
    "lab.queries()": recorded,
    "lab.queries() + track_peers": recorded_with_peers,
}


def main() -> int:
    # CaptureQueriesContext reads Django's queries_log, which warns past 9,000 queries.
    warnings.filterwarnings("ignore", message="Limit for query logging exceeded")
    lab.start(size=1000, quiet=True)
    rows = n_plus_one()  # warm up: connection, SQLite page cache, Django's caches
    counts = {name: way() for name, way in WAYS.items()}
    recorders = [count for name, count in counts.items() if name != "bare loop"]
    assert set(recorders) == {rows + 1}, counts  # every recorder saw every query
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(RUNS):
        for name, way in WAYS.items():
            times[name].append(cpu_time(way))
    bare = min(times["bare loop"])
    print(
        f"N+1 loop over {rows:,} customers: {counts['lab.queries()']:,} queries, "
        f"CPU time, best of {RUNS} runs each"
    )
    for name, runs in times.items():
        best, median = min(runs) * 1000, statistics.median(runs) * 1000
        print(
            f"  {name + ':':<30}{best:7.1f} ms (median {median:6.1f} ms)  {min(runs) / bare:.2f}x"
        )
    ratio = min(times["lab.queries()"]) / bare
    print(f"lab.queries() against the bare loop: {ratio:.2f}x; target <= {TARGET}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
