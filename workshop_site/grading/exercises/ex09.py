"""Lesson 09 (further): an index, a job in flat memory, one UPDATE, a template's queries.

Each exercise is graded on its result and on the lesson's own measure for it: the plan
of the query (:class:`IndexServes`), peak memory as the rows grow (:class:`MemoryFlat`),
the number of UPDATE statements (:class:`Updates`), the queries a template runs
(``Scaling``, ``Budget``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, IndexServes, MemoryFlat, Result, Scaling, Updates
from workshop_site.lab.template_costs import render
from workshop_site.shop.models import Listing, Order

# -- the exercises' data: the queue, the export's line, the restock rule, the page ------

#: Orders the shipping team takes from the queue at a time.
QUEUE = 20
#: The restock rule: active listings with fewer than this many units...
RESTOCK_BELOW = 3
#: ...get this many more.
RESTOCK_UNITS = 5
#: Orders on one page of the pending-orders table.
PAGE = 50


def queue() -> models.QuerySet:
    """The oldest pending orders: a filter on ``status``, an order on ``created_at``."""
    return Order.objects.filter(status=Order.Status.PENDING).order_by("created_at")[:QUEUE]


def invoice_line(order: Order) -> str:
    """One order as a line of the nightly export."""
    return f"{order.pk};{order.customer_id};{order.created_at:%Y-%m-%d};{order.status}\n"


def pending_page() -> models.QuerySet:
    """The first page of pending orders, oldest first: at most :data:`PAGE` rows."""
    return Order.objects.filter(status=Order.Status.PENDING).order_by("created_at", "id")[:PAGE]


def render_orders(orders: Iterable[Order]) -> str:
    """The pending-orders table: customer, date, lines with their products, total."""
    return render("examples/order_rows.html", {"orders": orders})


# -- the references ------------------------------------------------------------------------


def _to_restock() -> models.QuerySet:
    return Listing.objects.filter(is_active=True, stock__lt=RESTOCK_BELOW)


def _stocks_after(count: int) -> tuple[int, dict[int, int]]:
    """What the restock left: its count, and every active listing's stock (read back
    inside the run, before its transaction is rolled back)."""
    return count, dict(Listing.objects.filter(is_active=True).values_list("pk", "stock"))


EXERCISES = [
    Exercise(
        id="09.1",
        title="An index for the shipping queue",
        returns=models.Index,
        expects='a models.Index(fields=[...], name="...")',
        rows=Rows(
            "pending orders", lambda: Order.objects.filter(status=Order.Status.PENDING).count()
        ),
        checks=(IndexServes(model=Order, query=queue),),
        hints=(
            f"Read the plan of the queue's query (the {QUEUE} oldest pending orders) without "
            "an index: `plan(queue())`. Which column is filtered, which one orders the rows?",
            "An index on `status` alone finds the pending orders, but they must then be "
            "sorted by date: the plan says `USE TEMP B-TREE FOR ORDER BY`.",
            'Both columns, the filtered one first: `models.Index(fields=["status", '
            '"created_at"], name="order_status_created_idx")`. A partial index works too: '
            '`fields=["created_at"], condition=Q(status="pending")`.',
        ),
    ),
    Exercise(
        id="09.2",
        title="The nightly export in flat memory",
        returns=tuple,
        expects="a tuple (number of orders, hex digest)",
        sizes=(300, 1200),
        rows=Rows("orders", lambda: Order.objects.count()),
        checks=(
            Result(),
            MemoryFlat(
                at_most=2.0,
                fix="Stream the orders: `.iterator(chunk_size=500)`, or batches of 500 by "
                'primary key (`filter(pk__gt=last).order_by("pk")[:500]`). `.iterator()` '
                "alone reads 2,000 rows at a time: most of the table here.",
            ),
        ),
        hints=(
            "Measure the naive loop at two sizes: `peak_memory(export_all)` after "
            "`grow_orders(...)`. Does the peak grow with the orders?",
            "A `for` loop over a queryset fills its result cache: every order stays in memory "
            "until the loop ends. `.iterator()` keeps no cache.",
            '`Order.objects.order_by("pk").iterator(chunk_size=500)` holds 500 orders at a '
            "time, whatever the size of the table.",
        ),
    ),
    Exercise(
        id="09.3",
        title="Restock in one UPDATE",
        returns=int,
        expects="the number of listings restocked (an int)",
        read_only=False,
        use=_stocks_after,
        rows=Rows("listings to restock", lambda: _to_restock().count()),
        checks=(Result(), Updates(table="shop_listing", at_most=1)),
        hints=(
            "Record the loop with `lab.queries()`: one SELECT, then one UPDATE per listing.",
            "`QuerySet.update()` changes every row the queryset selects, in one statement, and "
            "returns how many rows it changed.",
            'The new stock depends on the old one: `F("stock") + 5` is computed by the '
            'database, row by row: `....update(stock=F("stock") + RESTOCK_UNITS)`.',
        ),
    ),
    Exercise(
        id="09.4",
        title="The pending-orders table without its template's queries",
        returns=str,
        expects="the rendered HTML (a str)",
        rows=Rows(
            "pending orders on the page",
            lambda: min(PAGE, Order.objects.filter(status=Order.Status.PENDING).count()),
        ),
        checks=(Result(), Scaling(), Budget(queries=5)),
        hints=(
            "Render the naive page inside `lab.queries()` and read the diagnosis: which "
            "relations does the template read for each order?",
            "`order.customer` is a foreign key (a JOIN); `order.lines.all` and `order.total` "
            "read the lines, a reverse relation; each line reads `listing.product`.",
            '`.select_related("customer").prefetch_related("lines__listing__product")`, or a '
            '`Prefetch("lines", OrderLine.objects.select_related("listing__product"))`.',
        ),
    ),
]
