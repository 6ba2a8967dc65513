"""``lab.otel_trace(path)``: the same request traced with OpenTelemetry, as APMs receive it.

Production tools (Datadog, Sentry, Honeycomb, Grafana Tempo...) ingest OpenTelemetry
spans. Here the official Django instrumentation makes the request span, an execute
wrapper makes one span per SQL query (named and attributed like OpenTelemetry's database
instrumentations do), and an in-memory exporter keeps them: no collector, no network.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from workshop_site.lab.boot import require_started
from workshop_site.lab.waterfall import plot_waterfall

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.trace import Tracer

__all__ = ["OTelTrace", "otel_trace", "instrumented"]

SERVICE_NAME = "workshop-shop"


class _SqlSpans:
    """Execute wrapper: one CLIENT span per query, a child of the current (request) span."""

    def __init__(self, tracer: Tracer, vendor: str, database: str) -> None:
        self.tracer = tracer
        self.attributes = {"db.system": vendor, "db.name": database}

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        from opentelemetry.trace import SpanKind

        from workshop_site.monitoring.middleware import sql_span_name

        with self.tracer.start_as_current_span(
            sql_span_name(sql),
            kind=SpanKind.CLIENT,
            attributes={**self.attributes, "db.statement": sql},
        ):
            return execute(sql, params, many, context)


@contextmanager
def instrumented() -> Iterator[list[ReadableSpan]]:
    """Trace requests inside the block with OpenTelemetry; the list fills with the spans.

    Adds OpenTelemetry's Django middleware for the block (Django reads MIDDLEWARE when a
    handler is built, so use a new ``Client`` inside) and removes it on exit.
    """
    from django.db import connections
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer(__name__)
    instrumentor = DjangoInstrumentor()
    already = instrumentor.is_instrumented_by_opentelemetry
    spans: list[ReadableSpan] = []
    with ExitStack() as stack:
        if not already:
            instrumentor.instrument(tracer_provider=provider)
            stack.callback(instrumentor.uninstrument)
        stack.callback(provider.shutdown)
        for alias in connections:
            connection = connections[alias]
            wrapper = _SqlSpans(tracer, connection.vendor, str(connection.settings_dict["NAME"]))
            stack.enter_context(connection.execute_wrapper(wrapper))
        try:
            yield spans
        finally:
            spans.extend(exporter.get_finished_spans())


@dataclass
class OTelTrace:
    """The finished OpenTelemetry spans of one request."""

    spans: list[ReadableSpan]

    @property
    def root(self) -> ReadableSpan:
        return next(s for s in self.spans if s.parent is None)

    def frame(self) -> pd.DataFrame:
        """One row per span, as an APM's trace view lists them."""
        origin = min(s.start_time or 0 for s in self.spans)
        by_id = {s.context.span_id: s for s in self.spans}

        def depth(span: ReadableSpan) -> int:
            level = 0
            while span.parent is not None and span.parent.span_id in by_id:
                span, level = by_id[span.parent.span_id], level + 1
            return level

        statements = [(s.attributes or {}).get("db.statement") for s in self.spans]
        rows = []
        for s in self.spans:
            attributes = dict(s.attributes or {})
            statement = attributes.get("db.statement")
            start, end = s.start_time or 0, s.end_time or 0
            is_sql = statement is not None
            rows.append(
                {
                    "name": s.name,
                    "kind": "sql" if is_sql else "request",
                    "span_kind": s.kind.name,
                    "trace_id": format(s.context.trace_id, "032x"),
                    "span_id": format(s.context.span_id, "016x"),
                    "parent_id": format(s.parent.span_id, "016x") if s.parent else None,
                    "depth": depth(s),
                    "start_ms": (start - origin) / 1e6,
                    "duration_ms": (end - start) / 1e6,
                    "repeated": is_sql and statements.count(statement) > 1,
                    "sql": statement or "",
                    "attributes": attributes,
                }
            )
        return pd.DataFrame(rows).sort_values("start_ms").reset_index(drop=True)

    def plot(self) -> Figure:
        root = self.root
        route = (root.attributes or {}).get("http.route", root.name)
        title = (
            f"OpenTelemetry trace of {route} ({SERVICE_NAME}): {len(self.spans) - 1} child spans"
        )
        return plot_waterfall(self.frame(), title=title)

    def __repr__(self) -> str:
        return f"<OTelTrace {self.root.name}: {len(self.spans)} spans>"

    def _repr_html_(self) -> str:
        return (
            f"<p>🛰️ OpenTelemetry: <b>{html.escape(self.root.name)}</b>, {len(self.spans)} spans</p>"
        )


def otel_trace(
    path: str,
    *,
    method: str = "GET",
    data: Mapping[str, str] | None = None,
    views: Mapping[str, Callable | str] | None = None,
) -> OTelTrace:
    """Send one request to ``path`` with OpenTelemetry on; return its spans.

    ``views``: as for ``lab.trace``, the views to serve at some URL names.
    """
    require_started("lab.otel_trace()")
    from django.test import Client, override_settings

    from workshop_site.lab.deploys import serving

    with instrumented() as spans, override_settings(DEBUG=False), serving(views or {}):
        client = Client(raise_request_exception=False)
        if method.upper() == "POST":
            client.post(path, dict(data or {}))
        else:
            client.get(path, dict(data or {}))
    if not spans:
        raise RuntimeError("OpenTelemetry recorded no span: is OTEL_PYTHON_DJANGO_INSTRUMENT off?")
    return OTelTrace(spans)
