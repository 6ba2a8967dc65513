"""Lesson 09b's cells, as the tests use them: memory while reading every order, and
writing many rows (notebooks/09b_long_jobs.ipynb types the same).

The job: a nightly export of every order as one invoice line each, fed to a digest (it
stands for a file being written or an API being fed). Three ways to read the orders:

- :func:`export_all`: a plain loop over the queryset. Django fetches every row, builds
  every ``Order`` and keeps them all in the queryset's result cache until the loop ends:
  memory grows with the table.
- :func:`export_iterator`: ``.iterator(chunk_size=...)`` streams rows from the database
  cursor and keeps no cache: memory stays at one chunk.
- :func:`export_batches`: batches by primary key (``pk > last seen``, ``[:batch]``): one
  short query per batch, each batch released before the next; it also works where a
  long-open cursor is a problem, and can resume after a crash.

The writes: :func:`write_costs` creates, then updates, the same orders with ``save()`` in
a loop, ``bulk_create``/``bulk_update`` at several batch sizes, and one ``update()``.

Measuring the jobs' memory as the table grows is tooling
(``workshop_site.lab.job_memory``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta

import pandas as pd
from tqdm.auto import tqdm

from workshop_site.lab.capture import queries
from workshop_site.lab.probes import rolled_back
from workshop_site.seed import REFERENCE_NOW
from workshop_site.shop.models import Customer, Order

__all__ = [
    "BATCH",
    "export_all",
    "export_batches",
    "export_iterator",
    "invoice_line",
    "write_costs",
]


def invoice_line(order: Order) -> str:
    """One order as a line of the nightly export."""
    return f"{order.pk};{order.customer_id};{order.created_at:%Y-%m-%d};{order.status}\n"


#: Rows per chunk or batch: large enough that the query count stays small.
BATCH = 1_000


def _digest(orders: Iterable[Order]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for order in orders:
        digest.update(invoice_line(order).encode())
        count += 1
    return count, digest.hexdigest()


def export_all() -> tuple[int, str]:
    """Every order, the plain way: all of them in memory at once (1 query)."""
    return _digest(Order.objects.order_by("pk"))


def export_iterator(chunk_size: int = BATCH) -> tuple[int, str]:
    """Every order, streamed ``chunk_size`` rows at a time (1 query)."""
    return _digest(Order.objects.order_by("pk").iterator(chunk_size=chunk_size))


def _batches(batch_size: int) -> Iterator[Order]:
    last = 0
    while True:
        batch = list(Order.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def export_batches(batch_size: int = BATCH) -> tuple[int, str]:
    """Every order, ``batch_size`` at a time by primary key (rows / batch_size + 1 queries)."""
    return _digest(_batches(batch_size))


# -- writing many rows ---------------------------------------------------------------------


def _new_orders(n: int) -> list[Order]:
    customers = list(Customer.objects.order_by("id").values_list("id", flat=True)[:100])
    return [
        Order(
            customer_id=customers[i % len(customers)],
            created_at=REFERENCE_NOW - timedelta(hours=i),
            status=Order.Status.PENDING,
        )
        for i in range(n)
    ]


def _create(method: str, orders: list[Order], batch_size: int | None) -> None:
    if method == "save() in a loop":
        for order in orders:
            order.save()
    else:
        Order.objects.bulk_create(orders, batch_size=batch_size)


def _update(method: str, orders: list[Order], batch_size: int | None) -> None:
    if method == "save() in a loop":
        for order in orders:
            order.status = Order.Status.PAID
            order.save()
    elif method == "bulk_update":
        for order in orders:
            order.status = Order.Status.PAID
        Order.objects.bulk_update(orders, ["status"], batch_size=batch_size)
    else:  # one UPDATE ... WHERE
        Order.objects.filter(pk__in=[o.pk for o in orders]).update(status=Order.Status.PAID)


def _batch_label(method: str, batch_size: int | None) -> str:
    if not method.startswith("bulk"):
        return "—"
    return "largest" if batch_size is None else f"{batch_size:,}"


def write_costs(
    n: int = 2_000,
    *,
    batch_sizes: Sequence[int | None] = (10, 100, 1_000, None),
    progress: bool = True,
) -> pd.DataFrame:
    """Create ``n`` orders, then mark them paid, each way; every run is rolled back.

    One row per way: ``step`` (create/update), ``method``, ``batch_size`` ("largest":
    Django's largest batch for this database; "—": not batched), ``queries``, ``ms``.
    """
    plans: list[tuple[str, str, int | None]] = [("create", "save() in a loop", None)]
    plans += [("create", "bulk_create", size) for size in batch_sizes]
    plans += [("update", "save() in a loop", None)]
    plans += [("update", "bulk_update", size) for size in batch_sizes]
    plans += [("update", "update()", None)]
    records = []
    for step, method, batch_size in tqdm(plans, desc="writes", unit="way", disable=not progress):
        with rolled_back():
            orders = _new_orders(n)
            if step == "update":
                Order.objects.bulk_create(orders)
            began = time.perf_counter()
            with queries() as log:
                if step == "create":
                    _create(method, orders, batch_size)
                else:
                    _update(method, orders, batch_size)
            seconds = time.perf_counter() - began
        records.append(
            {
                "step": step,
                "method": method,
                "batch_size": _batch_label(method, batch_size),
                "queries": len(log),
                "ms": seconds * 1000,
            }
        )
    return pd.DataFrame(records)
