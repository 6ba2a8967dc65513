"""Lesson 09d (templates): the queries another page's template runs, removed in the view.

The lesson fixes the pending-orders table; the exercise is the customers' page: a
foreign key to join, and a reverse relation read twice by the template (its ``count``
and its rows), both served by what the view passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.lab.template_costs import render
from workshop_site.shop.models import Customer

#: Customers on the page.
PAGE = 30


def customer_page() -> models.QuerySet:
    """The customers the page lists: the first :data:`PAGE` by id."""
    return Customer.objects.order_by("id")[:PAGE]


def render_customers(customers: Iterable[Customer]) -> str:
    """The customers' table: name, city, number of orders, each order's status."""
    return render("examples/customer_rows.html", {"customers": customers})


EXERCISES = [
    Exercise(
        id="09d.1",
        title="The customers' page without its template's queries",
        returns=str,
        expects="the rendered HTML (a str)",
        sizes=(10, 40),  # a page not yet full at the first size: its queries must not grow
        rows=Rows("customers on the page", lambda: min(PAGE, Customer.objects.count())),
        checks=(Result(), Scaling(), Budget(queries=3)),
        hints=(
            "Render the page inside `lab.queries()` and read the diagnosis: which relations "
            "does the template read for each customer?",
            "`customer.address` is a foreign key (a JOIN); `customer.orders.count` and "
            "`customer.orders.all` read a reverse relation — prefetched rows serve both.",
            '`customer_page().select_related("address").prefetch_related("orders")`.',
        ),
    ),
]
