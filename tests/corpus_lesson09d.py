"""Lesson 09d's cells, as the tests use them: the pending-orders table, its queries run
by the template (notebooks/09d_templates.ipynb types the same). Measuring a template (its
own Python time, includes, the cached loader, a fragment cache) is tooling:
``workshop_site.lab.template_costs``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch

from workshop_site.lab.template_costs import render
from workshop_site.shop.models import Order, OrderLine

__all__ = ["PAGE", "pending_orders", "pending_orders_naive", "pending_page", "render_orders"]


#: Orders on one page of the pending-orders table.
PAGE = 50


def pending_page() -> models.QuerySet[Order]:
    """The first page of pending orders, oldest first: at most :data:`PAGE` rows."""
    return Order.objects.filter(status=Order.Status.PENDING).order_by("created_at", "id")[:PAGE]


def render_orders(orders: object) -> str:
    """The pending-orders table: customer, date, lines with their products, total."""
    return render("examples/order_rows.html", {"orders": orders})


def pending_orders_naive() -> str:
    """1 + N(3 + 2 lines) queries, all run by the template while it renders: per order its
    customer, its lines (twice: the loop, then ``order.total``), each line's listing and
    product."""
    return render_orders(pending_page())


def pending_orders() -> str:
    """2 queries: orders with their customer (a JOIN), then every line with its listing
    and product (a JOIN); ``order.total`` then reads the prefetched lines."""
    lines = OrderLine.objects.select_related("listing__product").order_by("id")
    return render_orders(
        pending_page().select_related("customer").prefetch_related(Prefetch("lines", lines))
    )
