"""Planning the fix of one queryset: from the loads whose rows it loads to one :class:`Fix`.

Each load adds what it needs, along its route from the queryset: ``select_related`` for
single-valued steps, ``prefetch_related`` past a list-valued one, a ``Prefetch`` with the
per-row query's filters, order and ``to_attr`` (and the :class:`Read` of that attribute)
when the loop filters, orders, slices or takes the first row, an annotation for a
per-row ``count()``/``exists()``/``aggregate()``, and ``only()`` when the queryset leaves
fields out. A load that cannot be written so gets a hint in words instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import models

from workshop_site.lab.inspector.fixes import (
    Annotation,
    Fix,
    Lookups,
    PrefetchSpec,
    Read,
    manager_code,
)
from workshop_site.lab.inspector.loads import MISSING, Load, parameter
from workshop_site.lab.inspector.routes import Route, Step
from workshop_site.lab.inspector.schema import (
    Model,
    field_for_column,
    lookup_name,
    schema,
    verbose,
)
from workshop_site.lab.inspector.sql import Condition, Select

__all__ = ["Plan", "plan"]

_LOOKUPS = {"=": "", ">=": "__gte", ">": "__gt", "<=": "__lte", "<": "__lt", "IN": "__in"}


# -- building the fix of one queryset ---------------------------------------------------


@dataclass
class Plan:
    """The fix for one queryset and, for each load, the read change or the hint."""

    fix: Fix
    reads: dict[int, Read] = field(default_factory=dict)  # id(load) -> read change
    hints: dict[int, str] = field(default_factory=dict)  # id(load) -> hint (no fix)


@dataclass
class _Builder:
    model: Model
    route_origin_select: Select | None
    select_related: list[str] = field(default_factory=list)
    prefetch: list[str | PrefetchSpec] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    reads: dict[int, Read] = field(default_factory=dict)
    hints: dict[int, str] = field(default_factory=dict)


def plan(routes: list[tuple[Load, Route]]) -> Plan:
    """One combined fix for loads whose routes start from the same queryset."""
    first = routes[0][1]
    builder = _Builder(first.model, first.origin.select if first.origin else None)
    for load, route in sorted(routes, key=lambda pair: len(pair[1].steps)):
        hint = _add(builder, load, route)
        if hint:
            builder.hints[id(load)] = hint
    only, load_deferred, hint = _only(builder, [load for load, _ in routes])
    if hint:
        for load, _ in routes:
            if load.kind == "deferred":
                builder.hints[id(load)] = hint
    fix = Fix(
        model=builder.model,
        select_related=tuple(_unique(builder.select_related)),
        prefetch_related=tuple(_unique_prefetch(builder.prefetch)),
        annotations=tuple(builder.annotations),
        only=only,
        load_deferred=load_deferred,
        reads=tuple(builder.reads.values()),
    )
    return Plan(fix, builder.reads, builder.hints)


def _add(builder: _Builder, load: Load, route: Route) -> str:
    """Add what ``load`` needs to the fix; return a hint instead when it can't be fixed."""
    steps = list(route.steps)
    names = route.names
    many_before = [i for i, step in enumerate(steps[:-1]) if step.many]
    if load.kind == "deferred":
        if many_before:
            return _deferred_hint(load)
        prefix = names[:-1]
        for name in load.fields:
            found = next(
                (f for f in load.hop.owner._meta.concrete_fields if f.attname == name), None
            )
            field_name = found.name if found is not None else name
            builder.deferred.append("__".join([*prefix, field_name]))
        return ""
    if load.kind in ("forward", "lookup"):
        if load.kind == "lookup" and many_before:
            return (
                f"follow the relation ({verbose(load.hop.owner)}.{load.hop.accessor}) instead of "
                f"a lookup by its id, and load it with the rows"
            )
        _relation_path(builder, steps, names)
        if load.kind == "lookup":
            read = _lookup_read(load, route)
            builder.reads[id(load)] = read
        return ""
    return _many(builder, load, route, steps, names)


def _single(steps: list[Step]) -> int:
    """How many steps from the root are single-valued (what select_related can join)."""
    count = 0
    while count < len(steps) and not steps[count].many:
        count += 1
    return count


def _relation_path(builder: _Builder, steps: list[Step], names: list[str]) -> None:
    """select_related for single-valued steps from the root, prefetch_related past them."""
    if _enclosing_spec(builder, names) is not None:
        return
    single = _single(steps)
    if single == len(steps):
        builder.select_related.append("__".join(names))
        return
    if single:
        builder.select_related.append("__".join(names[:single]))
    builder.prefetch.append("__".join(names))


