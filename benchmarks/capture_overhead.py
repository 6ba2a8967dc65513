"""The recorder's own cost: an N+1 loop with and without ``lab.queries()``, in one run.

Run: .venv/bin/python benchmarks/capture_overhead.py
The loop reads ``customer.address`` for 1,000 customers (1,001 queries). Runs alternate
between the two ways so that a busy machine slows both alike; the best of each is
compared (the least disturbed run is the truest). Prints both and the ratio (target <=
1.3x), and exits 1 when the target is missed.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from workshop_site import lab

RUNS = 9
TARGET = 1.3


def n_plus_one() -> int:
    from workshop_site.shop.models import Customer

    return len([customer.address.city for customer in Customer.objects.order_by("id")])


def recorded() -> int:
    with lab.queries() as log:
        n_plus_one()
    return len(log)


def timed(function) -> float:
    gc.collect()
    gc.disable()
    try:
        began = time.perf_counter()
        function()
        return time.perf_counter() - began
    finally:
        gc.enable()


def main() -> int:
    lab.start(size=1000, quiet=True)
    rows = n_plus_one()  # warm up: connection, SQLite page cache, Django's caches
    queries = recorded()
    plain, with_recorder = [], []
    for _ in range(RUNS):
        plain.append(timed(n_plus_one))
        with_recorder.append(timed(recorded))
    ratio = min(with_recorder) / min(plain)
    print(f"N+1 loop over {rows:,} customers: {queries:,} queries, best of {RUNS} runs each")
    for label, runs in (("without recorder", plain), ("with recorder", with_recorder)):
        best, median = min(runs) * 1000, statistics.median(runs) * 1000
        print(f"  {label + ':':<18}{best:7.1f} ms (median {median:.1f} ms)")
    print(f"overhead ratio (best with / best without): {ratio:.2f}x; target <= {TARGET}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
