"""Lesson 09c (work in the database): a change on many rows in one statement.

The lesson restocks low listings with ``update(stock=F("stock") + 5)``; the exercise
returns the units of every cancelled order to its listings' stock: each listing's
amount is its own (a sum over its lines), so ``F()`` meets a ``Subquery``.
"""

from __future__ import annotations

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Result, Updates
from workshop_site.shop.models import Listing


def _with_cancelled_lines() -> models.QuerySet:
    return Listing.objects.filter(order_lines__order__status="cancelled").distinct()


def _stocks_after(count: int) -> tuple[int, dict[int, int]]:
    """What the job left: its count, and every listing's stock (read back inside the run,
    before its transaction is rolled back)."""
    return count, dict(Listing.objects.values_list("pk", "stock"))


EXERCISES = [
    Exercise(
        id="09c.1",
        title="Cancelled orders go back to stock, in one UPDATE",
        returns=int,
        expects="the number of listings whose stock changed (an int)",
        read_only=False,
        use=_stocks_after,
        rows=Rows("listings with cancelled units", lambda: _with_cancelled_lines().count()),
        checks=(Result(), Updates(table="shop_listing", at_most=1)),
        hints=(
            "Record the loop with `lab.queries()`: one SELECT, then a SELECT and an UPDATE "
            "per line. Which listings change, and by how much each?",
            "`update()` changes every listing a queryset selects, in one statement. Each "
            "listing's amount is the sum of its lines' quantities in cancelled orders: a "
            "value computed per row, by the database.",
            'A `Subquery` of `OrderLine.objects.filter(listing=OuterRef("pk"), '
            'order__status="cancelled")`, grouped (`values("listing").annotate(units='
            'Sum("quantity")).values("units")`), in `update(stock=F("stock") + ...)` on '
            "the listings that have such lines (`filter(Exists(...))`); all from "
            "`django.db.models`.",
        ),
    ),
]
