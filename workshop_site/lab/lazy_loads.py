"""Which lazy load ran a query, asked of Django rather than guessed from the SQL.

Django 6.1 routes every lazy load of a forward relation (``customer.address``), a reverse
one-to-one and a deferred field (``product.description`` after ``only("title")``)
through the instance's fetch mode: ``instance._state.fetch_mode.fetch(fetcher,
instance)``, where ``fetcher.field`` is the field. While :func:`recording` is active,
the ``fetch`` method of every fetch mode class is wrapped, so the query recorder
(``capture.py``) can tag each query a lazy load runs with the model, the field and the
lazy load that produced the instance (``listing.product`` before ``product.brand``).

Why wrap the methods rather than swap ``django.db.models.query.DEFAULT_FETCH_MODE``: a
queryset copies the default when it is *created*, so swapping it misses rows loaded
before the block, ``Model()`` instances and querysets given their own ``.fetch_mode()``;
every one of them still calls its mode's ``fetch``. The wrappers are installed by the
first recording (in any thread), removed by the last, and put back in ``finally``;
threads with no recording open call straight through.

Django's ``track_peers`` (each instance keeping weak references to the rows of its
queryset) stays off: the inspector finds a load's rows from the log, and
``benchmarks/capture_overhead.py`` prints what turning it on would cost.

Reverse foreign keys and many-to-many relations go through related managers, not fetch
modes: the SQL reader (``inspector/``) still names those.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.fetch_modes import FetchMode
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute

__all__ = ["LazyLoad", "current", "recording", "installed"]

Fetch = Callable[[FetchMode, Any, models.Model], None]


@dataclass(frozen=True, slots=True)
class LazyLoad:
    """One lazy load: ``model.attribute`` read on one instance."""

    model: type[models.Model]  # the instance's model
    attribute: str  # "address"; for a deferred field its attname ("product_id")
    kind: str  # "forward" (a foreign key or a reverse one-to-one) or "deferred"
    related: type[models.Model] | None  # the model loaded by a forward relation
    pk: Any  # the instance's primary key
    #: The lazy load that produced this instance (``Listing.product`` for a product whose
    #: ``brand`` is read), as (model, attribute); None when the rows came from a queryset.
    parent: tuple[type[models.Model], str] | None


class _State(threading.local):
    def __init__(self) -> None:
        self.depth = 0  # recordings open in this thread
        self.running: list[LazyLoad] = []
        # id(instance) -> (instance, the lazy load that loaded it), while recording
        self.produced: dict[int, tuple[models.Model, tuple[type[models.Model], str]]] = {}


_state = _State()
_lock = threading.Lock()
_users = 0
_originals: dict[type[FetchMode], Fetch] = {}


def current() -> LazyLoad | None:
    """The lazy load running in this thread, if any (read by the query recorder)."""
    running = _state.running
    return running[-1] if running else None


def installed() -> bool:
    """Are the fetch modes wrapped right now (by a recording in any thread)?"""
    return bool(_originals)


@contextmanager
def recording() -> Iterator[None]:
    """Record lazy loads in this thread for the duration of the block. Nests."""
    global _users
    with _lock:
        if _users == 0:
            _install()
        _users += 1
    state = _state
    state.depth += 1
    try:
        yield
    finally:
        state.depth -= 1
        if state.depth == 0:
            state.produced.clear()
            state.running.clear()
        with _lock:
            _users -= 1
            if _users == 0:
                _uninstall()


def _fetch_mode_classes() -> list[type[FetchMode]]:
    found: list[type[FetchMode]] = []
    pending: list[type[FetchMode]] = [FetchMode]
    while pending:
        cls = pending.pop()
        if cls is not FetchMode and "fetch" in vars(cls):
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _install() -> None:
    for cls in _fetch_mode_classes():
        original: Fetch = vars(cls)["fetch"]
        _originals[cls] = original
        cls.fetch = _wrapped(original)  # type: ignore[method-assign, assignment]


def _uninstall() -> None:
    while _originals:
        cls, original = _originals.popitem()
        cls.fetch = original  # type: ignore[method-assign, assignment]


def _wrapped(original: Fetch) -> Fetch:
    def fetch(mode: FetchMode, fetcher: Any, instance: models.Model) -> None:
        state = _state
        if not state.depth:
            return original(mode, fetcher, instance)
        load = _describe(fetcher, instance, state)
        if load is None:
            return original(mode, fetcher, instance)
        state.running.append(load)
        try:
            return original(mode, fetcher, instance)
        finally:
            state.running.pop()
            if load.kind == "forward":
                _remember(fetcher, instance, load, state)

    fetch.__wrapped__ = original  # type: ignore[attr-defined]
    return fetch


def _describe(fetcher: Any, instance: models.Model, state: _State) -> LazyLoad | None:
    model = type(instance)
    produced = state.produced.get(id(instance))
    parent = produced[1] if produced is not None and produced[0] is instance else None
    if isinstance(fetcher, DeferredAttribute):
        attribute, kind, related = fetcher.field.attname, "deferred", None
    elif isinstance(fetcher, ForwardManyToOneDescriptor):
        attribute, kind = fetcher.field.name, "forward"
        related = fetcher.field.related_model
    elif isinstance(fetcher, ReverseOneToOneDescriptor):
        attribute, kind = fetcher.related.get_accessor_name() or "", "forward"
        related = fetcher.related.related_model
    else:  # a fetcher of another kind (a GenericForeignKey ...): the SQL reader decides
        return None
    if not isinstance(related, type) and related is not None:
        related = None
    return LazyLoad(model, attribute, kind, related, instance.pk, parent)


def _remember(fetcher: Any, instance: models.Model, load: LazyLoad, state: _State) -> None:
    if isinstance(fetcher, ForwardManyToOneDescriptor):
        loaded = fetcher.field.get_cached_value(instance, default=None)
    else:
        loaded = fetcher.related.get_cached_value(instance, default=None)
    if isinstance(loaded, models.Model):
        state.produced[id(loaded)] = (loaded, (load.model, load.attribute))
