"""``lab.trace(path)``: one request's spans, as an APM's trace view shows them.

The request goes through the test client like ``lab.traffic``; the monitoring middleware
records its spans (request, middleware, view, template, every SQL query). Queries that
repeat the same SQL with other parameters (the N+1 signal) are flagged ``repeated``.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from workshop_site.lab.boot import require_started
from workshop_site.lab.waterfall import plot_waterfall

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workshop_site.monitoring.spans import Span
    from workshop_site.monitoring.store import RequestRecord

__all__ = ["RequestTrace", "trace"]


def _depths(spans: list[Span]) -> dict[int, int]:
    depth: dict[int, int] = {}
    for s in spans:  # parents are always recorded before their children
        depth[s.id] = 0 if s.parent is None else depth[s.parent] + 1
    return depth


@dataclass
class RequestTrace:
    """The record and spans of one request."""

    record: RequestRecord
    spans: list[Span]

    def frame(self) -> pd.DataFrame:
        """One row per span, in start order; ``repeats`` counts spans with the same SQL."""
        depth = _depths(self.spans)
        sql_counts = Counter(s.attributes.get("sql") for s in self.spans if s.kind == "sql")
        rows = [
            {
                "id": s.id,
                "parent": s.parent,
                "depth": depth[s.id],
                "kind": s.kind,
                "name": s.name,
                "start_ms": s.start * 1000,
                "duration_ms": s.duration * 1000,
                "sql": s.attributes.get("sql", ""),
                "repeats": sql_counts[s.attributes.get("sql")] if s.kind == "sql" else 0,
            }
            for s in self.spans
        ]
        frame = pd.DataFrame(rows).sort_values(["start_ms", "id"], kind="stable")
        frame["repeated"] = frame["repeats"] > 1
        return frame.reset_index(drop=True)

    def queries(self) -> pd.DataFrame:
        """The SQL spans only."""
        frame = self.frame()
        return frame[frame["kind"] == "sql"].reset_index(drop=True)

    def repeated(self) -> pd.DataFrame:
        """Groups of queries with the same SQL: count and total time, biggest first."""
        sql = self.queries()
        if sql.empty:
            return pd.DataFrame(columns=["name", "count", "total_ms", "sql"])
        groups = sql.groupby("sql", sort=False).agg(
            name=("name", "first"), count=("id", "size"), total_ms=("duration_ms", "sum")
        )
        groups = groups[groups["count"] > 1].sort_values("count", ascending=False)
        return groups.reset_index()[["name", "count", "total_ms", "sql"]]

    def plot(self) -> Figure:
        """The waterfall: one bar per span, repeated queries in red."""
        r = self.record
        title = (
            f"{r.method} {r.path} — {r.duration_ms:.1f} ms, {r.queries} queries "
            f"({r.db_ms:.1f} ms in the database)"
        )
        return plot_waterfall(self.frame(), title=title)

    def summary(self) -> str:
        r = self.record
        text = (
            f"{r.method} {r.path} (route {r.route}) → {r.status} in {r.duration_ms:.1f} ms: "
            f"{r.queries} queries, {r.db_ms:.1f} ms DB, {r.template_ms:.1f} ms templates"
        )
        repeated = self.repeated()
        if not repeated.empty:
            top = repeated.iloc[0]
            text += f"; {top['name']} ran {top['count']} times with different parameters"
        return text

    def __repr__(self) -> str:
        return f"<RequestTrace {self.summary()}>"

    def _repr_html_(self) -> str:
        return f"<p>🔎 {html.escape(self.summary())}</p>"


def trace(
    path: str,
    *,
    method: str = "GET",
    data: Mapping[str, str] | None = None,
    views: Mapping[str, Callable | str] | None = None,
    debug: bool = False,
) -> RequestTrace:
    """Send one request to ``path`` through the test client and return its trace.

    ``views`` serves other views at some URL names for this request (``run.views`` of a
    traffic run: the page as that run served it). Runs with ``DEBUG=False`` like
    ``lab.traffic`` unless ``debug=True``.
    """
    require_started("lab.trace()")
    from django.test import Client, override_settings

    from workshop_site.lab.deploys import serving
    from workshop_site.monitoring.store import STORE

    client = Client(raise_request_exception=False)
    with override_settings(DEBUG=debug), serving(views or {}):
        mark = STORE.mark()
        if method.upper() == "POST":
            client.post(path, dict(data or {}))
        elif method.upper() == "GET":
            client.get(path, dict(data or {}))
        else:
            client.generic(method.upper(), path)
    records = STORE.records(since=mark)
    if not records:
        raise RuntimeError(
            "the request left no monitoring record: is "
            "'workshop_site.monitoring.RequestMonitorMiddleware' in settings.MIDDLEWARE?"
        )
    record = records[-1]
    found = STORE.trace(record.seq)
    if found is None:
        raise RuntimeError(f"the trace of request #{record.seq} is no longer in the store")
    return RequestTrace(record, found.spans)
