"""Two middlewares that record every request: first and last in ``settings.MIDDLEWARE``.

``RequestMonitorMiddleware`` (first) wraps the whole request: it opens the trace, times
every SQL query through ``connection.execute_wrapper``, and stores one
:class:`~workshop_site.monitoring.store.RequestRecord` when the response is ready.
``ViewMonitorMiddleware`` (last) sits right around the view, so the time before and after
it is the other middlewares' ("middleware" spans), and it renders template responses in
a span of their own: the lazy queries a template runs show up under "template".
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponseBase

from workshop_site.monitoring.spans import Trace, current_trace, span
from workshop_site.monitoring.store import STORE, RequestRecord

__all__ = ["RequestMonitorMiddleware", "ViewMonitorMiddleware", "UNMATCHED", "sql_span_name"]

#: The route of a request no URL pattern matched.
UNMATCHED = "(unmatched)"

_SQL_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+["`]?([\w.]+)', re.IGNORECASE)


@functools.lru_cache(maxsize=2048)  # the same SQL text comes back with other parameters
def sql_span_name(sql: str) -> str:
    """``SELECT shop_listing``: the statement's verb and first table, as APMs name them."""
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "SQL"
    table = _SQL_TABLE.search(sql)
    return f"{verb} {table.group(1)}" if table else verb


def _view_path(match: Any) -> str:
    """``workshop_site.shop.views.home``: the function that served, as APMs name it."""
    func = getattr(match.func, "view_class", match.func)
    return f"{func.__module__}.{func.__qualname__}"


class _SqlSpans:
    """Execute wrapper: one "sql" span per query, timed in ``finally`` so failures count."""

    def __init__(self, trace: Trace, alias: str) -> None:
        self.trace = trace
        self.alias = alias

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        opened = self.trace.open(
            sql_span_name(sql), kind="sql", sql=sql, alias=self.alias, many=many
        )
        try:
            return execute(sql, params, many, context)
        except Exception as exc:
            opened.attributes["error"] = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.trace.close(opened)


class RequestMonitorMiddleware:
    """Record route, status, duration, queries, DB time and CPU time of every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        trace = Trace()
        started_at = time.time()
        cpu_before = time.thread_time()  # this thread only: not the progress bar's
        with ExitStack() as stack:
            stack.enter_context(trace.activate())
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(_SqlSpans(trace, alias)))
            root = trace.open(f"{request.method} {request.path}", kind="request")
            trace.open("middleware", kind="middleware", phase="request")
            try:
                response = self.get_response(request)
            finally:
                trace.close_all()
        cpu = time.thread_time() - cpu_before
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match is not None else UNMATCHED
        root.attributes.update(route=route, status=response.status_code)
        record = RequestRecord(
            seq=STORE.next_seq(),
            started_at=started_at,
            method=request.method or "",
            path=request.path,
            route=route,
            view=_view_path(match) if match is not None else "",
            status=response.status_code,
            duration_ms=root.duration * 1000,
            queries=trace.queries,
            db_ms=trace.db_time * 1000,
            cpu_ms=cpu * 1000,
            template_ms=trace.template_time * 1000,
            external_ms=trace.external_time * 1000,
            release=STORE.release,
        )
        STORE.add(record, trace)
        return response


class ViewMonitorMiddleware:
    """Split the request into middleware / view / template spans (last in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        trace = current_trace()
        if trace is None:  # RequestMonitorMiddleware is not installed
            return self.get_response(request)
        before = trace.innermost("middleware")
        if before is not None:
            trace.close(before)
        view = trace.open("view", kind="view")
        try:
            return self.get_response(request)
        finally:
            trace.close(view)  # already closed if a template was rendered
            trace.open("middleware", kind="middleware", phase="response")

    def process_view(self, request: HttpRequest, view_func: Any, *args: Any) -> None:
        trace = current_trace()
        view = trace.innermost("view") if trace is not None else None
        if view is not None:
            view.name = f"view {getattr(view_func, '__qualname__', view_func)}"

    def process_template_response(self, request: HttpRequest, response: Any) -> Any:
        trace = current_trace()
        if trace is None:
            return response
        view = trace.innermost("view")
        if view is not None:
            trace.close(view)
        # Rendering here rather than leaving it to the handler (which renders right after
        # this hook) gives rendering its own span. Middlewares listed earlier still get the
        # response in their process_template_response, already rendered.
        template = response.template_name
        label = template if isinstance(template, str) else getattr(template, "name", None)
        if label is None and isinstance(template, list | tuple) and template:
            label = template[0]
        with span(f"template {label or '?'}", kind="template", template=str(label)):
            response.render()
        return response
