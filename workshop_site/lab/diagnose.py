"""N+1 diagnosis: which relation a group of similar queries follows, and the fix to try.

Django writes the query behind each kind of lazy load in a recognisable shape, and the
models' ``_meta`` says which table and column belong to which relation:

- forward FK / one-to-one (``customer.address``): all columns of ``shop_address``
  ``WHERE "shop_address"."id" = %s LIMIT 21``, after a query that loaded
  ``"shop_customer"."address_id"``;
- reverse FK (``product.images.all()``): ``WHERE "shop_productimage"."product_id" = %s``;
- many-to-many (``pizza.toppings.all()``): a join on the through table
  ``WHERE "shop_pizza_toppings"."pizza_id" = %s``;
- a deferred field (``product.description`` after ``only("title")``): the primary key and
  that one column, ``WHERE "shop_product"."id" = %s``;
- a ``.filter()`` on a prefetched relation: the reverse/M2M shape with more conditions,
  while the log already holds the prefetch's ``... IN (...)`` query — the prefetch was
  ignored; an ``.order_by()`` is the same trap, seen as an ORDER BY other than the
  related model's default.

A group is a set of similar queries (same SQL, parameters aside) from the same line.
Groups that follow each other's relations inside one loop (``listing.product.brand``)
get one combined fix: ``select_related("product__brand")``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

from workshop_site.lab.capture import Query, QueryLog, Source

__all__ = ["Finding", "diagnose"]

KINDS = ("forward", "reverse", "many_to_many", "deferred", "prefetch_filtered")


@dataclass(frozen=True)
class Finding:
    """One N+1: the relation it follows, how many queries, the line, and the fix."""

    relation: str  # "Customer.address", "Product.images", "Product.description"
    kind: str  # one of KINDS
    count: int  # number of similar queries in the group
    source: Source | None  # the line that caused them
    fix: str  # 'select_related("address")', 'prefetch_related("images")', ...
    message: str  # one plain sentence naming the line, the relation and the fix


def diagnose(log: QueryLog, *, threshold: int = 3) -> list[Finding]:
    """The N+1 patterns in ``log``: groups of ``threshold`` or more similar queries from
    one line that each load one relation. Most queries first."""
    if threshold < 2:
        raise ValueError(f"threshold must be at least 2 similar queries, got {threshold!r}")
    queries = list(log)
    groups = _groups(queries, threshold)
    if not groups:
        return []
    first_seen = _first_seen(queries)
    loads = [load for group in groups if (load := _classify(group, first_seen)) is not None]
    _link_chains(loads)
    loads.sort(key=lambda load: (-load.group.count, load.group.first))
    return [_finding(load) for load in loads]


# -- groups of similar queries ---------------------------------------------------------


@dataclass
class _Group:
    sql: str
    source: Source | None
    queries: list[Query]
    indexes: list[int]

    @property
    def count(self) -> int:
        return len(self.queries)

    @property
    def first(self) -> int:
        return self.indexes[0]

    @property
    def last(self) -> int:
        return self.indexes[-1]


def _groups(queries: list[Query], threshold: int) -> list[_Group]:
    by_key: dict[tuple[Any, ...], _Group] = {}
    for index, query in enumerate(queries):
        if query.many or not query.sql.startswith("SELECT"):
            continue
        where = (query.source.filename, query.source.lineno) if query.source else None
        key = (query.similar_key, where)
        group = by_key.get(key)
        if group is None:
            by_key[key] = _Group(query.sql, query.source, [query], [index])
        else:
            group.queries.append(query)
            group.indexes.append(index)
    return [g for g in by_key.values() if g.count >= threshold]


def _first_seen(queries: list[Query]) -> dict[str, int]:
    """Each distinct SQL text and the index of its first run."""
    seen: dict[str, int] = {}
    for index, query in enumerate(queries):
        seen.setdefault(query.sql, index)
    return seen


# -- parsing Django's SELECTs ----------------------------------------------------------

_SELECT = re.compile(r'^SELECT (?P<select>.*?) FROM "(?P<table>\w+)"(?P<rest>.*)$', re.S)
_JOIN = re.compile(r'INNER JOIN "(?P<table>\w+)" ON \("\w+"\."\w+" = "\w+"\."\w+"\)')
_WHERE = re.compile(r" WHERE (?P<where>.*?)(?: ORDER BY .*| LIMIT \d+.*| GROUP BY .*)?$", re.S)
_CONDITION = re.compile(
    r'^"(?P<table>\w+)"\."(?P<column>\w+)" (?P<op>=|>=|<=|>|<|<>|!=|IN|LIKE|IS|IS NOT) '
    r"(?P<value>.+)$",
    re.S,
)
# PostgreSQL writes a filter on a boolean as the bare column: WHERE "t"."c" / NOT "t"."c".
_BARE_BOOLEAN = re.compile(r'^(?P<negated>NOT )?"(?P<table>\w+)"\."(?P<column>\w+)"$')


@dataclass(frozen=True)
class _Condition:
    table: str
    column: str
    op: str
    value: str
    offset: int  # where it starts in the SQL, to find its parameter


@dataclass(frozen=True)
class _Shape:
    table: str
    select: str
    joins: tuple[str, ...]
    conditions: tuple[_Condition | str, ...]  # a str is a condition we could not read
    aggregate: str | None  # "count" for COUNT(*), "exists" for .exists(), else None

    def columns(self, table: str) -> set[str]:
        return set(re.findall(rf'"{table}"\."(\w+)"', self.select))


def _parse(sql: str) -> _Shape | None:
    match = _SELECT.match(sql)
    if match is None:
        return None
    rest = match["rest"]
    where = _WHERE.search(rest)
    if where is None:
        return None
    where_text = where["where"]
    base = sql.index(where_text, len(sql) - len(rest))
    conditions: list[_Condition | str] = []
    for text, offset in _conjuncts(where_text):
        parsed = _CONDITION.match(text)
        bare = _BARE_BOOLEAN.match(text) if parsed is None else None
        if bare is not None:
            value = "FALSE" if bare["negated"] else "TRUE"
            conditions.append(_Condition(bare["table"], bare["column"], "=", value, base + offset))
        elif parsed is None:
            conditions.append(text)
        else:
            conditions.append(
                _Condition(
                    parsed["table"], parsed["column"], parsed["op"], parsed["value"], base + offset
                )
            )
    select = match["select"]
    aggregate = "count" if "COUNT(" in select else "exists" if select == '%s AS "a"' else None
    return _Shape(
        table=match["table"],
        select=select,
        joins=tuple(j["table"] for j in _JOIN.finditer(rest[: where.start()])),
        conditions=tuple(conditions),
        aggregate=aggregate,
    )


def _conjuncts(where: str) -> list[tuple[str, int]]:
    """Top-level ``AND`` parts of a WHERE clause, each with its offset in ``where``."""
    start, end = 0, len(where)
    if where.startswith("(") and _closing(where, 0) == end - 1:
        start, end = 1, end - 1
    parts, depth, begin, i = [], 0, start, start
    while i < end:
        ch = where[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and where.startswith(" AND ", i):
            parts.append((where[begin:i], begin))
            begin = i + len(" AND ")
            i = begin
            continue
        i += 1
    parts.append((where[begin:end], begin))
    return parts


def _closing(text: str, opening: int) -> int:
    depth = 0
    for i in range(opening, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


# -- the models, by table and column ---------------------------------------------------


@dataclass(frozen=True)
class _Schema:
    models: dict[str, type[models.Model]]  # db_table -> model
    m2m: dict[str, models.ManyToManyField]  # type: ignore[name-defined]  # through table -> M2M
    # (table, column) -> forward FK / one-to-one fields that read a row by that column
    forward: dict[tuple[str, str], list[models.ForeignKey]]  # type: ignore[name-defined]


@cache
def _schema() -> _Schema:
    tables: dict[str, type[models.Model]] = {}
    m2m: dict[str, models.ManyToManyField] = {}
    forward: dict[tuple[str, str], list[models.ForeignKey]] = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        tables[model._meta.db_table] = model
        for f in model._meta.local_many_to_many:
            m2m[f.remote_field.through._meta.db_table] = f  # type: ignore[union-attr]
        for f in model._meta.concrete_fields:  # type: ignore[assignment]
            if f.is_relation and (f.many_to_one or f.one_to_one):
                target = f.target_field
                forward[(target.model._meta.db_table, target.column)].append(f)
    return _Schema(tables, m2m, dict(forward))


def _field_by_column(model: type[models.Model], column: str) -> models.Field | None:
    return next((f for f in model._meta.concrete_fields if f.column == column), None)


# -- what one group loads --------------------------------------------------------------


@dataclass
class _Load:
    """A group of similar queries read as one relation load."""

    group: _Group
    kind: str
    owner: type[models.Model]  # the model whose instances run the queries
    accessor: str  # the attribute read on them
    related: type[models.Model]  # the model of the rows each query loads
    shape: _Shape
    filters: list[_Condition | str] = field(default_factory=list)
    prefetched: bool = False  # an earlier IN (...) query already prefetched this relation
    deferred: list[str] = field(default_factory=list)
    parent: _Load | None = None
    children: list[_Load] = field(default_factory=list)

    @property
    def relation(self) -> str:
        return f"{self.owner.__name__}.{self.accessor}"


def _classify(group: _Group, first_seen: dict[str, int]) -> _Load | None:
    shape = _parse(group.sql)
    if shape is None:
        return None
    schema = _schema()
    keys = [c for c in shape.conditions if isinstance(c, _Condition) and c.op == "="]
    keys = [c for c in keys if c.value == "%s"]
    if len(shape.joins) == 1 and shape.joins[0] in schema.m2m:
        through = shape.joins[0]
        link = next((c for c in keys if c.table == through), None)
        if link is None:
            return None
        return _many_to_many(group, shape, schema.m2m[through], link, first_seen)
    if shape.joins:
        return None
    model = schema.models.get(shape.table)
    if model is None:
        return None
    for link in keys:
        if link.table != shape.table:
            continue
        column_field = _field_by_column(model, link.column)
        if column_field is None:
            continue
        if column_field.is_relation and (column_field.many_to_one or column_field.one_to_one):
            return _reverse(group, shape, column_field, link, first_seen)  # type: ignore[arg-type]
        by_key = (
            link.column == model._meta.pk.column or (shape.table, link.column) in schema.forward
        )
        if by_key and len(shape.conditions) == 1:
            return _forward_or_deferred(group, shape, model, link, first_seen)
    return None


def _many_to_many(
    group: _Group,
    shape: _Shape,
    m2m: models.ManyToManyField,
    link: _Condition,
    first_seen: dict[str, int],
) -> _Load | None:
    if link.column == m2m.m2m_column_name():
        owner, accessor, related = m2m.model, m2m.name, m2m.related_model
    elif link.column == m2m.m2m_reverse_name():
        owner, accessor = m2m.related_model, m2m.remote_field.get_accessor_name()  # type: ignore[assignment]
        related = m2m.model
    else:
        return None
    return _Load(
        group=group,
        kind="many_to_many",
        owner=owner,
        accessor=accessor,
        related=related,
        shape=shape,
        filters=[c for c in shape.conditions if c is not link],
        prefetched=_prefetched(link, group, first_seen),
    )


def _reverse(
    group: _Group,
    shape: _Shape,
    fk: models.ForeignKey,
    link: _Condition,
    first_seen: dict[str, int],
) -> _Load:
    filters = [c for c in shape.conditions if c is not link]
    return _Load(
        group=group,
        # A reverse one-to-one is a single row: select_related follows it like a forward FK.
        kind="forward" if fk.one_to_one else "reverse",
        owner=fk.related_model,
        accessor=fk.remote_field.get_accessor_name(),
        related=fk.model,
        shape=shape,
        filters=filters,
        prefetched=_prefetched(link, group, first_seen),
    )


def _forward_or_deferred(
    group: _Group,
    shape: _Shape,
    model: type[models.Model],
    link: _Condition,
    first_seen: dict[str, int],
) -> _Load | None:
    selected = shape.columns(shape.table)
    every = {f.column for f in model._meta.concrete_fields}
    if selected == every:
        fk = _forward_field(shape.table, link.column, group, first_seen)
        if fk is None:
            return None
        return _Load(group, "forward", fk.model, fk.name, model, shape)
    pk = model._meta.pk.column
    if link.column == pk and pk in selected and selected < every and len(selected) > 1:
        names = [f.attname for f in model._meta.concrete_fields if f.column in selected - {pk}]
        load = _Load(group, "deferred", model, names[0], model, shape)
        load.deferred = names
        return load
    return None


def _forward_field(
    table: str, column: str, group: _Group, first_seen: dict[str, int]
) -> models.ForeignKey | None:
    """Which forward relation loads rows of ``table`` by ``column`` in this group.

    Evidence, strongest first: an earlier query in the log selected the foreign key's
    column (the rows being looped over), and the source line reads ``.<name>``. With no
    earlier query (the rows were loaded before recording began), the line alone must name
    exactly one candidate. A loop of ``.get()`` with neither is not a relation load.
    """
    code = group.source.code if group.source else ""
    loaded, named = [], []
    for fk in _schema().forward.get((table, column), []):
        mentioned = re.search(rf"\.{fk.name}\b", code) is not None
        selected_by = _last_selecting(fk.model._meta.db_table, fk.column, group, first_seen)
        if selected_by is not None:
            loaded.append((mentioned, selected_by, fk))
        elif mentioned:
            named.append(fk)
    if loaded:
        return max(loaded, key=lambda c: (c[0], c[1]))[2]
    return named[0] if len(named) == 1 else None


def _last_selecting(
    table: str, column: str, group: _Group, first_seen: dict[str, int]
) -> int | None:
    needle = f'"{table}"."{column}"'
    found = [
        index
        for sql, index in first_seen.items()
        if index < group.first and needle in sql.split(" FROM ", 1)[0]
    ]
    return max(found, default=None)


def _prefetched(link: _Condition, group: _Group, first_seen: dict[str, int]) -> bool:
    """Did an earlier query load this relation for many rows at once (``IN (...)``)?"""
    needle = f'"{link.table}"."{link.column}" IN ('
    return any(index < group.first and needle in sql for sql, index in first_seen.items())


# -- nested relations ------------------------------------------------------------------


def _link_chains(loads: list[_Load]) -> None:
    """``listing.product.brand``: a load whose owner is another load's related model, run
    inside the same loop (their queries interleave), continues that load's path."""
    for inner in loads:
        for outer in loads:
            if outer is inner or outer.kind == "deferred" or outer.filters:
                continue
            if outer.related is not inner.owner:
                continue
            interleaved = (
                outer.group.first < inner.group.last and inner.group.first < outer.group.last
            )
            if interleaved and inner.parent is None and not _is_ancestor(inner, outer):
                inner.parent = outer
                outer.children.append(inner)


