"""Exercise 09d.1: the customers' page without its template's queries. The grader
accepts select_related + prefetch_related, rejects the naive page and the half fix, and
rejects the lesson's pending-orders fix pasted as the answer (another page)."""

from __future__ import annotations

import pytest
from django.db.models import Prefetch
from exercise_asserts import fails, passes

from workshop_site.grading.exercises.ex09d import customer_page, render_customers
from workshop_site.grading.references import ref09d
from workshop_site.lab.template_costs import render
from workshop_site.shop.models import Order, OrderLine

pytestmark = [pytest.mark.usefixtures("grading_sandbox"), pytest.mark.slow]


def page_naive():
    return render_customers(customer_page())


def page_half_fixed():
    return render_customers(customer_page().select_related("address"))


def page_prefetch_everything():
    return render_customers(customer_page().prefetch_related("address", "orders"))


def lesson_pending_orders():
    # notebooks/09d_templates.ipynb, section 1: the pending-orders table, fixed.
    lines = OrderLine.objects.select_related("listing__product").order_by("id")
    pending = Order.objects.filter(status="pending").order_by("created_at", "id")[:50]
    orders = pending.select_related("customer").prefetch_related(Prefetch("lines", lines))
    return render("examples/order_rows.html", {"orders": orders})


def test_09d_1_accepts_the_reference_and_prefetching_every_relation():
    passes("09d.1", ref09d.customers_page)
    passes("09d.1", page_prefetch_everything)


def test_09d_1_rejects_the_naive_page_and_the_half_fix():
    fails("09d.1", page_naive, "scaling")
    fails("09d.1", page_half_fixed, "scaling")


def test_09d_1_the_lessons_cell_pasted_does_not_pass():
    fails("09d.1", lesson_pending_orders, "result")
