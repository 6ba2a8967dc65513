"""A query plan, read in plain words, on SQLite and on PostgreSQL: ``plan(queryset)``.

Both databases say how they will run a query, each in its own words. SQLite's
``EXPLAIN QUERY PLAN`` writes ``SCAN shop_order`` (every row is read) or ``SEARCH
shop_order USING INDEX ... (status=?)`` (the index leads straight to the matching rows),
and ``USE TEMP B-TREE FOR ORDER BY`` when it must sort what it found. PostgreSQL's
``EXPLAIN`` writes ``Seq Scan on shop_order``, ``Index Scan using ... on shop_order`` with
an ``Index Cond``, and a ``Sort`` node. :class:`Plan` turns either into the same few
facts — which table is read how, through which index, and whether rows are sorted — so
the lessons, the grader and the tests ask the same questions on both backends.

``lab.plan(queryset)`` reads a queryset's plan without running it; :func:`sent_plan` the
plan of the SQL a function sends; :func:`analyze` refreshes PostgreSQL's statistics after
a bulk load or a new index, as autovacuum would (its plans depend on them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, models
from django.db.models import QuerySet

__all__ = [
    "INDEX_ORDER",
    "SCAN",
    "SEARCH",
    "Plan",
    "Step",
    "analyze",
    "plan",
    "plan_sql",
    "read_plan",
    "sent_plan",
]

#: How a table is read: every row, every entry of an index in its order, or only the
#: entries an index leads to.
SCAN, INDEX_ORDER, SEARCH = "scan", "index order", "search"

_SQLITE_ACCESS = re.compile(
    r"^(?P<verb>SCAN|SEARCH) (?P<table>\S+)(?: AS \S+)?"
    r"(?: USING (?P<covering>COVERING )?INDEX (?P<index>\S+))?"
    r"(?: USING (?:INTEGER )?PRIMARY KEY)?"
    r"(?: \((?P<condition>.*)\))?$"
)
_PG_SEQ = re.compile(r"(?:Parallel )?Seq Scan on (?P<table>\S+)")
_PG_INDEX = re.compile(
    r"(?:Parallel )?Index (?P<only>Only )?Scan(?: Backward)? using (?P<index>\S+) "
    r"on (?P<table>\S+)"
)
_PG_BITMAP_INDEX = re.compile(r"Bitmap Index Scan on (?P<index>\S+)")
_PG_BITMAP_HEAP = re.compile(r"Bitmap Heap Scan on (?P<table>\S+)")
_PG_COST = re.compile(r"\s+\(cost=.*$")


@dataclass(frozen=True)
class Step:
    """How one table is read: ``how`` is ``"scan"``, ``"index order"`` or ``"search"``."""

    table: str
    how: str
    index: str | None = None
    condition: str = ""
    covering: bool = False  # the index alone answers: the table's rows are not read

    def words(self) -> str:
        if self.how == SCAN:
            return f"reads every row of {self.table}"
        alone = " (the index alone answers: no row of the table is read)" if self.covering else ""
        if self.how == INDEX_ORDER:
            return f"reads index {self.index} from start to end, in its order{alone}"
        if self.index is None:
            return f"goes straight to the rows of {self.table} by primary key"
        condition = f" for {self.condition}" if self.condition else ""
        return (
            f"goes straight to the matching rows of {self.table} "
            f"through index {self.index}{condition}{alone}"
        )


@dataclass(frozen=True, repr=False)
class Plan:
    """What the database says it will do for one query (see the module docstring)."""

    vendor: str  # "sqlite" or "postgresql"
    lines: tuple[str, ...]  # the database's own words, one line per plan row or node
    steps: tuple[Step, ...]
    sorts: bool  # the rows found are sorted afterwards (SQLite's TEMP B-TREE, a PG Sort)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def step(self, table: str) -> Step | None:
        """How ``table`` is read, if the plan reads it."""
        return next((s for s in self.steps if s.table == table), None)

    def reads_every_row(self, table: str) -> bool:
        step = self.step(table)
        return step is not None and step.how == SCAN

    def index_used(self, table: str) -> str | None:
        step = self.step(table)
        return step.index if step is not None else None

    def words(self) -> str:
        """The plan in one sentence: "reads every row of shop_order, then sorts them"."""
        parts = [step.words() for step in self.steps] or ["reads no table"]
        text = "; ".join(parts)
        if self.sorts:
            text += ", then sorts the rows it found"
        return text[0].upper() + text[1:] + "."

    def __str__(self) -> str:
        return f"{self.text}\n→ {self.words()}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        return (
            f"<pre style='margin:0'>{html.escape(self.text)}</pre>"
            f"<p style='margin:2px 0'>→ <b>{html.escape(self.words())}</b></p>"
        )


def read_plan(vendor: str, lines: Sequence[str]) -> Plan:
    """A :class:`Plan` from the database's own lines (SQLite details, PostgreSQL text)."""
    if vendor == "sqlite":
        return _read_sqlite(tuple(lines))
    if vendor == "postgresql":
        return _read_postgresql(tuple(lines))
    raise ValueError(f"plans are read for sqlite and postgresql, not {vendor!r}")


