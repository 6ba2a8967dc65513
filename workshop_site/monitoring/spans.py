"""Spans: the timed, nested steps of one request (request, middleware, view, SQL, ...).

A :class:`Trace` collects the spans of the request being served; the middleware makes it
the *current* trace (a context variable, so threads and async tasks never mix theirs).
Code anywhere in the request adds its own span with :func:`span`; outside a request it
is a no-op, so an HTTP client can always wrap its calls::

    with monitoring.span("partner.stock", kind="http", url=url):
        response = session.get(url, timeout=2)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Span", "Trace", "current_trace", "span"]

_current: ContextVar[Trace | None] = ContextVar("workshop_monitoring_trace", default=None)


@dataclass(slots=True)
class Span:
    """One step. Times are seconds from the start of the trace."""

    id: int
    parent: int | None
    name: str
    kind: str
    start: float
    end: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return (self.end if self.end is not None else self.start) - self.start


class Trace:
    """The spans of one request, and the running totals the request record needs."""

    def __init__(self) -> None:
        self.origin = time.perf_counter()
        self.spans: list[Span] = []
        self._open: list[Span] = []
        self.queries = 0
        self.db_time = 0.0
        self.template_time = 0.0
        self.external_time = 0.0

    def open(self, name: str, *, kind: str, **attributes: Any) -> Span:
        """Start a span, a child of the innermost open one."""
        parent = self._open[-1].id if self._open else None
        opened = Span(
            len(self.spans), parent, name, kind, time.perf_counter() - self.origin, None, attributes
        )
        self.spans.append(opened)
        self._open.append(opened)
        return opened

    def close(self, closing: Span) -> None:
        """End ``closing`` and any span still open inside it. Closing twice is harmless."""
        if closing.end is not None:
            return
        now = time.perf_counter() - self.origin
        while self._open:
            top = self._open.pop()
            top.end = now
            self._count(top)
            if top is closing:
                return

    def innermost(self, kind: str) -> Span | None:
        """The innermost open span of ``kind``, if any."""
        return next((s for s in reversed(self._open) if s.kind == kind), None)

    def close_all(self) -> None:
        while self._open:
            self.close(self._open[0])

    def _count(self, closed: Span) -> None:
        if closed.kind == "sql":
            self.queries += 1
            self.db_time += closed.duration
        elif closed.kind == "template":
            self.template_time += closed.duration
        elif closed.kind == "http":
            self.external_time += closed.duration

    @contextmanager
    def activate(self) -> Iterator[Trace]:
        """Make this the current trace for the block (what the middleware does)."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


def current_trace() -> Trace | None:
    """The trace of the request being served in this context, if any."""
    return _current.get()


@contextmanager
def span(name: str, *, kind: str = "custom", **attributes: Any) -> Iterator[Span | None]:
    """Time the block as a span of the current request; a no-op outside a request.

    ``kind="http"`` spans also add up into the request record's ``external_ms``.
    An exception leaving the block is noted in the span's ``error`` attribute.
    """
    trace = _current.get()
    if trace is None:
        yield None
        return
    opened = trace.open(name, kind=kind, **attributes)
    try:
        yield opened
    except BaseException as exc:
        opened.attributes["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        trace.close(opened)
