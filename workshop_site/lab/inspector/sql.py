"""Reading the SELECTs Django's compiler writes: tables, columns, joins, conditions.

A pure module (no Django, no database): ``parse(sql)`` turns one statement, with its
``%s`` placeholders, into a :class:`Select`. It reads the regular shape Django writes on
SQLite and PostgreSQL — double-quoted ``"table"."column"`` names, ``INNER JOIN "t" "T2" ON
("a"."x" = "T2"."y")``, top-level ``AND``s, ``ORDER BY ... LIMIT n OFFSET m`` — and keeps
what it cannot read as text instead of guessing.

Why not sqlparse (already installed, and used to *format* SQL in ``display.py``): it
tokenises, but gives no structure for a join's ON condition or a WHERE's conjuncts, so
the code on top of it would be as long as this reader and slower; the statements read
here are only Django's own, one fixed shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Aggregate",
    "Column",
    "Condition",
    "Join",
    "Order",
    "Select",
    "parse",
    "split_top_level",
]

_NAME = r'"([^"]+)"'
_COLUMN = re.compile(rf"^\(?{_NAME}\.{_NAME}\)?$")
_ALIASED = re.compile(rf"^(?P<expr>.+?) AS {_NAME}$", re.S)
_FROM = re.compile(rf"^{_NAME}(?: {_NAME})?")
_JOIN = re.compile(
    rf"^(?P<kind>INNER|LEFT OUTER) JOIN {_NAME}(?: {_NAME})? ON "
    rf"\({_NAME}\.{_NAME} = {_NAME}\.{_NAME}\)"
)
_AGGREGATE = re.compile(
    r"^(?P<function>COUNT|SUM|AVG|MIN|MAX)\((?P<distinct>DISTINCT )?(?P<arg>.+)\)$", re.S
)
_COLUMN_TEXT = rf"\(?{_NAME}\.{_NAME}\)?"
# PostgreSQL casts a text column for LIKE: "t"."c"::text LIKE %s
_CONDITION = re.compile(
    rf"^{_COLUMN_TEXT}(?:::\w+)? (?P<op>=|<>|!=|>=|<=|>|<|IN|LIKE|BETWEEN) (?P<value>.+)$", re.S
)
# PostgreSQL's case-insensitive lookups: UPPER("t"."c"::text) LIKE UPPER(%s)
_UPPER_LIKE = re.compile(rf"^UPPER\({_NAME}\.{_NAME}::text\) LIKE UPPER\(%s\)$")
_NULL_TEST = re.compile(rf"^{_COLUMN_TEXT} IS (?P<not>NOT )?NULL$")
# PostgreSQL writes a filter on a boolean as the bare column: "t"."c" / NOT "t"."c".
_BOOLEAN = re.compile(rf"^(?P<not>NOT )?{_COLUMN_TEXT}$")
_ORDER = re.compile(rf"^{_NAME}\.{_NAME} (?P<direction>ASC|DESC)$")
_LIMIT = re.compile(r"^LIMIT (?P<limit>\d+)(?: OFFSET (?P<offset>\d+))?$")
_CLAUSES = ("WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET")


@dataclass(frozen=True, slots=True)
class Column:
    """``"table"."column"``: ``table`` is the table's name or its alias (``T2``)."""

    table: str
    name: str


@dataclass(frozen=True, slots=True)
class Join:
    kind: str  # "INNER" or "LEFT OUTER"
    table: str
    alias: str  # the table's name when it has no alias
    left: Column
    right: Column


@dataclass(frozen=True, slots=True)
class Condition:
    """One top-level conjunct of the WHERE clause that this module could read."""

    column: Column
    op: str  # "=", ">=", "IN", "LIKE", "ILIKE", "BETWEEN", "IS NULL", "IS NOT NULL"
    value: str  # as written: "%s", "(%s, %s)", "TRUE"/"FALSE" for a bare boolean
    params: tuple[int, ...]  # positions of its parameters in the statement's params

    @property
    def is_key(self) -> bool:
        """``"t"."c" = %s``: one row's key, the shape of a lookup by one value."""
        return self.op == "=" and self.value == "%s"


@dataclass(frozen=True, slots=True)
class Order:
    column: Column
    descending: bool


@dataclass(frozen=True, slots=True)
class Aggregate:
    """``COUNT(*)``, ``AVG("t"."c")``, ``COUNT(DISTINCT "t"."id")`` ... with its alias."""

    function: str
    column: Column | None  # None for COUNT(*) or an expression this module cannot read
    distinct: bool
    alias: str