def _enclosing_spec(builder: _Builder, names: list[str]) -> PrefetchSpec | None:
    """A Prefetch object of this fix that the path goes through: extend its queryset."""
    for index, item in enumerate(builder.prefetch):
        if not isinstance(item, PrefetchSpec):
            continue
        base = item.lookup.split("__")
        if names[: len(base)] == base and len(names) > len(base):
            rest = "__".join(names[len(base) :])
            builder.prefetch[index] = replace(item, select_related=(*item.select_related, rest))
            return builder.prefetch[index]  # type: ignore[return-value]
    return None


def _many(builder: _Builder, load: Load, route: Route, steps: list[Step], names: list[str]) -> str:
    hop = load.hop
    path = "__".join(names)
    many_before = [i for i, step in enumerate(steps[:-1]) if step.many]
    single_prefix = not many_before
    filters = _lookups(load)
    if filters is None:
        return (
            f'put the .filter() into a Prefetch("{path}", queryset='
            f"{manager_code(hop.related)}.filter(...), to_attr=...) and read that attribute"
        )
    ordering = _ordering(load)
    if ordering is None:
        return f'put the .order_by() into a Prefetch("{path}", ...) and read its to_attr'
    holder = _holder(route)
    if load.shape in ("count", "exists", "aggregate"):
        if not single_prefix:
            return (
                f"annotate() the queryset whose rows the loop reads with the "
                f"{load.shape} of {hop.accessor}"
            )
        return _aggregate(builder, load, route, names, filters)
    if load.shape not in ("all", "first", "slice"):
        return (
            f'prefetch {hop.accessor} with Prefetch("{path}", ..., to_attr=...) and pick '
            "the row in Python"
        )
    if not filters and not ordering and load.shape == "all":
        _relation_path(builder, steps, names)
        if load.manual:
            builder.reads[id(load)] = Read(
                model=holder[0],
                path="__".join(holder[1]),
                shape="manager",
                attribute=hop.accessor,
                prefix=tuple(holder[1][:-1]),
                was=_manual_expression(load, names),
                now=f"{verbose(hop.owner)}.{hop.accessor}.all()",
            )
        return ""
    to_attr = _to_attr(builder, load, bool(filters))
    spec = PrefetchSpec(path, hop.related, filters, ordering, to_attr=to_attr)
    single = _single(steps)
    if single and single_prefix:
        builder.select_related.append("__".join(names[:single]))
    builder.prefetch.append(spec)
    start, stop = _bounds(load)
    shape = load.shape
    now = f"{verbose(hop.owner)}.{to_attr}"
    if shape == "first":
        now = f"next(iter({now}), None)"
    elif shape == "slice":
        now += f"[{'' if start is None else start}:{'' if stop is None else stop}]"
    builder.reads[id(load)] = Read(
        model=holder[0],
        path="__".join(holder[1]),
        shape=shape,
        attribute=to_attr,
        prefix=tuple(holder[1][:-1]),
        start=start,
        stop=stop,
        now=now,
    )
    return ""


def _aggregate(
    builder: _Builder, load: Load, route: Route, names: list[str], filters: Lookups
) -> str:
    hop = load.hop
    path = "__".join(names)
    base = "_".join(names)
    related_filters = tuple((f"{path}__{name}", value) for name, value in filters)
    keys: list[tuple[str, str]] = []
    if load.shape == "count":
        name = f"{base}_count"
        builder.annotations.append(Annotation(name, "Count", path, True, related_filters))
        now = f"{verbose(route.model)}.{name}"
    elif load.shape == "exists":
        name = f"has_{base}"
        backlink, outer = _backlink(load, names)
        if backlink is None:
            return f"annotate() the rows with Exists(...) of {hop.accessor}"
        builder.annotations.append(
            Annotation(
                name, "Exists", backlink, filters=filters, exists_model=hop.related, outer=outer
            )
        )
        now = f"{verbose(route.model)}.{name}"
    else:
        assert load.select is not None
        for aggregate in load.select.aggregates:
            column = aggregate.column
            function = {"COUNT": "Count", "AVG": "Avg", "SUM": "Sum", "MIN": "Min", "MAX": "Max"}
            if column is None or aggregate.function not in function or not aggregate.alias:
                return f"annotate() the rows with the aggregates of {hop.accessor}"
            target = lookup_name(hop.related, column.name)
            if target is None:
                return f"annotate() the rows with the aggregates of {hop.accessor}"
            pk = hop.related._meta.pk
            target_path = path if pk is not None and target == pk.attname else f"{path}__{target}"
            name = f"{base}_{aggregate.alias}"
            distinct = aggregate.function == "COUNT"
            builder.annotations.append(
                Annotation(
                    name, function[aggregate.function], target_path, distinct, related_filters
                )
            )
            keys.append((aggregate.alias, name))
        row = verbose(route.model)
        now = "{" + ", ".join(f'"{key}": {row}.{name}' for key, name in keys) + "}"
    builder.reads[id(load)] = Read(
        model=route.model,
        path=path,
        shape=load.shape,
        attribute=name,
        keys=tuple(keys),
        now=now,
    )
    return ""


