"""``grow_orders(total)``: up to 100,000 orders in a few seconds, for the lessons that
measure a query or a job against the size of a table.

Rows are added with one ``executemany`` per chunk, not the ORM: a learner waits for the
measurement, not for the data. New orders belong to existing customers, with the seed's
mix of statuses and dates in the year before the seed's "now"; they have no lines.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import connection, models, transaction

from workshop_site.lab.query_plans import analyze
from workshop_site.seed import REFERENCE_NOW
from workshop_site.shop.models import Customer, Order

__all__ = ["grow_orders"]

# The seed's mix of statuses (workshop_site/seed.py): one order in ten is pending.
_STATUSES = ("pending", "paid", "shipped", "cancelled")
_WEIGHTS = (1, 2, 6, 1)
_CHUNK = 10_000


def grow_orders(total: int, *, seed: int = 0, progress: bool = True) -> int:
    """Add orders (no lines) until the table holds ``total``; returns how many were added.

    Inserted in chunks, each in a transaction (one commit per chunk, not per row), with a
    progress bar.
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
    statistics as autovacuum would after a bulk load."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Order]):
            cursor.execute(sql)
    analyze(Order)
