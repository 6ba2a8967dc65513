"""How long ``lab.traffic(n=2000)`` takes at the default data size, and where the time goes.

Run: .venv/bin/python benchmarks/traffic_run.py [n]
Prints the run's wall time and requests per second for the shop as before the course
(naive pages) and with every page optimized, then the five routes with the most server
time. The figures are this machine's: compare them, do not assert them.
"""

from __future__ import annotations

import sys

from workshop_site import lab


def main(n: int) -> None:
    summary = lab.start(quiet=True)
    print(f"Data size: {summary.size} customers, seed {summary.seed}")
    lab.traffic(n=50, seed=99, progress=False)  # warm up: templates compiled, caches filled
    for optimized in (False, True):
        run = lab.traffic(n=n, seed=0, optimized=optimized, progress=False)
        label = "optimized pages" if optimized else "naive pages (as before the course)"
        print(
            f"{label:<36} {run.n:,} requests in {run.seconds:.2f} s "
            f"({run.requests_per_second:,.0f} req/s, {run.seconds / run.n * 1000:.1f} ms each)"
        )
        stats = lab.route_stats(run)
        top = stats.head(5)[["requests", "mean_ms", "total_ms", "queries_per_request"]]
        print(top.round(1).to_string(), end="\n\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