def _backlink(load: Load, names: list[str]) -> tuple[str | None, str]:
    """For ``Exists``: the lookup from the related model back to the row, and what
    ``OuterRef`` names (the row's pk, or the foreign key the path starts with)."""
    hop = load.hop
    outer = "__".join(names[:-1]) if len(names) > 1 else "pk"
    if load.kind == "reverse":
        fk = next(
            (
                f
                for f in hop.related._meta.concrete_fields
                if isinstance(f, models.ForeignKey)
                and f.remote_field.get_accessor_name() == hop.accessor
                and f.related_model is hop.owner
            ),
            None,
        )
        return (fk.name if fk is not None else None), outer
    m2m = next(
        (
            f
            for f in schema().m2m.values()
            if (f.model is hop.owner and f.name == hop.accessor)
            or (f.related_model is hop.owner and f.remote_field.get_accessor_name() == hop.accessor)
        ),
        None,
    )
    if m2m is None:
        return None, outer
    if m2m.model is hop.owner:
        return m2m.related_query_name(), outer
    return m2m.name, outer


def _holder(route: Route) -> tuple[Model, list[str]]:
    """The rows the loop code holds when it reads the load (after the last list-valued
    step before it), and the path from them."""
    steps = route.steps
    start = 0
    for index, step in enumerate(steps[:-1]):
        if step.many:
            start = index + 1
    model = steps[start].hop.owner if start else route.model
    return model, [step.hop.accessor for step in steps[start:]]


def _to_attr(builder: _Builder, load: Load, filtered: bool) -> str:
    base = f"{'filtered' if filtered else 'ordered'}_{load.hop.accessor}"
    taken = {p.to_attr for p in builder.prefetch if isinstance(p, PrefetchSpec)}
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def _bounds(load: Load) -> tuple[int | None, int | None]:
    select = load.select
    if select is None or load.shape != "slice":
        return None, None
    start = select.offset
    stop = None if select.limit is None else (start or 0) + select.limit
    return start, stop


def _lookups(load: Load) -> Lookups | None:
    """``rating__gte=4`` from ``"shop_review"."rating" >= %s`` and its parameter; None
    when a condition can't be written as a lookup."""
    if load.select is None:
        return ()
    if load.select.unread:
        return None  # a condition the SQL reader could not read
    alias = load.select.alias
    lookups = []
    for condition in load.filters:
        if condition.column.table != alias:
            return None
        lookup = _lookup(load, condition)
        if lookup is None:
            return None
        lookups.append(lookup)
    return tuple(lookups)


def _lookup(load: Load, condition: Condition) -> tuple[str, Any] | None:
    name = lookup_name(load.hop.related, condition.column.name)
    if name is None:
        return None
    if condition.op in ("IS NULL", "IS NOT NULL"):
        return f"{name}__isnull", condition.op == "IS NULL"
    suffix = _LOOKUPS.get(condition.op)
    if suffix is None:
        return None
    if condition.value in ("TRUE", "FALSE"):
        return name, condition.value == "TRUE"
    values = []
    for position in condition.params:
        found = {_plain(parameter(query, position)) for query in load.group.queries}
        if len(found) != 1:
            return None
        value = found.pop()
        if value is MISSING:
            return None
        values.append(value)
    if condition.op == "IN":
        return f"{name}{suffix}", values
    return (f"{name}{suffix}", values[0]) if len(values) == 1 else None


def _plain(value: Any) -> Any:
    """psycopg passes numbers as its own int subclasses (Int2(4)): plain Python values."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Decimal):
        return value
    return MISSING


def _ordering(load: Load) -> tuple[str, ...] | None:
    """The ``order_by()`` the per-row queries use when it is not the model's own; None
    when it can't be read."""
    if load.ordering is None or load.select is None:
        return None
    names = []
    for term in load.ordering:
        if term.column.table != load.select.alias:
            return None
        name = lookup_name(load.hop.related, term.column.name)
        if name is None:
            return None
        names.append(f"-{name}" if term.descending else name)
    return tuple(names)  # loads.py already left out the model's own ordering


