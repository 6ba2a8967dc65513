"""From a log of queries to relation loads: which groups of queries load one relation
row by row, and where the rows they start from came from.

A *group* is a set of queries from one line that load the same thing: the same lazy
load (Django's fetch modes told the recorder: ``Customer.address``) or, for queries no
fetch mode ran, the same SQL with other parameters. A group of ``threshold`` or more
becomes a :class:`Load` when it reads one relation per row:

- a lazy load (forward foreign key, reverse one-to-one, deferred field): exact;
- a related manager (``product.images.all()``, ``.count()``, ``.exists()``, ``.first()``,
  ``.filter()``, ``.aggregate()``) or a many-to-many: read from the SQL's shape and the
  models' ``_meta``;
- a lookup written by hand (``Customer.objects.get(pk=order.customer_id)``): the SQL
  plus the line, which must read the foreign key's column.

Each load's *origin* is the earlier query that loaded its rows (the loop's queryset, a
prefetch, or another load's queries when loads chain: ``listing.product.brand``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from workshop_site.lab.capture import Query, Source
from workshop_site.lab.inspector.schema import (
    Hop,
    Model,
    default_ordering,
    field_for_column,
    schema,
)
from workshop_site.lab.inspector.sql import Condition, Order, Select, parse

__all__ = ["MISSING", "Group", "Load", "Origin", "loads", "parameter"]

# Django's `.get()` asks for 21 rows to say "more than 20" in MultipleObjectsReturned.
_GET_LIMIT = 21


@dataclass
class Group:
    """Queries from one line that load the same thing."""

    queries: list[Query]
    indexes: list[int]
    source: Source | None

    @property
    def count(self) -> int:
        return len(self.queries)

    @property
    def first(self) -> int:
        return self.indexes[0]

    @property
    def code(self) -> str:
        return self.source.code if self.source is not None else ""


@dataclass
class Origin:
    """Where a load's rows came from."""

    index: int  # the query that loaded them, in the log
    query: Query
    select: Select
    via: Load | None = None  # ... one of another load's queries: a chain
    prefetch: Hop | None = None  # ... a prefetch (``IN (...)``) of this relation
    before: Origin | None = None  # for a prefetch: where its own rows came from
    hops: tuple[Hop, ...] = ()  # joins from the query's base table to the rows


@dataclass
class Load:
    """A group of queries read as one relation (or deferred field), loaded row by row."""

    group: Group
    kind: str  # "forward", "deferred", "reverse", "many_to_many", "lookup"
    hop: Hop  # owner rows -> accessor -> related rows (for "deferred": the field)
    select: Select | None
    shape: str  # how each query reads: "object", "all", "first", "slice", "count", ...
    filters: tuple[Condition, ...] = ()
    ordering: tuple[Order, ...] | None = ()  # None: an ORDER BY the reader could not read
    prefetched: bool = False  # an earlier IN (...) query prefetched this relation
    manual: bool = False  # Model.objects..., not the relation's own manager
    fields: tuple[str, ...] = ()  # "deferred": the fields; "lookup" of values: columns
    origin: Origin | None = None
    lazy_parent: tuple[Model, str] | None = None
    owners: int = 0  # distinct owner rows the group's queries were for

    @property
    def relation(self) -> str:
        return f"{self.hop.owner.__name__}.{self.hop.accessor}"


def loads(queries: list[Query], *, threshold: int) -> list[Load]:
    """The relation loads among ``queries``: groups of ``threshold`` or more."""
    found = []
    for group in _groups(queries, threshold):
        load = _classify(group, queries)
        if load is not None:
            found.append(load)
    by_index = {index: load for load in found for index in load.group.indexes}
    for load in found:
        load.origin = _origin(load, queries, by_index)
    return found


# -- groups -----------------------------------------------------------------------------


def _groups(queries: list[Query], threshold: int) -> list[Group]:
    by_key: dict[tuple[Any, ...], Group] = {}
    for index, query in enumerate(queries):
        if query.many or not query.sql.startswith("SELECT"):
            continue
        where = (query.source.filename, query.source.lineno) if query.source else None
        lazy = query.lazy
        what: tuple[Any, ...]
        if lazy is not None:
            what = ("lazy", lazy.model, lazy.attribute)
        else:
            what = ("sql", query.similar_key)
        key = (*what, where)
        group = by_key.get(key)
        if group is None:
            by_key[key] = Group([query], [index], query.source)
        else:
            group.queries.append(query)
            group.indexes.append(index)
    return [group for group in by_key.values() if group.count >= threshold]


