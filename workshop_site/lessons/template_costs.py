"""Lesson 09, templates: the pending-orders table, its queries run by the template.

The page itself (``pending_page()``, ``render_orders()``) is exercise 09.4's data, kept
with that exercise (``workshop_site.grading.exercises.ex09``) until lesson 09's episodes
type it in their cells. Measuring a template (its own Python time, includes, the cached
loader, a fragment cache) is tooling: ``workshop_site.lab.template_costs``.
"""

from __future__ import annotations

from django.db.models import Prefetch

from workshop_site.grading.exercises.ex09 import PAGE, pending_page, render_orders
from workshop_site.shop.models import OrderLine

__all__ = ["PAGE", "pending_orders", "pending_orders_naive", "pending_page", "render_orders"]


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
