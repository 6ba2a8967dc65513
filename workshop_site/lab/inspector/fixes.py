"""The fix for one queryset, as data that can be applied, printed and tested.

Every load whose rows come from the same queryset gets one combined :class:`Fix`: the
``select_related`` / ``prefetch_related`` (with ``Prefetch`` objects) / ``annotate`` /
``only`` calls to add to that queryset, and the :class:`Read` changes the loop needs
when an attribute replaces a per-row query (``customer.ordered_orders`` instead of
``customer.orders.order_by(...).first()``). ``Fix.apply(queryset)`` makes the calls,
``str(fix)`` is the code to type, and the test suite applies every fix the corpus of
examples gets (``tests/test_inspector_corpus.py``): same result, a flat query count.

What cannot be written as such a fix (a filter the reader cannot turn into lookups, a
count through a list of rows ...) becomes a hint, in words, never a "fix".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import FETCH_PEERS, Avg, Count, Exists, Max, Min, OuterRef, Prefetch, Q, Sum

from workshop_site.lab.inspector.schema import Model

__all__ = ["Annotation", "Fix", "Lookups", "PrefetchSpec", "Read", "manager_code"]

_FUNCTIONS: dict[str, type[models.Aggregate]] = {
    cls.__name__: cls for cls in (Count, Avg, Sum, Min, Max)
}
Lookups = tuple[tuple[str, Any], ...]


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def _kwargs(lookups: Lookups) -> str:
    return ", ".join(f"{name}={_literal(value)}" for name, value in lookups)


def manager_code(model: Model) -> str:
    """``Review.objects``: how code names the model's default manager."""
    return f"{model.__name__}.{model._default_manager.name}"


@dataclass(frozen=True)
class PrefetchSpec:
    """A ``Prefetch("reviews", queryset=..., to_attr=...)``, as data."""

    lookup: str
    model: Model
    filters: Lookups = ()
    ordering: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    to_attr: str | None = None

    def queryset(self) -> models.QuerySet[Any]:
        queryset = self.model._default_manager.all()
        if self.filters:
            queryset = queryset.filter(**dict(self.filters))
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.ordering:
            queryset = queryset.order_by(*self.ordering)
        return queryset

    def build(self) -> Prefetch[Any]:
        return Prefetch(self.lookup, queryset=self.queryset(), to_attr=self.to_attr)

    def __str__(self) -> str:
        code = manager_code(self.model)
        if self.filters:
            code += f".filter({_kwargs(self.filters)})"
        if self.select_related:
            code += f".select_related({_names(self.select_related)})"
        if self.prefetch_related:
            code += f".prefetch_related({_names(self.prefetch_related)})"
        if self.ordering:
            code += f".order_by({_names(self.ordering)})"
        if code == manager_code(self.model):
            code += ".all()"
        to_attr = f', to_attr="{self.to_attr}"' if self.to_attr else ""
        return f'Prefetch("{self.lookup}", queryset={code}{to_attr})'


@dataclass(frozen=True)
class Annotation:
    """One ``annotate()`` argument: an aggregate over a relation, or an ``Exists``."""

    name: str
    function: str  # "Count", "Avg", "Sum", "Min", "Max" or "Exists"
    path: str  # "reviews" / "product__reviews__rating"; for Exists the related lookup
    distinct: bool = False
    filters: Lookups = ()  # for an aggregate: lookups from the annotated model
    exists_model: Model | None = None  # for Exists: the related model
    outer: str = "pk"  # for Exists: what the related rows point to

    def build(self) -> Any:
        if self.function == "Exists":
            assert self.exists_model is not None
            related = self.exists_model._default_manager.filter(
                **{self.path: OuterRef(self.outer)}, **dict(self.filters)
            )
            return Exists(related)
        function = _FUNCTIONS[self.function]
        options: dict[str, Any] = {}
        if self.filters:
            options["filter"] = Q(**dict(self.filters))
        if self.distinct:
            options["distinct"] = True
        return function(self.path, **options)

    def __str__(self) -> str:
        if self.function == "Exists":
            assert self.exists_model is not None
            lookups = _kwargs(self.filters)
            extra = f", {lookups}" if lookups else ""
            inner = f'{self.path}=OuterRef("{self.outer}"){extra}'
            return f"{self.name}=Exists({manager_code(self.exists_model)}.filter({inner}))"
        options = []
        if self.distinct:
            options.append("distinct=True")
        if self.filters:
            options.append(f"filter=Q({_kwargs(self.filters)})")
        extra = "".join(f", {option}" for option in options)
        return f'{self.name}={self.function}("{self.path}"{extra})'