# -- what one group loads ---------------------------------------------------------------


def _classify(group: Group, queries: list[Query]) -> Load | None:
    lazy = group.queries[0].lazy
    select = parse(group.queries[0].sql)
    if lazy is not None:
        owners = len({query.lazy.pk for query in group.queries if query.lazy is not None})
        if owners < 2:
            return None  # the same row's field read again and again: not one per row
        if lazy.kind == "deferred":
            hop = Hop(lazy.model, lazy.attribute, lazy.model, many=False)
            fields = _deferred_fields(lazy.model, select, lazy.attribute)
            load = Load(group, "deferred", hop, select, "object", fields=fields)
        else:
            related = lazy.related if lazy.related is not None else lazy.model
            hop = Hop(lazy.model, lazy.attribute, related, many=False)
            load = Load(group, "forward", hop, select, "object")
        load.lazy_parent = lazy.parent
        load.owners = owners
        return load
    if select is None or select.grouped:
        return None
    return _related_manager(group, select, queries) or _lookup(group, select, queries)


def _deferred_fields(model: Model, select: Select | None, attribute: str) -> tuple[str, ...]:
    if select is None:
        return (attribute,)
    pk = model._meta.pk
    names = []
    for column in select.selects(select.alias):
        found = field_for_column(model, column)
        if found is not None and found is not pk:
            names.append(found.attname)
    return tuple(names) or (attribute,)


def _link(group: Group, select: Select, alias: str) -> Condition | None:
    """The key condition whose value changes from query to query: the row's id."""
    best: tuple[int, Condition] | None = None
    for condition in select.conditions:
        if not condition.is_key or condition.column.table != alias:
            continue
        values = {_param(query, condition.params[0]) for query in group.queries}
        if len(values) > 1 and (best is None or len(values) > best[0]):
            best = (len(values), condition)
    return best[1] if best else None


#: What :func:`parameter` returns for a parameter the query does not have.
MISSING = object()


def parameter(query: Query, position: int) -> Any:
    """The value of the query's ``position``-th parameter, or :data:`MISSING`."""
    try:
        return query.params[position]
    except (IndexError, KeyError, TypeError):
        return MISSING


def _param(query: Query, position: int) -> Any:
    """The parameter as a set member: hashable, or its repr."""
    value = parameter(query, position)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _related_manager(group: Group, select: Select, queries: list[Query]) -> Load | None:
    """``product.images.all()`` / ``pizza.toppings.count()`` ...: one owner per query."""
    db = schema()
    if len(select.joins) == 1 and select.joins[0].table in db.m2m:
        through = select.joins[0]
        m2m = db.m2m[through.table]
        link = _link(group, select, through.alias)
        if link is None:
            return None
        if link.column.name == m2m.m2m_column_name():
            hop = Hop(m2m.model, m2m.name, m2m.related_model, many=True)
        elif link.column.name == m2m.m2m_reverse_name():
            accessor = m2m.remote_field.get_accessor_name() or ""
            hop = Hop(m2m.related_model, accessor, m2m.model, many=True)
        else:
            return None
        kind = "many_to_many"
    elif not select.joins:
        model = db.model(select.table)
        if model is None:
            return None
        link = _link(group, select, select.alias)
        fk = field_for_column(model, link.column.name) if link else None
        if link is None or not isinstance(fk, models.ForeignKey):
            return None
        owner = fk.related_model
        accessor = fk.remote_field.get_accessor_name()
        if not isinstance(owner, type) or not accessor:
            return None
        hop = Hop(owner, accessor, model, many=not fk.unique)
        kind = "reverse"
    else:
        return None
    ordering = select.order_by
    if ordering and _is_default_order(hop.related, select.alias, ordering):
        ordering = ()
    code = group.code
    manual = bool(code) and re.search(rf"\.{re.escape(hop.accessor)}\b", code) is None
    manual = manual and f"{hop.related.__name__}." in code
    load = Load(
        group,
        kind,
        hop,
        select,
        _shape(select, code),
        filters=tuple(c for c in select.conditions if c is not link),
        ordering=ordering,
        prefetched=_prefetched(select, link, group.first, queries),
        manual=manual,
        owners=len({_param(q, link.params[0]) for q in group.queries}),
    )
    if load.shape == "values":
        return None
    return load