def _is_ancestor(candidate: _Load, load: _Load) -> bool:
    node: _Load | None = load
    while node is not None:
        if node is candidate:
            return True
        node = node.parent
    return False


def _path(load: _Load) -> list[_Load]:
    hops = [load]
    while hops[0].parent is not None:
        hops.insert(0, hops[0].parent)
    return hops


def _deepest_paths(load: _Load) -> list[list[_Load]]:
    """Every root-to-leaf path through ``load``'s chain (the fix must cover them all)."""
    root = _path(load)[0]
    paths: list[list[_Load]] = []

    def walk(node: _Load, path: list[_Load]) -> None:
        path = [*path, node]
        if not node.children:
            paths.append(path)
        for child in node.children:
            walk(child, path)

    walk(root, [])
    return paths


# -- fixes and messages ----------------------------------------------------------------


def _finding(load: _Load) -> Finding:
    fix = _fix(load)
    return Finding(
        relation=load.relation,
        kind="prefetch_filtered" if _requeried(load) else load.kind,
        count=load.group.count,
        source=load.group.source,
        fix=fix,
        message=_message(load, fix),
    )


def _fix(load: _Load) -> str:
    if load.kind == "deferred":
        names = ", ".join(f'"{n}"' for n in load.deferred)
        return f"only(...) including {names} / drop the defer"
    if load.filters or _requeried(load):
        return _prefetch_object(load)
    if load.kind == "reverse" and load.shape.aggregate and load.parent is None:
        return f'annotate({load.accessor}_count=Count("{load.accessor}"))'
    paths = _deepest_paths(load)
    if len(paths) == 1 and len(paths[0]) == 1:
        return _single_fix(load)
    return ".".join(_chain_fix(paths))