@dataclass(frozen=True)
class Read:
    """What the loop reads instead of a per-row query, once the fix is applied."""

    model: Model  # the rows the loop holds
    path: str  # the relation it reads per row: "orders", "product__reviews"
    shape: str  # "all", "first", "slice", "count", "exists", "aggregate", "object", ...
    attribute: str  # the attribute that now holds it (to_attr, annotation, relation)
    prefix: tuple[str, ...] = ()  # attributes from the row to the object that holds it
    keys: tuple[tuple[str, str], ...] = ()  # aggregate: (key, annotation); values: fields
    start: int | None = None
    stop: int | None = None
    was: str = ""  # the per-row expression, as a message shows it
    now: str = ""  # what to read instead

    def value(self, row: Any) -> Any:
        """What the per-row expression returned, read from ``row`` without a query."""
        holder = row
        for name in self.prefix:
            holder = getattr(holder, name)
        if self.shape == "aggregate":
            return {key: getattr(row, name) for key, name in self.keys}
        value = getattr(holder, self.attribute)
        if self.shape == "first":
            return next(iter(value), None)
        if self.shape == "slice":
            return value[self.start : self.stop]
        if self.shape == "manager":
            return value.all()
        if self.shape == "flat":
            return getattr(value, self.keys[0][1])
        if self.shape == "tuple":
            return tuple(getattr(value, name) for _, name in self.keys)
        if self.shape == "values":
            return {key: getattr(value, name) for key, name in self.keys}
        return value


@dataclass(frozen=True)
class Fix:
    """The calls to add to the queryset of ``model`` that loads the loop's rows."""

    model: Model
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str | PrefetchSpec, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    only: tuple[str, ...] | None = None  # in place of the queryset's only()/defer()
    load_deferred: bool = False  # defer(None): load every field again
    fetch_peers: bool = False  # .fetch_mode(FETCH_PEERS), Django 6.1's other way
    reads: tuple[Read, ...] = ()

    def apply(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """``queryset`` with the fix's calls added (``queryset`` must be of ``model``)."""
        if not issubclass(queryset.model, self.model):
            raise TypeError(
                f"this fix is for a queryset of {self.model.__name__}, "
                f"not of {queryset.model.__name__}"
            )
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            lookups = [
                p.build() if isinstance(p, PrefetchSpec) else p for p in self.prefetch_related
            ]
            queryset = queryset.prefetch_related(*lookups)
        if self.annotations:
            queryset = queryset.annotate(**{a.name: a.build() for a in self.annotations})
        if self.only is not None:
            # The fields replace the queryset's own only()/defer(): an only() after a
            # defer() would keep the deferred names deferred, so clear them first.
            queryset = queryset.defer(None).only(*self.only)
        elif self.load_deferred:
            queryset = queryset.defer(None)
        if self.fetch_peers:
            queryset = queryset.fetch_mode(FETCH_PEERS)
        return queryset

    def read(self, row: Any, path: str) -> Read | None:
        """The read change for relation ``path`` of ``row``, if the fix has one."""
        for read in self.reads:
            if read.path == path and isinstance(row, read.model):
                return read
        return None

    @property
    def code(self) -> str:
        calls = []
        if self.select_related:
            calls.append(f"select_related({_names(self.select_related)})")
        if self.prefetch_related:
            lookups = ", ".join(
                str(p) if isinstance(p, PrefetchSpec) else f'"{p}"' for p in self.prefetch_related
            )
            calls.append(f"prefetch_related({lookups})")
        if self.annotations:
            calls.append(f"annotate({', '.join(str(a) for a in self.annotations)})")
        if self.only is not None:
            calls.append(f"only({_names(self.only)})")
        elif self.load_deferred:
            calls.append("defer(None)")
        if self.fetch_peers:
            calls.append("fetch_mode(FETCH_PEERS)")
        return ".".join(calls)

    def __str__(self) -> str:
        return self.code

    def __bool__(self) -> bool:
        return bool(self.code)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)
