"""Monitoring for the shop: a per-request record and a trace of spans, kept in memory.

Add ``RequestMonitorMiddleware`` first and ``ViewMonitorMiddleware`` last in
``settings.MIDDLEWARE``; read the records with ``STORE.frame()`` (a pandas DataFrame);
add your own spans with :func:`span`.
"""

from workshop_site.monitoring.middleware import (
    UNMATCHED,
    RequestMonitorMiddleware,
    ViewMonitorMiddleware,
)
from workshop_site.monitoring.spans import Span, Trace, current_trace, span
from workshop_site.monitoring.store import STORE, RequestRecord, RequestStore, records_frame

__all__ = [
    "STORE",
    "UNMATCHED",
    "RequestMonitorMiddleware",
    "RequestRecord",
    "RequestStore",
    "Span",
    "Trace",
    "ViewMonitorMiddleware",
    "current_trace",
    "records_frame",
    "span",
]
