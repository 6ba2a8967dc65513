"""Lesson 10's capstone exercises: each part rejects the shop's own panel (the naive
answer) on its problem, with a message that names it, and accepts the reference and
another right answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from exercise_asserts import fails, passes

from workshop_site.external import client
from workshop_site.grading import grade
from workshop_site.grading.references import ref10
from workshop_site.lab import capstone
from workshop_site.lab.capstone import NOT_ANSWERED
from workshop_site.perf_testing import assert_queries_flat
from workshop_site.shop import dashboard
from workshop_site.shop.dashboard import WAREHOUSE_POSTCODE, CarrierStatus, LowStock
from workshop_site.shop.factories import add_orders, make_customer
from workshop_site.shop.models import Listing

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 10.1 orders to ship ----------------------------------------------------------------------


def orders_to_ship_half_fixed():
    """The JOIN for the customer and the address, the lines still one order at a time."""
    orders = capstone.to_ship_queryset().select_related("customer__address")
    return [
        dashboard.OrderToShip(
            order_id=o.pk,
            customer=o.customer.name,
            city=o.customer.address.city,
            items=sum(line.quantity for line in o.lines.all()),
            total=o.total,
        )
        for o in orders
    ]


def orders_to_ship_prefetch_everything():
    orders = capstone.to_ship_queryset().prefetch_related("customer__address", "lines")
    return [
        dashboard.OrderToShip(
            order_id=o.pk,
            customer=o.customer.name,
            city=o.customer.address.city,
            items=sum(line.quantity for line in o.lines.all()),
            total=o.total,
        )
        for o in orders
    ]


def test_10_1_accepts_the_reference_and_prefetching_the_customers_too():
    passes("10.1", ref10.orders_to_ship)
    passes("10.1", orders_to_ship_prefetch_everything)


def test_10_1_rejects_the_shops_panel_and_a_half_fix():
    fails("10.1", dashboard.orders_to_ship, "scaling", "order.customer", "select_related(")
    fails("10.1", orders_to_ship_half_fixed, "scaling", "order.lines.all()")


# -- 10.2 the index -----------------------------------------------------------------------------


def test_10_2_accepts_the_composite_the_stock_alone_and_a_partial_index():
    passes("10.2", ref10.dashboard_index)
    passes("10.2", lambda: models.Index(fields=["stock"], name="stock_idx"))
    passes(
        "10.2",
        lambda: models.Index(fields=["stock"], condition=Q(is_active=True), name="active_idx"),
    )


def test_10_2_rejects_an_index_that_still_sorts():
    fails(
        "10.2",
        lambda: models.Index(fields=["is_active"], name="active_only"),
        "index-serves",
    )


def test_10_2_the_lessons_queue_index_pasted_does_not_pass():
    # notebooks/09a_indexes.ipynb, section 2: the queue's index, on the orders' columns;
    # the orders-to-ship query has the same shape, but 10.2 is the listings' panel.
    verdict = grade(
        "10.2",
        lambda: models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
        progress=False,
    )
    assert verdict.status == "fail", repr(verdict)


# -- 10.3 low stock -----------------------------------------------------------------------------


def low_stock_without_defer():
    listings = (
        Listing.objects.filter(is_active=True, stock__lt=dashboard.LOW_STOCK_BELOW)
        .select_related("product__brand")
        .order_by("stock", "id")[: dashboard.LOW_STOCK]
    )
    return [
        LowStock(l.pk, l.product.title, l.product.brand.name, l.product.summary, l.stock)
        for l in listings  # noqa: E741
    ]


def test_10_3_accepts_a_summary_cut_by_the_database_and_no_defer_at_all():
    passes("10.3", ref10.low_stock)
    passes("10.3", low_stock_without_defer)


def test_10_3_rejects_the_deferred_description_read_per_row():
    fails("10.3", dashboard.low_stock, "scaling", "product.description", "deferred")


# -- 10.4 the carrier ---------------------------------------------------------------------------


def carrier_with_requests():
    try:
        response = requests.get(
            f"{settings.PARTNERS['URL']}/shipping/quote",
            params={"postcode": WAREHOUSE_POSTCODE},
            headers={"Authorization": f"Bearer {settings.PARTNERS['API_KEY']}"},
            timeout=(0.2, 0.5),
        )
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        return NOT_ANSWERED
    return CarrierStatus(days=int(data["days"]), price=Decimal(data["price"]), confirmed=True)


def carrier_flat_rate():
    quote = client.shipping_quote(WAREHOUSE_POSTCODE)
    return CarrierStatus(days=quote.days, price=quote.price, confirmed=not quote.estimated)


@pytest.mark.slow
def test_10_4_accepts_the_client_and_requests_with_a_timeout():
    passes("10.4", ref10.carrier_status)
    passes("10.4", carrier_with_requests)


@pytest.mark.slow
def test_10_4_rejects_the_call_without_timeout_and_a_wrong_fallback():
    fails("10.4", dashboard.carrier_status, "partner-fallback", "hanging")
    fails("10.4", carrier_flat_rate, "partner-fallback", "expected the fallback")


# -- 10.5 the learner's test ----------------------------------------------------------------------


def bound_with_lab_queries(get_dashboard):
    from workshop_site.lab.capture import queries

    with queries() as log:
        response = get_dashboard()
    assert response.status_code == 200
    assert len(log) < 10, f"{len(log)} queries"


def flat_with_20_new_orders(get_dashboard):
    """The talk's N and N+20 — but 20 *new* orders: the panel lists the 20 *oldest*."""
    customer = make_customer()
    before = _count(get_dashboard)
    assert_queries_flat(
        get_dashboard, grow=lambda: add_orders(customer, count=20), queries=len(before)
    )


def _count(get_dashboard):
    with CaptureQueriesContext(connection) as queries:
        get_dashboard()
    return queries


def only_checks_the_status(get_dashboard):
    assert get_dashboard().status_code == 200


@pytest.mark.slow
def test_10_5_accepts_a_bound_on_the_count():
    verdict = passes("10.5", ref10.test_seller_dashboard)
    assert "fails on the naive `get_dashboard`" in verdict.figures[0]
    passes("10.5", bound_with_lab_queries)


@pytest.mark.slow
def test_10_5_rejects_a_test_that_pins_nothing():
    fails("10.5", only_checks_the_status, "tells-naive-from-fixed", "passes on the naive")


@pytest.mark.slow
def test_10_5_rejects_n_plus_20_rows_the_full_panels_do_not_show():
    fails(
        "10.5",
        flat_with_20_new_orders,
        "tells-naive-from-fixed",
        "passes on the naive",
        "It adds rows between its calls",
    )