@dataclass(frozen=True, slots=True)
class Select:
    """One SELECT as Django wrote it."""

    table: str
    alias: str
    columns: tuple[Column, ...]  # plain columns of the select list, in order
    aliases: tuple[str, ...]  # their ``AS "name"`` (values()/values_list() rows), or ""
    aggregates: tuple[Aggregate, ...]
    exists: bool  # ``SELECT 1 AS "a" ... LIMIT 1`` (SQLite: ``%s AS "a"``): ``.exists()``
    unread_columns: int  # select-list items that are neither columns nor aggregates
    joins: tuple[Join, ...]
    conditions: tuple[Condition, ...]
    unread: tuple[str, ...]  # top-level WHERE conjuncts this module could not read
    order_by: tuple[Order, ...] | None  # None: an ORDER BY this module could not read
    limit: int | None
    offset: int | None
    grouped: bool

    def table_of(self, alias: str) -> str | None:
        """The table behind ``alias`` (the base table, a joined table, or None)."""
        if alias == self.alias:
            return self.table
        for join in self.joins:
            if join.alias == alias:
                return join.table
        return None

    def aliases_of(self, table: str) -> list[str]:
        """Every alias under which ``table`` appears, the base table first."""
        found = [self.alias] if self.table == table else []
        return found + [join.alias for join in self.joins if join.table == table]

    def selects(self, alias: str) -> list[str]:
        """The columns selected from ``alias``, in order."""
        return [column.name for column in self.columns if column.table == alias]

    @property
    def counts(self) -> bool:
        """``SELECT COUNT(*) AS "__count"``: ``.count()``."""
        return (
            len(self.aggregates) == 1
            and self.aggregates[0].function == "COUNT"
            and self.aggregates[0].column is None
            and self.aggregates[0].alias == "__count"
            and not self.columns
        )


@lru_cache(maxsize=4096)  # an N+1 repeats one statement: read it once
def parse(sql: str) -> Select | None:
    """The :class:`Select` in ``sql``, or None when it is not a SELECT of Django's shape
    (an INSERT, a subquery in FROM, a UNION, raw SQL ...)."""
    if not sql.startswith("SELECT "):
        return None
    head = _find_top_level(sql, " FROM ", 7)
    if head < 0:
        return None
    select_list = sql[7:head]
    if select_list.startswith("DISTINCT "):
        select_list = select_list[len("DISTINCT ") :]
    rest_start = head + len(" FROM ")
    clauses = _clauses(sql, rest_start)
    source = sql[rest_start : clauses[0][1] - len(clauses[0][0]) - 2 if clauses else len(sql)]
    tables = _read_from(source)
    if tables is None:
        return None
    table, alias, joins = tables
    columns, aliases, aggregates, exists, unread_columns = _read_select_list(select_list)
    found = {name: (start, end) for name, start, end in clauses}
    conditions: tuple[Condition, ...] = ()
    unread: tuple[str, ...] = ()
    if "WHERE" in found:
        start, end = found["WHERE"]
        conditions, unread = _read_where(sql, start, end)
    order_by: tuple[Order, ...] | None = ()
    if "ORDER BY" in found:
        start, end = found["ORDER BY"]
        order_by = _read_order(sql[start:end])
    limit = offset = None
    if "LIMIT" in found:
        start, _ = found["LIMIT"]
        match = _LIMIT.match(sql[start - len("LIMIT ") :].strip())
        if match:
            limit = int(match["limit"])
            offset = int(match["offset"]) if match["offset"] else None
    return Select(
        table=table,
        alias=alias,
        columns=columns,
        aliases=aliases,
        aggregates=aggregates,
        exists=exists and limit == 1,
        unread_columns=unread_columns,
        joins=joins,
        conditions=conditions,
        unread=unread,
        order_by=order_by,
        limit=limit,
        offset=offset,
        grouped="GROUP BY" in found,
    )


# -- scanning outside quotes and parentheses -------------------------------------------


def _top_level(text: str, start: int = 0) -> Iterator[int]:
    """Indexes of ``text`` (from ``start``) outside parentheses and quoted names/strings."""
    depth = 0
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            yield i


def _find_top_level(text: str, needle: str, start: int = 0) -> int:
    for i in _top_level(text, start):
        if text.startswith(needle, i):
            return i
    return -1


def split_top_level(text: str, separator: str) -> list[tuple[str, int]]:
    """``text`` split on ``separator`` outside parentheses and quotes, each part with its
    offset in ``text``."""
    parts: list[tuple[str, int]] = []
    begin = 0
    skip_until = -1
    for i in _top_level(text):
        if i < skip_until:
            continue
        if text.startswith(separator, i):
            parts.append((text[begin:i], begin))
            begin = i + len(separator)
            skip_until = begin
    parts.append((text[begin:], begin))
    return parts