def _read_sqlite(lines: tuple[str, ...]) -> Plan:
    steps, sorts = [], False
    for line in lines:
        detail = line.strip()
        if detail.startswith("USE TEMP B-TREE FOR ORDER BY"):
            sorts = True
            continue
        match = _SQLITE_ACCESS.match(detail)
        if match is None:
            continue
        index = match["index"]
        if match["verb"] == "SEARCH":
            how = SEARCH
        else:
            how = INDEX_ORDER if index else SCAN
        covering = bool(match["covering"])
        steps.append(Step(match["table"], how, index, match["condition"] or "", covering))
    return Plan("sqlite", lines, tuple(steps), sorts)


def _read_postgresql(lines: tuple[str, ...]) -> Plan:
    # Node lines carry "(cost=...)"; the lines under a node without it are its details
    # ("Index Cond: ...", "Filter: ...", "Sort Key: ...").
    steps: list[Step] = []
    sorts = False
    bitmap_index: str | None = None
    for line in lines:
        if "(cost=" not in line:
            detail = line.strip()
            if detail.startswith("Index Cond:") and steps and steps[-1].how == INDEX_ORDER:
                last = steps.pop()
                condition = detail.removeprefix("Index Cond:").strip()
                steps.append(Step(last.table, SEARCH, last.index, condition, last.covering))
            continue
        node = _PG_COST.sub("", line.strip().removeprefix("->").strip())
        if node.startswith(("Sort", "Incremental Sort")):
            sorts = True
        elif match := _PG_SEQ.match(node):
            steps.append(Step(match["table"], SCAN))
        elif match := _PG_INDEX.match(node):
            # An index scan without an Index Cond walks the whole index, in its order.
            covering = bool(match["only"])
            steps.append(Step(match["table"], INDEX_ORDER, match["index"], "", covering))
        elif match := _PG_BITMAP_HEAP.match(node):
            # Printed above the Bitmap Index Scan that feeds it: the index comes next.
            steps.append(Step(match["table"], SEARCH))
        elif match := _PG_BITMAP_INDEX.match(node):
            bitmap_index = match["index"]
    if bitmap_index is not None:
        steps = [
            Step(s.table, s.how, bitmap_index, s.condition)
            if s.how == SEARCH and s.index is None
            else s
            for s in steps
        ]
    return Plan("postgresql", lines, tuple(steps), sorts)


def plan_sql(sql: str, params: Sequence[Any] | None = (), *, using: str = "default") -> Plan:
    """The plan of ``sql`` (with Django's ``%s`` placeholders) on database ``using``."""
    connection = connections[using]
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            lines = [row[-1] for row in cursor.fetchall()]
        elif vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        else:
            raise ValueError(f"plans are read for sqlite and postgresql, not {vendor!r}")
    return read_plan(vendor, lines)


def plan(queryset: QuerySet[Any]) -> Plan:
    """The plan of ``queryset``'s query (sliced querysets included), without running it."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return plan_sql(sql, params, using=queryset.db)


def sent_plan(query: Callable[[], Any]) -> Plan:
    """The plan of the SQL ``query()`` sends (its last statement), read from the log."""
    from workshop_site.lab.capture import queries

    with queries() as log:
        query()
    if not len(log):
        raise ValueError(f"{getattr(query, '__name__', query)} ran no query: no plan to read")
    last = log[len(log) - 1]
    return plan_sql(last.sql, last.params)


def analyze(model: type[models.Model]) -> None:
    """PostgreSQL: refresh the planner's statistics of ``model``'s table (SQLite: nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
