"""The monitoring middleware's own cost, as a ratio with and without it, in one run.

Run: .venv/bin/python benchmarks/middleware_overhead.py
Sends the same planned requests (``lab.traffic``'s plan, 300 requests, every page
optimized) through a test client built with and without the two monitoring middlewares.
Rounds alternate between the two so that a busy machine slows both alike; the best round
of each is compared (the least disturbed is the truest). Prints both, the ratio and the
cost per request. A figure to read, not a test: nothing is asserted.
"""

from __future__ import annotations

import gc
import statistics
import time

from workshop_site import lab

ROUNDS = 7
REQUESTS = 300
MONITORING = (
    "workshop_site.monitoring.RequestMonitorMiddleware",
    "workshop_site.monitoring.ViewMonitorMiddleware",
)


def timed(visits: list, *, middleware: list[str]) -> float:
    from django.test import Client, override_settings

    with override_settings(MIDDLEWARE=middleware, DEBUG=False):
        client = Client()  # a new client builds its handler from MIDDLEWARE
        gc.collect()
        began = time.perf_counter()
        for visit in visits:
            if visit.method == "POST":
                client.post(visit.path, dict(visit.data))
            else:
                client.get(visit.path)
        return time.perf_counter() - began


def main() -> None:
    from django.conf import settings

    from workshop_site.lab.traffic import plan

    lab.start(quiet=True)
    visits = plan(REQUESTS, seed=0)
    with_it = list(settings.MIDDLEWARE)
    without = [m for m in with_it if m not in MONITORING]
    assert len(without) == len(with_it) - 2, "the monitoring middlewares are not installed"
    timed(visits[:50], middleware=with_it)  # warm up
    on, off = [], []
    for _ in range(ROUNDS):
        on.append(timed(visits, middleware=with_it))
        off.append(timed(visits, middleware=without))
    best_on, best_off = min(on), min(off)
    print(f"{REQUESTS} requests x {ROUNDS} rounds, best round of each:")
    print(f"  with monitoring     {best_on:.3f} s  (median {statistics.median(on):.3f} s)")
    print(f"  without monitoring  {best_off:.3f} s  (median {statistics.median(off):.3f} s)")
    print(
        f"  ratio {best_on / best_off:.3f}x; "
        f"{(best_on - best_off) / REQUESTS * 1e6:,.0f} µs per request"
    )


if __name__ == "__main__":
    main()