def _single_fix(load: _Load) -> str:
    if load.kind == "forward":
        return f'select_related("{load.accessor}")'
    return f'prefetch_related("{load.accessor}")'


def _chain_fix(paths: list[list[_Load]]) -> list[str]:
    """Forward hops from the root join in (select_related); the rest is prefetched."""
    joined: list[str] = []
    prefetched: list[str] = []
    for path in paths:
        names = [hop.accessor for hop in path]
        forward = 0
        while forward < len(path) and path[forward].kind == "forward":
            forward += 1
        if forward == len(path):
            joined.append("__".join(names))
        else:
            if forward:
                joined.append("__".join(names[:forward]))
            prefetched.append("__".join(names))
    parts = []
    if joined:
        parts.append("select_related(" + ", ".join(f'"{p}"' for p in _unique(joined)) + ")")
    if prefetched:
        parts.append("prefetch_related(" + ", ".join(f'"{p}"' for p in _unique(prefetched)) + ")")
    return parts


def _unique(paths: list[str]) -> list[str]:
    """Drop a path another one extends: ``product__brand`` covers ``product``."""
    kept = []
    for p in dict.fromkeys(paths):
        if not any(other != p and other.startswith(p + "__") for other in paths):
            kept.append(p)
    return kept


def _prefetch_object(load: _Load) -> str:
    manager = f"{load.related.__name__}.objects"
    if load.filters:
        manager += f".filter({_lookups(load)})"
    if ordering := _reordered(load):
        manager += ".order_by(" + ", ".join(f'"{name}"' for name in ordering) + ")"
    return f'Prefetch("{load.accessor}", queryset={manager}, to_attr="{_to_attr(load)}")'


