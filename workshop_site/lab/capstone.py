"""The capstone's helpers (lesson 10): the seller dashboard, from monitoring to its test.

The shop's page (``shop/dashboard.py``, ``/seller/dashboard/``) is slow for several
reasons. The learner finds it in the traffic (:data:`MIX` adds it to ``lab.traffic``'s
pages), reads its trace, fixes its panels one by one, then serves the fixed page at the
same URL and compares the route before and after (:func:`before_after`).

:func:`fixed_view` assembles the learner's panels; a panel still unwritten (the
exercise's stub) is replaced by the shop's own, and said so, so that the notebook runs
to the end at every stage of the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models import QuerySet

from workshop_site.lab.indexes import create_index, table_indexes
from workshop_site.lab.visitors import MIX as SHOP_MIX
from workshop_site.shop import dashboard
from workshop_site.shop.dashboard import CarrierStatus
from workshop_site.shop.models import Listing, Order
from workshop_site.shop.views_dashboard import dashboard_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "MIX",
    "NOT_ANSWERED",
    "ROUTE",
    "Assembled",
    "apply_index",
    "before_after",
    "dashboard_page",
    "fixed_view",
    "offline_carrier",
    "route_figures",
    "low_stock_queryset",
    "to_ship_queryset",
]

#: The dashboard's route, as monitoring names it.
ROUTE = "/seller/dashboard/"
#: The shop's traffic with the seller dashboard among its pages (fourth most visited: the
#: warehouse team keeps it open all day).
MIX = (*SHOP_MIX[:3], "shop:seller_dashboard", *SHOP_MIX[3:])
#: What the carrier panel shows when the shipping partner gives no answer.
NOT_ANSWERED = CarrierStatus(days=None, price=None, confirmed=False)


def to_ship_queryset() -> QuerySet[Order]:
    """The query the "orders to ship" panel starts from (its plan is what an index
    changes)."""
    return Order.objects.filter(status=Order.Status.PAID).order_by("created_at")[
        : dashboard.TO_SHIP
    ]


def low_stock_queryset() -> QuerySet[Listing]:
    """The query the low-stock panel starts from, without its joins (its plan is what an
    index changes: a filter and an ordering on the same column, ``stock``)."""
    return Listing.objects.filter(is_active=True, stock__lt=dashboard.LOW_STOCK_BELOW).order_by(
        "stock", "id"
    )[: dashboard.LOW_STOCK]


def offline_carrier() -> CarrierStatus:
    """The carrier panel with the partner mocked: a fixed answer, no network. A test of
    the page's queries must not depend on a partner being up."""
    from decimal import Decimal

    return CarrierStatus(days=2, price=Decimal("6.90"), confirmed=True)


# -- the learner's page, assembled --------------------------------------------------------


@dataclass
class Assembled:
    """The dashboard view built from the learner's panels, and what is still the shop's."""

    view: Callable[..., Any]
    still_original: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        if not self.still_original:
            return "Your dashboard: every panel is yours."
        return "Your dashboard; still the shop's own: " + ", ".join(self.still_original)


def _yours_or_original(name: str, yours: Callable[[], Any], notes: list[str]) -> Callable[[], Any]:
    """``yours``, unless it is still the exercise's stub: then the shop's own panel.

    Tried once, in a transaction rolled back: a stub raises ``NotImplementedError`` at
    once; any other error is the learner's to see.
    """
    from workshop_site.lab.probes import rolled_back

    try:
        with rolled_back():
            yours()
    except NotImplementedError:
        notes.append(f"{name} (not written yet)")
        original: Callable[[], Any] = getattr(dashboard, name)
        return original
    return yours


def fixed_view(
    *,
    orders_to_ship: Callable[[], Any],
    low_stock: Callable[[], Any],
    carrier_status: Callable[[], Any],
) -> Assembled:
    """The dashboard with these panels (each one still a stub: the shop's own)."""
    notes: list[str] = []
    view = dashboard_view(
        orders_to_ship=_yours_or_original("orders_to_ship", orders_to_ship, notes),
        low_stock=_yours_or_original("low_stock", low_stock, notes),
        carrier_status=_yours_or_original("carrier_status", carrier_status, notes),
    )
    return Assembled(view, notes)


def apply_index(declare: Callable[[], models.Index], *, model: type[models.Model] = Listing) -> str:
    """Create the index ``declare()`` returns (10.2's: on the listings) on this kernel's
    database, once; what happened, in words. A stub is reported, not raised."""
    try:
        index = declare()
    except NotImplementedError:
        return "no index yet: the index exercise is not written"
    name = index.name or "(unnamed)"
    if index.name and index.name in table_indexes(model):
        return f"index {name} is already on {model._meta.db_table}"
    created = create_index(model, index)
    where = connection.vendor
    return f"index {created} created on {model._meta.db_table} ({where}, this kernel's database)"


# -- the test's view of the page -----------------------------------------------------------


def dashboard_page(view: Callable[..., Any]) -> Callable[[], Any]:
    """A function that GETs the dashboard served by ``view`` and returns the response:
    what a learner's test receives to count the page's queries."""
    from django.test import Client

    from workshop_site.lab.deploys import serving

    def get_dashboard() -> Any:
        with serving({"shop:seller_dashboard": view}):
            return Client().get(ROUTE)

    return get_dashboard


# -- before and after -----------------------------------------------------------------------


def route_figures(run: Any, *, route: str = ROUTE) -> dict[str, float]:
    """One route's figures in a traffic run: requests, queries and database time per
    request (means), p50, and the route's total server time."""
    from workshop_site.lab.routes import request_log

    log = request_log(run)
    rows = log[log["route"] == route]
    if rows.empty:
        raise ValueError(f"no request to {route} in this run: was it in the traffic's mix?")
    return {
        "requests": float(len(rows)),
        "queries_per_request": float(rows["queries"].mean()),
        "db_ms_per_request": float(rows["db_ms"].mean()),
        "p50_ms": float(rows["duration_ms"].median()),
        "total_s": float(rows["duration_ms"].sum() / 1000),
    }


def before_after(before: Any, after: Any, *, route: str = ROUTE) -> Figure:
    """Queries, database time and total route time of ``route``, before and after."""
    # pandas and matplotlib load here, not with the module: the grader imports it to
    # declare lesson 10's exercises, and every exercises notebook's first cell waited.
    import pandas as pd

    from workshop_site.lab import charts

    frame = pd.DataFrame(
        [
            {"run": "before", **route_figures(before, route=route)},
            {"run": "after", **route_figures(after, route=route)},
        ]
    )
    return charts.bars(
        frame.assign(route=route),
        label="route",
        values=["queries_per_request", "db_ms_per_request", "total_s"],
        titles=["Queries per request", "Database time per request", "Total server time"],
        ylabels=["queries (mean)", "database time (ms, mean)", "route's server time (s)"],
        title=f"{route}: before and after your fixes (same traffic)",
        series="run",
    )
