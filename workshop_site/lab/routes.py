"""``lab.route_stats()``: per-route tables from the monitoring records, as an APM shows them.

The talk's list of what to watch: the most used routes (``requests``), the slowest
(``p50_ms``/``p95_ms``/``p99_ms``), and the routes where the server spends the most time
(``total_ms`` = requests × mean). Latency is only one metric, so each route also gets its
share of time in the database, queries per request, CPU time and error rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from workshop_site.lab.visitors import TrafficRun
    from workshop_site.monitoring.store import RequestRecord

__all__ = ["STAT_COLUMNS", "compare_routes", "request_log", "route_stats"]

#: The columns of :func:`route_stats`, in order.
STAT_COLUMNS = [
    "requests",
    "share",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "mean_ms",
    "total_ms",
    "total_share",
    "db_share",
    "queries_per_request",
    "cpu_ms",
    "error_rate",
    "client_error_rate",
]


def request_log(
    data: TrafficRun | pd.DataFrame | Iterable[RequestRecord] | None = None, *, since: int = 0
) -> pd.DataFrame:
    """Recorded requests as a DataFrame: ``data`` (a traffic run, records or a frame) or,
    by default, everything in the monitoring store after request number ``since``."""
    from workshop_site.monitoring.store import STORE, records_frame

    if data is None:
        return STORE.frame(since=since)
    if isinstance(data, pd.DataFrame):
        return data
    from workshop_site.lab.visitors import TrafficRun

    if isinstance(data, TrafficRun):
        return data.frame()
    return records_frame(data)


def route_stats(
    data: TrafficRun | pd.DataFrame | Iterable[RequestRecord] | None = None,
    *,
    by: str | list[str] = "route",
) -> pd.DataFrame:
    """One row per route (or per ``by`` columns, e.g. ``["route", "release"]``).

    ``data``: a ``TrafficRun``, a DataFrame of records, a list of records, or ``None`` for
    the whole monitoring store. Sorted by ``total_ms``, the server time a route costs.
    Percentiles interpolate linearly (pandas' default); ``error_rate`` is the share of
    5xx responses, ``client_error_rate`` of 4xx; ``db_share`` is DB time / total time.
    """
    log = request_log(data)
    keys = [by] if isinstance(by, str) else list(by)
    if log.empty:
        return pd.DataFrame(columns=STAT_COLUMNS, index=pd.Index([], name=keys[0]))
    log = log.assign(
        server_error=log["status"] >= 500,
        client_error=(log["status"] >= 400) & (log["status"] < 500),
    )
    grouped = log.groupby(keys, sort=False)
    duration = grouped["duration_ms"]
    stats = pd.DataFrame(
        {
            "requests": grouped.size(),
            "p50_ms": duration.quantile(0.50),
            "p95_ms": duration.quantile(0.95),
            "p99_ms": duration.quantile(0.99),
            "mean_ms": duration.mean(),
            "total_ms": duration.sum(),
            "db_ms": grouped["db_ms"].sum(),
            "queries_per_request": grouped["queries"].mean(),
            "cpu_ms": grouped["cpu_ms"].mean(),
            "error_rate": grouped["server_error"].mean(),
            "client_error_rate": grouped["client_error"].mean(),
        }
    )
    stats["share"] = stats["requests"] / stats["requests"].sum()
    stats["total_share"] = stats["total_ms"] / stats["total_ms"].sum()
    stats["db_share"] = (stats["db_ms"] / stats["total_ms"]).where(stats["total_ms"] > 0, 0.0)
    return stats[STAT_COLUMNS].sort_values("total_ms", ascending=False)


def compare_routes(
    before: TrafficRun | pd.DataFrame | Iterable[RequestRecord],
    after: TrafficRun | pd.DataFrame | Iterable[RequestRecord],
    *,
    metrics: tuple[str, ...] = ("requests", "p50_ms", "p95_ms", "total_ms", "queries_per_request"),
) -> pd.DataFrame:
    """Route stats of two runs side by side: ``<metric>_before``, ``<metric>_after``, and
    ``total_change`` (after / before - 1; -0.6 is 60% less server time).

    Compare runs with the same ``n`` and ``seed``: they send the same requests, so a change
    is the code's, not the traffic's. Routes missing from one run have NaN there.
    """
    old, new = route_stats(before), route_stats(after)
    columns = list(metrics)
    table = old[columns].add_suffix("_before").join(new[columns].add_suffix("_after"), how="outer")
    table["total_change"] = table["total_ms_after"] / table["total_ms_before"] - 1
    return table.sort_values("total_ms_before", ascending=False)