def _to_attr(load: _Load) -> str:
    return f"{'filtered' if load.filters else 'ordered'}_{load.accessor}"


_ORDER_BY = re.compile(r" ORDER BY (?P<terms>[^()]+?)(?: LIMIT \d+(?: OFFSET \d+)?)?$")
_ORDER_TERM = re.compile(r'^"(?P<table>\w+)"\."(?P<column>\w+)" (?P<direction>ASC|DESC)$')


def _reordered(load: _Load) -> list[str]:
    """``["-created_at"]`` when the queries order an already prefetched relation otherwise
    than its model does: an ``.order_by()`` that, like ``.filter()``, ignored the prefetch."""
    if not load.prefetched or load.kind not in ("reverse", "many_to_many"):
        return []
    match = _ORDER_BY.search(load.group.sql)
    if match is None:
        return []
    names = []
    for term in match["terms"].split(", "):
        parsed = _ORDER_TERM.match(term)
        if parsed is None or parsed["table"] != load.related._meta.db_table:
            return []
        model_field = _field_by_column(load.related, parsed["column"])
        if model_field is None:
            return []
        name = model_field.attname if model_field.is_relation else model_field.name
        names.append(f"-{name}" if parsed["direction"] == "DESC" else name)
    return [] if names == [str(o) for o in load.related._meta.ordering] else names  # type: ignore[union-attr]


