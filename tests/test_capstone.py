"""The capstone's page and helpers: every claim notebook 10 and its exercises make.

The seller dashboard renders; its problems are the ones the exercises grade (found by
the instruments, the trace and the plan); the fixed panels give the same page in a few
queries; the traffic with the dashboard in its mix records the route; the helpers
assemble a page from unfinished work without raising.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from workshop_site.grading.references import ref10
from workshop_site.lab import capstone
from workshop_site.lab.indexes import table_indexes
from workshop_site.lab.inspector import diagnose
from workshop_site.lab.query_plans import plan
from workshop_site.lab.request_trace import trace
from workshop_site.lab.visitors import MIX as SHOP_MIX
from workshop_site.lab.visitors import plan as plan_traffic
from workshop_site.lab.visitors import traffic
from workshop_site.shop import dashboard
from workshop_site.shop.models import Listing
from workshop_site.shop.views_dashboard import dashboard_view

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200


def _stub():
    raise NotImplementedError("write your answer here")


# -- the page as the shop serves it ------------------------------------------------------------


def test_the_dashboard_renders_its_three_panels(seeded, partners):
    response = Client().get(capstone.ROUTE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Orders to ship" in page
    assert "Low stock" in page
    assert "delivery in" in page


def test_the_instruments_find_every_n_plus_one_of_the_dashboard(recorded, seeded, partners):
    (_, log) = recorded(lambda: Client().get(capstone.ROUTE))
    relations = {finding.relation for finding in diagnose(log)}
    assert {"Order.customer", "Customer.address", "Order.lines"} <= relations
    deferred = [f for f in diagnose(log) if "deferred" in f.message]
    assert deferred
    assert "description" in deferred[0].message
    assert len(log) > 4 * dashboard.TO_SHIP


def test_the_orders_query_reads_every_order_then_sorts(recorded, seeded):
    _, log = recorded(dashboard.orders_to_ship)
    assert log[0].sql == capstone.to_ship_queryset().query.sql_with_params()[0]
    found = plan(capstone.to_ship_queryset())
    assert found.reads_every_row("shop_order")
    assert found.sorts


@pytest.mark.slow
def test_the_carrier_call_has_no_timeout_and_waits_for_a_hanging_partner(seeded, partners):
    partners.configure("shipping", hang=True)
    slow = trace(capstone.ROUTE)
    calls = [span for span in slow.spans if span.kind == "http"]
    assert len(calls) == 1
    assert calls[0].attributes["timeout"] is None
    assert calls[0].duration >= 1.5  # the fixture's partner lets go after 2 s


# -- the fixed page -----------------------------------------------------------------------------


def test_the_fixed_panels_give_the_same_page_in_three_queries(recorded, seeded, partners):
    shop = dashboard_view()
    fixed = dashboard_view(orders_to_ship=ref10.orders_to_ship, low_stock=ref10.low_stock)
    before, before_log = recorded(lambda: capstone.dashboard_page(shop)())
    after, after_log = recorded(lambda: capstone.dashboard_page(fixed)())
    assert before.content == after.content
    assert len(after_log) == 3
    assert len(before_log) > 60


def test_the_panels_agree_with_the_shops_own(seeded, partners):
    assert ref10.orders_to_ship() == dashboard.orders_to_ship()
    assert ref10.low_stock() == dashboard.low_stock()
    assert ref10.carrier_status() == dashboard.carrier_status()


def test_a_stub_panel_is_replaced_by_the_shops_own_and_named(seeded):
    assembled = capstone.fixed_view(
        orders_to_ship=ref10.orders_to_ship,
        low_stock=_stub,
        carrier_status=capstone.offline_carrier,
    )
    assert assembled.still_original == ["low_stock (not written yet)"]
    assert "low_stock" in repr(assembled)
    response = capstone.dashboard_page(assembled.view)()
    assert response.status_code == 200
    done = capstone.fixed_view(
        orders_to_ship=ref10.orders_to_ship,
        low_stock=ref10.low_stock,
        carrier_status=capstone.offline_carrier,
    )
    assert repr(done) == "Your dashboard: every panel is yours."


def test_apply_index_creates_the_learners_index_once(seeded):
    assert capstone.apply_index(_stub) == "no index yet: the index exercise is not written"
    first = capstone.apply_index(ref10.dashboard_index)
    assert first.startswith("index listing_active_stock_idx created on shop_listing")
    assert "listing_active_stock_idx" in table_indexes(Listing)
    assert capstone.apply_index(ref10.dashboard_index).endswith("is already on shop_listing")
    if connection.vendor == "postgresql":
        # The test's table is small: PostgreSQL's planner reads it whole, by its costs.
        # Whether the index can serve the panel is the question: seq scans off, here only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    found = plan(capstone.low_stock_queryset())
    assert found.index_used("shop_listing") == "listing_active_stock_idx"


# -- the route in the traffic, before and after -------------------------------------------


def test_the_capstone_mix_puts_the_dashboard_fourth():
    assert capstone.MIX[3] == "shop:seller_dashboard"
    assert [page for page in capstone.MIX if page != "shop:seller_dashboard"] == list(SHOP_MIX)


def test_the_traffic_visits_the_dashboard_with_the_capstone_mix(seeded):
    visits = plan_traffic(200, seed=11, mix=capstone.MIX)
    assert any(visit.path == capstone.ROUTE for visit in visits)
    assert not any(visit.path == capstone.ROUTE for visit in plan_traffic(200, seed=11))


@pytest.mark.slow
@pytest.mark.timing
def test_before_and_after_the_route_costs_fewer_queries(seeded, partners):
    partners.configure("shipping", delay=0.05)
    before = traffic(n=80, seed=11, mix=capstone.MIX, optimized=True, progress=False)
    fixed = dashboard_view(
        orders_to_ship=ref10.orders_to_ship,
        low_stock=ref10.low_stock,
        carrier_status=ref10.carrier_status,
    )
    after = traffic(
        n=80,
        seed=11,
        mix=capstone.MIX,
        optimized=True,
        views={"shop:seller_dashboard": fixed},
        progress=False,
    )
    was, now = capstone.route_figures(before), capstone.route_figures(after)
    assert was["requests"] == now["requests"] > 0
    assert now["queries_per_request"] == 3
    assert was["queries_per_request"] > 60
    assert now["db_ms_per_request"] < was["db_ms_per_request"]
    assert now["p50_ms"] >= 50  # the carrier's delay stays: a timeout does not remove it
    figure = capstone.before_after(before, after)
    assert [ax.get_title() for ax in figure.axes] == [
        "Queries per request",
        "Database time per request",
        "Total server time",
    ]
    assert figure.axes[0].get_legend() is not None


@pytest.mark.slow
def test_route_figures_say_when_the_route_is_missing(seeded):
    run = traffic(n=10, seed=0, progress=False)
    with pytest.raises(ValueError, match="no request to /seller/dashboard/"):
        capstone.route_figures(run)
