"""The monitoring middleware's own cost, as a ratio with and without it, in one run.

Run: .venv/bin/python benchmarks/middleware_overhead.py
Two test clients, one whose handler was built with the two monitoring middlewares and
one without, send the same planned requests (``lab.traffic``'s plan, every page
optimized), taking turns request by request (who goes first alternates, since the second
finds the data in cache): a busy machine then slows both alike. Each
round sums each client's time; the median round's ratio is the figure. A figure to read,
not a test: nothing is asserted.
"""

from __future__ import annotations

import gc
import statistics
import time

from workshop_site import lab

ROUNDS = 5
REQUESTS = 300
MONITORING = (
    "workshop_site.monitoring.RequestMonitorMiddleware",
    "workshop_site.monitoring.ViewMonitorMiddleware",
)


def _client(middleware: list[str]):
    from django.test import Client, override_settings

    client = Client()
    with override_settings(MIDDLEWARE=middleware):
        client.get("/")  # the handler reads MIDDLEWARE once, on its first request
    return client


def _send(client, visit) -> float:
    began = time.perf_counter()
    if visit.method == "POST":
        client.post(visit.path, dict(visit.data))
    else:
        client.get(visit.path)
    return time.perf_counter() - began


def main() -> None:
    from django.conf import settings
    from django.test import override_settings

    from workshop_site.lab.visitors import plan

    lab.start(quiet=True)
    visits = plan(REQUESTS, seed=0)
    with_it = list(settings.MIDDLEWARE)
    without = [m for m in with_it if m not in MONITORING]
    assert len(without) == len(with_it) - 2, "the monitoring middlewares are not installed"
    ratios, costs = [], []
    with override_settings(DEBUG=False):
        monitored, plain = _client(with_it), _client(without)
        for visit in visits[:50]:  # warm up both
            _send(monitored, visit), _send(plain, visit)
        for _ in range(ROUNDS):
            gc.collect()
            on = off = 0.0
            for index, visit in enumerate(visits):
                # Who goes first changes each time: the second finds the data in cache.
                if index % 2:
                    on += _send(monitored, visit)
                    off += _send(plain, visit)
                else:
                    off += _send(plain, visit)
                    on += _send(monitored, visit)
            ratios.append(on / off)
            costs.append((on - off) / REQUESTS)
            print(f"  round: with {on:.3f} s, without {off:.3f} s, ratio {on / off:.3f}x")
    print(
        f"{REQUESTS} requests x {ROUNDS} rounds: median ratio {statistics.median(ratios):.3f}x, "
        f"{statistics.median(costs) * 1e6:,.0f} µs per request"
    )


if __name__ == "__main__":
    main()
