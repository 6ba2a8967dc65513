"""Lesson 09, indexes: a query on columns without an index, at up to 100,000 orders.

The back office ships pending orders oldest first: :func:`oldest_pending` is that queue's
query. ``Order.status`` and ``Order.created_at`` have no index (only the primary key and
the foreign keys have one), so the database reads every order, then sorts the pending
ones. The indexes below are created on this kernel's own database with the SQL the schema
editor writes for them (:func:`index_on`), never in the shop's migrations: a notebook
cell, not a deploy.

Rows are added with :func:`grow_orders` (one ``executemany`` per chunk, not the ORM): a
learner waits for the measurement, not for the data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet

from workshop_site.lab.capture import queries
from workshop_site.lab.probes import best_time
from workshop_site.lessons.plans import Plan, plan, plan_sql
from workshop_site.seed import REFERENCE_NOW
from workshop_site.shop.models import Customer, Order

__all__ = [
    "QUEUE",
    "QUEUE_INDEX",
    "PENDING_INDEX",
    "STATUS_INDEX",
    "WRONG_ORDER_INDEX",
    "best_time",
    "QUERIES",
    "compare_indexes",
    "create_index",
    "drop_index",
    "count_pending",
    "grow_orders",
    "index_on",
    "index_sql",
    "migration_code",
    "oldest_pending",
    "plans_with",
    "queue",
    "sent_plan",
    "table_indexes",
    "time_vs_rows",
]

#: Orders the shipping team takes from the queue at a time.
QUEUE = 20

#: The index for the queue: rows with the same status sit together, in date order.
QUEUE_INDEX = models.Index(fields=["status", "created_at"], name="order_status_created_idx")
#: An index on the filtered column only: finds the pending orders, but they need a sort.
STATUS_INDEX = models.Index(fields=["status"], name="order_status_idx")
#: The same two columns the other way round: the date first, so status cannot lead.
WRONG_ORDER_INDEX = models.Index(fields=["created_at", "status"], name="order_created_status_idx")
#: A partial index: only the pending orders, in date order — a tenth of the rows.
PENDING_INDEX = models.Index(
    fields=["created_at"], condition=Q(status="pending"), name="order_pending_created_idx"
)

# The seed's mix of statuses (workshop_site/seed.py): one order in ten is pending.
_STATUSES = ("pending", "paid", "shipped", "cancelled")
_WEIGHTS = (1, 2, 6, 1)
_CHUNK = 10_000


def queue() -> QuerySet:
    """The oldest pending orders: a filter on ``status``, an order on ``created_at``."""
    return Order.objects.filter(status=Order.Status.PENDING).order_by("created_at")[:QUEUE]


def oldest_pending() -> list[int]:
    """The ids of the :data:`QUEUE` oldest pending orders (1 query)."""
    return list(queue().values_list("id", flat=True))


# -- data: up to 100,000 orders in a few seconds -----------------------------------------


def grow_orders(total: int, *, seed: int = 0, progress: bool = True) -> int:
    """Add orders (no lines) until the table holds ``total``; returns how many were added.

    New orders belong to existing customers, with the seed's mix of statuses and dates in
    the year before the seed's "now". Inserted in chunks, each in a transaction (one
    commit per chunk, not per row), with a progress bar.
    """
    have = Order.objects.count()
    missing = total - have
    if missing <= 0:
        return 0
    customers = list(Customer.objects.order_by("id").values_list("id", flat=True))
    if not customers:
        raise RuntimeError("grow_orders() needs customers: run lab.start() first")
    first_id = (Order.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    rng = random.Random(f"{seed}:{first_id}:{missing}")
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=missing, desc=f"Orders → {total:,}", unit="row")
    year = 365 * 24 * 3600
    for start in range(0, missing, _CHUNK):
        n = min(_CHUNK, missing - start)
        statuses = rng.choices(_STATUSES, weights=_WEIGHTS, k=n)
        rows = [
            (
                first_id + start + i,
                rng.choice(customers),
                REFERENCE_NOW - timedelta(seconds=rng.randrange(year)),
                statuses[i],
            )
            for i in range(n)
        ]
        _insert_orders(rows)
        if bar is not None:
            bar.update(n)
    if bar is not None:
        bar.close()
    _after_bulk_load()
    return missing


def _insert_orders(rows: list[tuple[int, int, datetime, str]]) -> None:
    """One ``executemany`` in one transaction. The seed's ``insert_rows`` prepares every
    date through its model field, most of the time spent here: the backend's own adapter
    gives the same value (a UTC string on SQLite, the datetime itself on PostgreSQL)."""
    adapt = connection.ops.adapt_datetimefield_value
    qn = connection.ops.quote_name
    by_name = {field.name: field.column for field in Order._meta.concrete_fields}
    columns = [by_name[name] for name in ("id", "customer", "created_at", "status")]
    sql = "INSERT INTO {} ({}) VALUES (%s, %s, %s, %s)".format(
        qn(Order._meta.db_table), ", ".join(qn(str(column)) for column in columns)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [(pk, who, adapt(when), status) for pk, who, when, status in rows])


def _after_bulk_load() -> None:
    """PostgreSQL: move the id sequence past the new ids, and refresh the planner's
    statistics as autovacuum would after a bulk load (its plans depend on them)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Order]):
            cursor.execute(sql)
    _analyze(Order)


# -- indexes, added and removed in a cell -------------------------------------------------