def _is_default_order(model: Model, alias: str, ordering: tuple[Order, ...]) -> bool:
    """Is this ORDER BY the model's own ``Meta.ordering`` (which a prefetch keeps)?"""
    names = []
    for term in ordering:
        found = field_for_column(model, term.column.name) if term.column.table == alias else None
        if found is None:
            return False
        names.append(("-" if term.descending else "") + found.name)
    return names == default_ordering(model)


def _shape(select: Select, code: str) -> str:
    if select.counts:
        return "count"
    if select.exists:
        return "exists"
    if select.aggregates and not select.columns:
        return "aggregate"
    if select.unread_columns or any(select.aliases):
        return "values"
    if (
        select.limit == 1
        and select.offset is None
        and re.search(r"\.(first|last|latest|earliest)\(", code)
    ):
        return "first"
    if select.limit == _GET_LIMIT and re.search(r"\.get\(", code):
        return "get"
    if select.limit is not None or select.offset is not None:
        return "slice"
    return "all"


def _prefetched(select: Select, link: Condition, before: int, queries: list[Query]) -> bool:
    """Did an earlier query load this relation for many rows at once (``IN (...)``)?"""
    needle = f'"{link.column.table}"."{link.column.name}" IN ('
    table = f'FROM "{select.table}"'
    return any(needle in q.sql and table in q.sql for q in queries[:before])


def _lookup(group: Group, select: Select, queries: list[Query]) -> Load | None:
    """``Customer.objects.get(pk=order.customer_id)`` in a loop: a foreign key followed by
    hand. Only when the line reads the key's column; three ``get()`` of fixed ids are
    not one per row of anything."""
    db = schema()
    model = db.model(select.table)
    code = group.code
    if model is None or select.joins or not code:
        return None
    link = _link(group, select, select.alias)
    if link is None or len(select.conditions) != 1 or select.unread:
        return None
    target = field_for_column(model, link.column.name)
    if target is None or not (target.primary_key or target.unique):
        return None
    candidates = [
        fk
        for other in db.tables.values()
        for fk in other._meta.concrete_fields
        if isinstance(fk, models.ForeignKey)
        and fk.related_model is model
        and fk.target_field is target
        and re.search(rf"\.{re.escape(fk.attname)}\b", code)
    ]
    if not candidates:
        return None
    fk = _latest_selected(candidates, group.first, queries)
    if fk is None:
        return None
    values = any(select.aliases)
    if select.limit != _GET_LIMIT and not values:
        return None
    fields = tuple(
        found.attname
        for column in select.selects(select.alias)
        if (found := field_for_column(model, column)) is not None
    )
    shape = "values" if values else "object"
    if values:
        shape = "flat" if re.search(r"flat\s*=\s*True", code) else "values"
        if shape == "values" and "values_list(" in code:
            shape = "tuple"
    owner = fk.model
    return Load(
        group,
        "lookup",
        Hop(owner, fk.name, model, many=False),
        select,
        shape,
        manual=True,
        fields=fields,
        owners=len({_param(q, link.params[0]) for q in group.queries}),
    )


def _latest_selected(
    candidates: list[models.ForeignKey[Any, Any]], before: int, queries: list[Query]
) -> models.ForeignKey[Any, Any] | None:
    """Of several foreign keys, the one whose column an earlier query loaded last."""
    best: tuple[int, models.ForeignKey[Any, Any]] | None = None
    for fk in candidates:
        needle = f'"{fk.model._meta.db_table}"."{fk.column}"'
        for index in range(before - 1, -1, -1):
            if needle in queries[index].sql.split(" FROM ", 1)[0]:
                if best is None or index > best[0]:
                    best = (index, fk)
                break
    if best is None:
        return candidates[0] if len(candidates) == 1 else None
    return best[1]


# -- where the rows came from -----------------------------------------------------------