def _only(builder: _Builder, loads: list[Load]) -> tuple[tuple[str, ...] | None, bool, str]:
    """``only()`` for the queryset: needed when it selects some columns only (its own
    ``only``/``defer``) or when the loop reads deferred fields. Returns (the fields for
    ``only()``, or None; whether ``defer(None)`` says it shorter; a hint when the
    queryset is unknown)."""
    select = builder.route_origin_select
    if select is None:
        if builder.deferred:
            deferred = next(load for load in loads if load.kind == "deferred")
            return None, False, _deferred_hint(deferred)
        return None, False, ""
    db = schema()
    model = db.model(select.table)
    if model is None:
        return None, False, ""
    loaded: list[str] = []  # what the queryset loads now, as only() names
    partial: set[str] = set()  # aliases it loads some columns of
    for alias, prefix in db.single_valued(select):
        table_model = db.model(select.table_of(alias))
        chosen = select.selects(alias)
        if table_model is None or not chosen:
            continue
        every = {f.column for f in table_model._meta.concrete_fields}
        if set(chosen) >= every and prefix:
            loaded.append("__".join(prefix))
            continue
        if not set(chosen) >= every:
            partial.add(alias)
        for column in chosen:
            found = field_for_column(table_model, column)
            if found is not None and not found.primary_key:
                loaded.append("__".join([*prefix, found.name]))
    if not partial and not builder.deferred:
        return None, False, ""
    if _completes(select, builder.deferred):
        return None, True, ""  # what it leaves out is what the loop reads: load everything
    wanted = loaded + builder.deferred
    for path in builder.select_related:
        parts = path.split("__")
        wanted += ["__".join(parts[: i + 1]) for i in range(len(parts))]
    own = {f.name for f in model._meta.concrete_fields}
    for item in builder.prefetch:
        first = (item.lookup if isinstance(item, PrefetchSpec) else item).split("__")[0]
        if first in own:
            wanted.append(first)
    return tuple(dict.fromkeys(wanted)), False, ""


def _completes(select: Select, deferred: list[str]) -> bool:
    """Are the columns the queryset leaves out exactly the deferred fields the loop reads?"""
    db = schema()
    missing: set[str] = set()
    for alias, prefix in db.single_valued(select):
        table_model = db.model(select.table_of(alias))
        if table_model is None:
            continue
        chosen = set(select.selects(alias))
        for found in table_model._meta.concrete_fields:
            if found.column not in chosen:
                missing.add("__".join([*prefix, found.name]))
    return bool(missing) and missing <= set(deferred)


def _deferred_hint(load: Load) -> str:
    names = " and ".join(f'"{name}"' for name in load.fields)
    return (
        f"add {names} to the only() of the queryset that loads the "
        f"{_plural(load.hop.owner)}, or drop its defer()"
    )


def _lookup_read(load: Load, route: Route) -> Read:
    holder_model, path = _holder(route)
    relation = f"{verbose(load.hop.owner)}.{load.hop.accessor}"
    keys = tuple((name, name) for name in load.fields)
    now = relation
    if load.shape == "flat":
        now = f"{relation}.{load.fields[0]}"
    elif load.shape == "tuple":
        now = "(" + ", ".join(f"{relation}.{name}" for name in load.fields) + ")"
    elif load.shape == "values":
        now = "{" + ", ".join(f'"{name}": {relation}.{name}' for name in load.fields) + "}"
    return Read(
        model=holder_model,
        path="__".join(path),
        shape=load.shape,
        attribute=load.hop.accessor,
        prefix=tuple(path[:-1]),
        keys=keys,
        now=now,
    )


def _manual_expression(load: Load, names: list[str]) -> str:
    """``Review.objects.filter(product=product)``: the lookup by hand, as the message shows it."""
    backlink, _ = _backlink(load, names)
    row = verbose(load.hop.owner)
    return f"{manager_code(load.hop.related)}.filter({backlink or '...'}={row})"


def _plural(model: Model) -> str:
    return str(model._meta.verbose_name_plural)


def _unique(paths: list[str]) -> list[str]:
    """Drop a path another one extends: ``product__brand`` covers ``product``."""
    kept = []
    for path in dict.fromkeys(paths):
        if not any(other != path and other.startswith(path + "__") for other in paths):
            kept.append(path)
    return kept


def _unique_prefetch(items: list[str | PrefetchSpec]) -> list[str | PrefetchSpec]:
    names = [item for item in items if isinstance(item, str)]
    kept_names = set(_unique(names))
    kept: list[str | PrefetchSpec] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, PrefetchSpec):
            kept.append(item)
        elif item in kept_names and item not in seen:
            seen.add(item)
            kept.append(item)
    return kept