def create_index(model: type[models.Model], index: models.Index) -> str:
    """Run the ``CREATE INDEX`` a migration's ``AddIndex`` runs; the index's name.

    The statement comes from the schema editor, run through a cursor: that also works
    inside a transaction, where SQLite's schema editor refuses to start (it must switch
    off foreign key checks first). An index without a name gets Django's generated one.
    """
    index = index.clone()
    if not index.name:
        index.set_name_with_model(model)
    with _checks_done(), connection.cursor() as cursor:
        cursor.execute(str(index.create_sql(model, _editor())))
    if connection.vendor == "postgresql":
        _analyze(model)
    return index.name


def drop_index(model: type[models.Model], index: models.Index) -> None:
    """Run the ``DROP INDEX`` a migration's ``RemoveIndex`` runs."""
    with _checks_done(), connection.cursor() as cursor:
        cursor.execute(str(index.remove_sql(model, _editor())))


@contextmanager
def _checks_done() -> Iterator[None]:
    """PostgreSQL refuses to change a table's indexes while rows written earlier in the
    same transaction still wait for their (deferred) foreign key checks: run them now."""
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        if deferred:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _editor() -> Any:
    """A schema editor used only to write SQL: never entered, so it runs nothing itself
    (``deferred_sql`` is what entering it would have set up)."""
    editor = connection.schema_editor(atomic=False)
    editor.deferred_sql = []
    return editor


def _analyze(model: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def index_on(model: type[models.Model], index: models.Index) -> Iterator[models.Index]:
    """Create ``index`` on ``model``'s table for the block, then drop it (even on error)."""
    create_index(model, index)
    try:
        yield index
    finally:
        drop_index(model, index)


def table_indexes(model: type[models.Model]) -> dict[str, list[str]]:
    """The indexes on ``model``'s table now: name → columns (primary key included)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: list(info["columns"])
        for name, info in sorted(constraints.items())
        if info["index"] or info["primary_key"]
    }


def plans_with(
    model: type[models.Model], index: models.Index, querysets: dict[str, Callable[[], QuerySet]]
) -> pd.DataFrame:
    """With ``index`` created, each query's plan in words: which ones can it serve?"""
    with index_on(model, index):
        return pd.DataFrame(
            [{"query": label, "plan": plan(build()).words()} for label, build in querysets.items()]
        )


def count_pending() -> int:
    """How many orders are pending (1 query): a filter, no ordering, no limit."""
    return Order.objects.filter(status=Order.Status.PENDING).count()


#: The queries :func:`compare_indexes` times: the queue, and a count of pending orders.
QUERIES: dict[str, Callable[[], Any]] = {
    "20 oldest pending": oldest_pending,
    "count of pending": count_pending,
}


def compare_indexes(
    candidates: Sequence[models.Index],
    *,
    queries: dict[str, Callable[[], Any]] = QUERIES,
) -> pd.DataFrame:
    """Each candidate index in turn, alone on the table, for each of ``queries`` (label →
    a function running one query): the plan of the SQL it sends, in words, and the time."""
    size = Order.objects.count()
    expected = {label: query() for label, query in queries.items()}
    rows = []
    for index in [None, *candidates]:
        with index_on(Order, index) if index is not None else nullcontext():
            for label, query in queries.items():
                name = index.name if index is not None else "no index"
                rows.append({"query": label, **_timed(size, name, query, expected[label])})
    return pd.DataFrame(rows)


def index_sql(model: type[models.Model], index: models.Index) -> str:
    """The ``CREATE INDEX`` statement ``index`` runs on this database (nothing is run)."""
    return str(index.create_sql(model, _editor()))


def migration_code(model: type[models.Model], index: models.Index) -> str:
    """The operation ``makemigrations`` writes for ``index`` added to ``model``'s Meta."""
    from django.db.migrations import AddIndex
    from django.db.migrations.writer import OperationWriter

    code, _imports = OperationWriter(
        AddIndex(model_name=str(model._meta.model_name), index=index), indentation=0
    ).serialize()
    return code


def time_vs_rows(
    sizes: Sequence[int],
    *,
    indexes: Sequence[models.Index] = (QUEUE_INDEX,),
    query: Callable[[], Any] = oldest_pending,
    progress: bool = True,
) -> pd.DataFrame:
    """Grow the orders to each size and time ``query`` with no index, then with each index.

    One row per (size, variant): ``rows``, ``variant``, ``ms`` (best run), ``plan`` (in
    words), ``same_result`` (an index must never change the answer).
    """
    records: list[dict[str, Any]] = []
    for size in sorted(sizes):
        grow_orders(size, progress=progress)
        expected = query()
        records.append(_timed(size, "no index", query, expected))
        for index in indexes:
            with index_on(Order, index):
                records.append(_timed(size, index.name, query, expected))
    return pd.DataFrame(records)


def _timed(size: int, variant: str, query: Callable[[], Any], expected: Any) -> dict[str, Any]:
    return {
        "rows": size,
        "variant": variant,
        "ms": best_time(query) * 1000,
        "plan": sent_plan(query).words(),
        "same_result": query() == expected,
    }


def sent_plan(query: Callable[[], Any]) -> Plan:
    """The plan of the SQL ``query()`` sends (its last statement), read from the log."""
    with queries() as log:
        query()
    if not len(log):
        raise ValueError(f"{getattr(query, '__name__', query)} ran no query: no plan to read")
    last = log[len(log) - 1]
    return plan_sql(last.sql, last.params)