def _clauses(sql: str, start: int) -> list[tuple[str, int, int]]:
    """The top-level clauses after FROM: (keyword, body start, body end), in order."""
    found: list[tuple[str, int]] = []
    for i in _top_level(sql, start):
        if sql[i] != " ":
            continue
        for keyword in _CLAUSES:
            if sql.startswith(f" {keyword} ", i) and not (
                keyword == "OFFSET" and found and found[-1][0] == "LIMIT"
            ):
                found.append((keyword, i))
                break
    spans = []
    for number, (keyword, at) in enumerate(found):
        end = found[number + 1][1] if number + 1 < len(found) else len(sql)
        spans.append((keyword, at + len(keyword) + 2, end))
    return spans


# -- the parts of a SELECT ---------------------------------------------------------------


def _read_from(source: str) -> tuple[str, str, tuple[Join, ...]] | None:
    match = _FROM.match(source)
    if match is None:
        return None
    table = match[1]
    alias = match[2] or table
    joins = []
    rest = source[match.end() :]
    while rest:
        if not rest.startswith(" "):
            return None
        rest = rest[1:]
        join = _JOIN.match(rest)
        if join is None:
            return None
        joined_alias = join[3] or join[2]
        joins.append(
            Join(
                kind=join["kind"],
                table=join[2],
                alias=joined_alias,
                left=Column(join[4], join[5]),
                right=Column(join[6], join[7]),
            )
        )
        rest = rest[join.end() :]
    return table, alias, tuple(joins)


def _read_select_list(
    text: str,
) -> tuple[tuple[Column, ...], tuple[str, ...], tuple[Aggregate, ...], bool, int]:
    columns: list[Column] = []
    aliases: list[str] = []
    aggregates: list[Aggregate] = []
    exists = False
    unread = 0
    for item, _ in split_top_level(text, ", "):
        expression, alias = item, ""
        aliased = _ALIASED.match(item)
        if aliased:
            expression, alias = aliased["expr"], aliased[2]
        column = _COLUMN.match(expression)
        if column:
            columns.append(Column(column[1], column[2]))
            aliases.append(alias)
            continue
        aggregate = _AGGREGATE.match(expression)
        if aggregate and _closing(expression, expression.index("(")) == len(expression) - 1:
            argument = _COLUMN.match(aggregate["arg"])
            aggregates.append(
                Aggregate(
                    function=aggregate["function"],
                    column=Column(argument[1], argument[2]) if argument else None,
                    distinct=bool(aggregate["distinct"]),
                    alias=alias,
                )
            )
            continue
        if expression in ("1", "%s") and alias == "a":  # SQLite passes the 1 as a parameter
            exists = True
            continue
        unread += 1
    return tuple(columns), tuple(aliases), tuple(aggregates), exists, unread


def _read_where(sql: str, start: int, end: int) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
    text = sql[start:end]
    inner = 0
    if text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text, inner = text[1:-1], 1
    if _find_top_level(text, " OR ") >= 0:
        return (), (text,)
    conditions: list[Condition] = []
    unread: list[str] = []
    parts = split_top_level(text, " AND ")
    merged: list[tuple[str, int]] = []
    for part, offset in parts:
        # "x BETWEEN %s AND %s" was split on its own AND: put it back together.
        if merged and merged[-1][0].endswith(" BETWEEN %s"):
            previous, previous_offset = merged.pop()
            merged.append((f"{previous} AND {part}", previous_offset))
        else:
            merged.append((part, offset))
    for part, offset in merged:
        first_param = sql.count("%s", 0, start + inner + offset)
        condition = _read_condition(part, first_param)
        if condition is None:
            unread.append(part)
        else:
            conditions.append(condition)
    return tuple(conditions), tuple(unread)


def _read_condition(text: str, first_param: int) -> Condition | None:
    params = tuple(range(first_param, first_param + text.count("%s")))
    match = _CONDITION.match(text)
    if match:
        value = match["value"]
        op = match["op"]
        if op == "LIKE" and value.startswith("%s ESCAPE "):
            value = "%s"
        if op in ("IN", "BETWEEN") or value == "%s":
            return Condition(Column(match[1], match[2]), op, value, params)
        return None
    upper = _UPPER_LIKE.match(text)
    if upper:
        return Condition(Column(upper[1], upper[2]), "ILIKE", "%s", params)
    null = _NULL_TEST.match(text)
    if null:
        op = "IS NOT NULL" if null["not"] else "IS NULL"
        return Condition(Column(null[1], null[2]), op, "", ())
    boolean = _BOOLEAN.match(text)
    if boolean:
        value = "FALSE" if boolean["not"] else "TRUE"
        return Condition(Column(boolean[2], boolean[3]), "=", value, ())
    return None


def _read_order(text: str) -> tuple[Order, ...] | None:
    terms = []
    for term, _ in split_top_level(text, ", "):
        match = _ORDER.match(term)
        if match is None:
            return None
        terms.append(Order(Column(match[1], match[2]), match["direction"] == "DESC"))
    return tuple(terms)


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
