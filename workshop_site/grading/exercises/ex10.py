"""Lesson 10 (the capstone): the seller dashboard, fixed panel by panel, then pinned.

Each problem of ``shop/dashboard.py`` is its own exercise: the orders to ship (N+1s on
the customer, the address and the lines), their query's index, the low-stock panel (a
deferred field read for every row), the carrier panel (a partner call with no timeout),
and the learner's test of the whole page, which must fail on the shop's page and pass on
the fixed one.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import (
    Budget,
    FallsBackInTime,
    IndexServes,
    Result,
    Scaling,
    TellsNaiveFromFixed,
)
from workshop_site.lab.capstone import (
    NOT_ANSWERED,
    dashboard_page,
    low_stock_queryset,
    offline_carrier,
)
from workshop_site.shop.dashboard import (
    LOW_STOCK,
    LOW_STOCK_BELOW,
    TO_SHIP,
    CarrierStatus,
)
from workshop_site.shop.models import Listing, Order
from workshop_site.shop.views_dashboard import dashboard_view

#: The page a learner's test is run against: the shop's panels, and the fixed ones; the
#: carrier mocked in both (the test is about queries, and runs offline).
SHOP_PAGE = dashboard_page(dashboard_view(carrier_status=offline_carrier))


def FIXED_PAGE() -> Any:
    """GET the dashboard with the reference panels of 10.1 and 10.3 (the solutions
    notebook's, looked up when called), the carrier mocked."""
    from workshop_site.grading.reference_lookup import reference

    view = dashboard_view(
        orders_to_ship=reference("10.1"),
        low_stock=reference("10.3"),
        carrier_status=offline_carrier,
    )
    return dashboard_page(view)()


def _paid_shown() -> int:
    return min(TO_SHIP, Order.objects.filter(status=Order.Status.PAID).count())


def _low_shown() -> int:
    return min(LOW_STOCK, Listing.objects.filter(is_active=True, stock__lt=LOW_STOCK_BELOW).count())


EXERCISES = [
    Exercise(
        id="10.1",
        title="Orders to ship without their N+1s",
        returns=list,
        expects="a list of OrderToShip, oldest order first",
        sizes=(30, 300),
        rows=Rows("orders to ship", _paid_shown),
        checks=(Result(ordered=True), Scaling(), Budget(queries=4)),
        hints=(
            "Run `dashboard.orders_to_ship()` inside `lab.queries()` and read the diagnosis: "
            "four relations are read for each order.",
            "`order.customer` and `customer.address` are foreign keys: one JOIN. "
            "`order.lines.all()` (read twice: the items and `order.total`) is a reverse "
            "relation.",
            '`.select_related("customer__address").prefetch_related("lines")` on the '
            "queryset: 2 queries whatever the number of orders.",
        ),
    ),
    Exercise(
        id="10.2",
        title="An index for the low-stock panel",
        returns=models.Index,
        expects='a models.Index(fields=[...], name="...")',
        rows=Rows("low-stock listings", _low_shown),
        checks=(IndexServes(model=Listing, query=low_stock_queryset),),
        hints=(
            "Read the plan of `capstone.low_stock_queryset()`: which columns are filtered, "
            "and how; which one orders the rows?",
            "`stock` is both the range (`stock < 3`) and the ordering: an index whose "
            "entries are sorted by stock gives the low ones first, already in order.",
            "The equality first, then the range and ordering column: `models.Index(fields="
            '["is_active", "stock"], name="listing_active_stock_idx")`; `fields=["stock"]` '
            "alone, or a partial index with `condition=Q(is_active=True)`, serve it too.",
        ),
    ),
    Exercise(
        id="10.3",
        title="Low stock without loading every description one by one",
        returns=list,
        expects="a list of LowStock, fewest units first",
        # 8 low-stock listings, then 69: more than the LOW_STOCK the panel shows, so an
        # answer that shows one too few (or all of them) is told apart.
        sizes=(100, 800),
        rows=Rows("low-stock listings", _low_shown),
        checks=(Result(ordered=True), Scaling(), Budget(queries=1)),
        hints=(
            "The diagnosis names `Product.summary`: it reads `description`, which the "
            "queryset deferred — one query per row to fetch it.",
            "Either stop deferring it (1 query, and every description loaded whole), or let "
            "the database cut the 120 characters the panel shows.",
            '`.annotate(summary=Left("product__description", 120))` (`Left` is in '
            "`django.db.models.functions`) with the `defer` kept, and read "
            "`listing.summary` instead of `listing.product.summary`.",
        ),
    ),
    Exercise(
        id="10.4",
        title="The carrier panel cannot hang the page",
        returns=CarrierStatus,
        expects="a CarrierStatus",
        rows=Rows("listings", lambda: Listing.objects.count()),
        checks=(FallsBackInTime(partner="shipping", fallback=NOT_ANSWERED),),
        time_limit=5.0,
        hints=(
            'Trace the page with the partner hanging (`partners.configure("shipping", '
            "hang=True)`): the call has `timeout=None`.",
            "Lesson 08's client bounds every call and falls back: "
            "`client.shipping_quote(postcode)` returns `FLAT_SHIPPING` (its `estimated` is "
            "True) when the partner does not answer in time.",
            "Return `NOT_ANSWERED` when the quote is estimated, else "
            "`CarrierStatus(days=quote.days, price=quote.price, confirmed=True)`.",
        ),
    ),
    Exercise(
        id="10.5",
        title="A test that pins the dashboard's queries",
        rows=Rows("orders", lambda: Order.objects.count()),
        read_only=False,  # a test may build its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=SHOP_PAGE,
                fixed=FIXED_PAGE,
                name="get_dashboard",
                data="a page whose panels are full",
                advice="The panels show at most 20 rows each: on full panels, a count "
                "pinned at one size is enough.",
                fix="`assertNumQueries`, or `CaptureQueriesContext` and an `assert`.",
            ),
        ),
        hints=(
            "Call `get_dashboard()` inside `CaptureQueriesContext(connection)` (from "
            "`django.test.utils`; `connection` from `django.db`) and print the count, once "
            "with the shop's page and once with yours.",
            "Yours makes a handful of queries; the shop's, about a hundred. Assert a bound "
            "in between, close to yours.",
            "`assert response.status_code == 200` and `assert len(queries) <= 5`.",
        ),
    ),
]
