"""Lesson 09c's cells, as the tests use them (notebooks/09c_in_database.ipynb): let SQL
count, add up, update and test for existence.

Each example comes as a Python version (rows travel to Python, which does the work) and
a database version (one query returns the answer). Both return the same value, so
``lab.compare`` can run them side by side and check they agree. Docstrings state the
query counts notebook 09 claims; ``tests/test_lessons_further.py`` asserts them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum

from workshop_site.shop.models import Customer, Listing, Order, OrderLine

__all__ = [
    "RESTOCK_BELOW",
    "RESTOCK_UNITS",
    "customers_with_pending_exists",
    "customers_with_pending_python",
    "has_cancelled_exists",
    "has_cancelled_truthy",
    "last_order_dates_python",
    "last_order_dates_subquery",
    "lost_update",
    "orders_per_status",
    "orders_per_status_python",
    "pending_count",
    "pending_count_len",
    "restock",
    "restock_loop",
    "revenue",
    "revenue_python",
]

#: The restock rule: active listings with fewer than this many units get RESTOCK_UNITS more.
RESTOCK_BELOW = 3
RESTOCK_UNITS = 5
_CENT = Decimal("0.01")
_SOLD = (Order.Status.PAID, Order.Status.SHIPPED)

# -- count() and exists() --------------------------------------------------------------


def pending_count_len() -> int:
    """1 query, and every pending order built in Python, only to be counted."""
    return len(Order.objects.filter(status=Order.Status.PENDING))


def pending_count() -> int:
    """1 query: ``SELECT COUNT(*)``; one number comes back."""
    return Order.objects.filter(status=Order.Status.PENDING).count()


def has_cancelled_truthy() -> bool:
    """1 query that fetches every cancelled order, to answer yes or no."""
    return bool(Order.objects.filter(status=Order.Status.CANCELLED))


def has_cancelled_exists() -> bool:
    """1 query that stops at the first row (``LIMIT 1``)."""
    return Order.objects.filter(status=Order.Status.CANCELLED).exists()


# -- aggregate() and annotate() --------------------------------------------------------


def revenue_python() -> Decimal:
    """1 query; every line of every sold order comes to Python to be added up."""
    lines = OrderLine.objects.filter(order__status__in=_SOLD)
    return sum((line.unit_price * line.quantity for line in lines), Decimal("0"))


def revenue() -> Decimal:
    """1 query: the database multiplies and adds; one number comes back.

    Rounded to cents: SQLite computes with floating-point numbers (a rounding error of a
    millionth of a cent at most here), PostgreSQL with exact decimals.
    """
    total = OrderLine.objects.filter(order__status__in=_SOLD).aggregate(
        total=Sum(F("unit_price") * F("quantity"))
    )["total"]
    return (total or Decimal("0")).quantize(_CENT)


def orders_per_status_python() -> dict[str, int]:
    """1 query; every order comes to Python to be tallied."""
    counts: dict[str, int] = {}
    for order in Order.objects.all():
        counts[order.status] = counts.get(order.status, 0) + 1
    return dict(sorted(counts.items()))


def orders_per_status() -> dict[str, int]:
    """1 query: ``GROUP BY status``; one row per status comes back."""
    rows = Order.objects.values("status").annotate(n=Count("id")).order_by("status")
    return {row["status"]: row["n"] for row in rows}


# -- F(): update in the database ---------------------------------------------------------


def restock_loop() -> int:
    """1 + N queries: a SELECT, then one UPDATE (every column) per listing saved."""
    listings = Listing.objects.filter(is_active=True, stock__lt=RESTOCK_BELOW)
    count = 0
    for listing in listings:
        listing.stock += RESTOCK_UNITS
        listing.save()
        count += 1
    return count


def restock() -> int:
    """1 query: ``UPDATE ... SET stock = stock + 5 WHERE ...``; returns the rows changed."""
    return Listing.objects.filter(is_active=True, stock__lt=RESTOCK_BELOW).update(
        stock=F("stock") + RESTOCK_UNITS
    )


def lost_update(listing_id: int) -> dict[str, int]:
    """Two workers sell one unit each of the same listing at the same moment.

    With ``save()``, each read the stock before the other wrote it: the second save writes
    a stock computed from a stale value, and one sale is lost. With ``F()`` the database
    subtracts from the current value each time. Call it inside a transaction that is
    rolled back (the stock is changed back anyway at the end).
    """
    start = Listing.objects.get(pk=listing_id).stock
    first, second = Listing.objects.get(pk=listing_id), Listing.objects.get(pk=listing_id)
    first.stock -= 1
    first.save(update_fields=["stock"])
    second.stock -= 1
    second.save(update_fields=["stock"])
    after_save = Listing.objects.get(pk=listing_id).stock
    Listing.objects.filter(pk=listing_id).update(stock=start)
    for _ in range(2):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") - 1)
    after_f = Listing.objects.get(pk=listing_id).stock
    Listing.objects.filter(pk=listing_id).update(stock=start)
    return {"start": start, "after two save()": after_save, "after two F() updates": after_f}


# -- Exists() and Subquery() ----------------------------------------------------------


def customers_with_pending_python() -> list[int]:
    """1 + N queries: for each customer, one query asking whether it has a pending order."""
    return [
        customer.pk
        for customer in Customer.objects.order_by("pk")
        if customer.orders.filter(status=Order.Status.PENDING).exists()
    ]


def customers_with_pending_exists() -> list[int]:
    """1 query: ``WHERE EXISTS (SELECT 1 FROM shop_order WHERE ...)``."""
    pending = Order.objects.filter(customer=OuterRef("pk"), status=Order.Status.PENDING)
    return list(
        Customer.objects.filter(Exists(pending)).order_by("pk").values_list("pk", flat=True)
    )


def last_order_dates_python() -> dict[int, datetime | None]:
    """1 + N queries: each customer's newest order, looked up one customer at a time."""
    dates: dict[int, Any] = {}
    for customer in Customer.objects.order_by("pk"):
        newest = customer.orders.order_by("-created_at").first()
        dates[customer.pk] = newest.created_at if newest else None
    return dates


def last_order_dates_subquery() -> dict[int, datetime | None]:
    """1 query: a correlated subquery gives each customer's newest order date in its row
    (``Max("orders__created_at")`` would too; a subquery can bring any column of it)."""
    newest = Order.objects.filter(customer=OuterRef("pk")).order_by("-created_at")
    rows = Customer.objects.annotate(last=Subquery(newest.values("created_at")[:1]))
    return dict(rows.order_by("pk").values_list("pk", "last"))