def _origin(load: Load, queries: list[Query], by_index: dict[int, Load]) -> Origin | None:
    if load.lazy_parent is not None:
        parent = _latest_load(load.lazy_parent, load.group.first, by_index)
        if parent is not None:
            index = max(i for i in parent.group.indexes if i < load.group.first)
            select = parse(queries[index].sql)
            if select is not None:
                return Origin(index, queries[index], select, via=parent)
    return _rows_of(
        load.hop.owner, load.group.first, queries, by_index, exclude=load, many=load.owners > 1
    )


def _latest_load(key: tuple[Model, str], before: int, by_index: dict[int, Load]) -> Load | None:
    for index in range(before - 1, -1, -1):
        load = by_index.get(index)
        if load is not None and (load.hop.owner, load.hop.accessor) == key:
            return load
    return None


def _rows_of(
    model: Model,
    before: int,
    queries: list[Query],
    by_index: dict[int, Load],
    *,
    exclude: Load | None,
    many: bool,
    depth: int = 0,
) -> Origin | None:
    """The latest query before ``before`` that loaded rows of ``model`` (selected its
    primary key), and how: as its own rows, through joins, a prefetch, or a chain."""
    table, pk = model._meta.db_table, model._meta.pk.column
    db = schema()
    for index in range(before - 1, -1, -1):
        query = queries[index]
        owner_load = by_index.get(index)
        # A deferred field's query refreshes a row the loop already has: not an origin.
        if owner_load is not None and (owner_load is exclude or owner_load.kind == "deferred"):
            continue
        if f'"{pk}"' not in query.sql or not query.sql.startswith("SELECT"):
            continue
        select = parse(query.sql)
        if select is None:
            continue
        for alias in select.aliases_of(table):
            if pk not in select.selects(alias):
                continue
            if many and _single_row(select, model, alias) and owner_load is None:
                break
            if owner_load is not None:
                return Origin(index, query, select, via=owner_load)
            hops = db.path_to(select, alias) if alias != select.alias else ()
            if hops is None:
                break
            origin = Origin(index, query, select, hops=hops)
            if alias == select.alias and depth < 4:
                _as_prefetch(origin, queries, by_index, depth)
            return origin
    return None


def _single_row(select: Select, model: Model, alias: str) -> bool:
    """Can this query return one row at most (``.get()``, ``.first()``)?"""
    if select.limit == 1:
        return True
    for condition in select.conditions:
        if condition.is_key and condition.column.table == alias:
            found = field_for_column(model, condition.column.name)
            if found is not None and (found.primary_key or found.unique):
                return True
    return False


def _as_prefetch(
    origin: Origin, queries: list[Query], by_index: dict[int, Load], depth: int
) -> None:
    """An ``IN (...)`` query is a prefetch (or ``FETCH_PEERS``): its rows belong to the
    rows of an earlier query, through the relation it prefetched."""
    select = origin.select
    db = schema()
    lazy = origin.query.lazy
    hop: Hop | None = None
    if lazy is not None and lazy.related is not None:
        hop = Hop(lazy.model, lazy.attribute, lazy.related, many=False)
    else:
        for condition in select.conditions:
            if condition.op != "IN" or "SELECT" in condition.value:
                continue
            alias = condition.column.table
            if alias == select.alias:
                model = db.model(select.table)
                fk = field_for_column(model, condition.column.name) if model else None
                if isinstance(fk, models.ForeignKey) and model is not None:
                    owner = fk.related_model
                    accessor = fk.remote_field.get_accessor_name()
                    if isinstance(owner, type) and accessor:
                        hop = Hop(owner, accessor, model, many=not fk.unique)
            elif len(select.joins) == 1 and select.joins[0].table in db.m2m:
                m2m = db.m2m[select.joins[0].table]
                if condition.column.name == m2m.m2m_column_name():
                    hop = Hop(m2m.model, m2m.name, m2m.related_model, many=True)
                elif condition.column.name == m2m.m2m_reverse_name():
                    accessor = m2m.remote_field.get_accessor_name() or ""
                    hop = Hop(m2m.related_model, accessor, m2m.model, many=True)
            if hop is not None:
                break
    if hop is None:
        return
    before = _rows_of(
        hop.owner, origin.index, queries, by_index, exclude=None, many=True, depth=depth + 1
    )
    origin.prefetch = hop
    origin.before = before