def _requeried(load: _Load) -> bool:
    """A prefetched relation queried again per row, by a ``.filter()`` or ``.order_by()``."""
    return load.prefetched and bool(load.filters or _reordered(load))


_LOOKUPS = {"=": "", ">=": "__gte", ">": "__gt", "<=": "__lte", "<": "__lt"}


def _lookups(load: _Load) -> str:
    """``rating__gte=4`` from ``"shop_review"."rating" >= %s`` and its parameter."""
    table = load.related._meta.db_table
    parts = []
    for condition in load.filters:
        if not isinstance(condition, _Condition) or condition.table != table:
            return "..."
        model_field = _field_by_column(load.related, condition.column)
        suffix = _LOOKUPS.get(condition.op)
        if model_field is None or suffix is None or condition.value not in ("%s", "TRUE", "FALSE"):
            return "..."
        name = model_field.attname if model_field.is_relation else model_field.name
        if condition.value == "%s":
            value = _parameter(load.group, condition.offset)
        else:
            value = "True" if condition.value == "TRUE" else "False"
        parts.append(f"{name}{suffix}={value}")
    return ", ".join(parts) or "..."


def _parameter(group: _Group, offset: int) -> str:
    position = group.sql.count("%s", 0, offset)
    values = set()
    for query in group.queries:
        try:
            values.add(_literal(query.params[position]))
        except (IndexError, KeyError, TypeError):
            return "..."
    return values.pop() if len(values) == 1 else "..."


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return repr(value)
    # psycopg passes numbers wrapped in its own int/float subclasses (Int2(4) ...).
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float | Decimal):
        return repr(value if type(value) in (float, Decimal) else float(value))
    return "..."


def _name(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name).replace(" ", "_")


def _where(source: Source | None) -> str:
    if source is None:
        return "an unknown line"
    if source.in_notebook or source.function.startswith("<"):  # <module>, <lambda>
        return f"`{source.short}`"
    return f"`{source.short}` (in `{source.function}`)"


def _expression(load: _Load) -> str:
    if load.kind == "deferred":
        return f"{_name(load.owner)}.{load.accessor}"
    parts: list[str] = []
    for hop in _path(load):
        # After a reverse or many-to-many hop the code loops over the related rows, so
        # the expression starts again from one of them: ``order_line.listing``.
        if not parts or (hop.parent is not None and hop.parent.kind != "forward"):
            parts = [_name(hop.owner)]
        parts.append(hop.accessor)
    expr = ".".join(parts)
    if load.filters:
        return f"{expr}.filter(...)"
    if _reordered(load):
        return f"{expr}.order_by(...)"
    if load.shape.aggregate == "count":
        return f"{expr}.count()"
    if load.shape.aggregate == "exists":
        return f"{expr}.exists()"
    if load.kind in ("reverse", "many_to_many"):
        return f"{expr}.all()"
    return expr


def _message(load: _Load, fix: str) -> str:
    per = f"{load.group.count} similar queries, one per {_name(load.owner)}"
    where, expr = _where(load.group.source), _expression(load)
    if load.kind == "deferred":
        what = f"{where} reads `{expr}`, which the queryset deferred"
    elif _requeried(load):
        method = "a `.filter()`" if load.filters else "an `.order_by()`"
        what = (
            f"{where} calls `{expr}`, and {method} on a related manager ignores the "
            f'earlier `prefetch_related("{load.accessor}")`'
        )
    else:
        what = f"{where} reads `{expr}`"
    if load.kind == "deferred":
        names = " and ".join(f'"{n}"' for n in load.deferred)
        sentence = f"{per} — {what}; try adding {names} to `only(...)` or dropping the `defer`"
    else:
        sentence = f"{per} — {what}; try `{fix}`"
    if load.filters or _requeried(load):
        sentence += f" and read `{_name(load.owner)}.{_to_attr(load)}`"
    if load.kind in ("forward", "deferred") and not load.filters:
        # Django 6.1's fetch modes load a forward relation or a deferred field for every
        # instance of the queryset at once; they do nothing for related managers.
        sentence += ", or `.fetch_mode(FETCH_PEERS)` on the queryset"
    return sentence
