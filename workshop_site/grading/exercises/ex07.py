"""Lesson 07 (tests that pin performance): the learner writes the test.

Each exercise's function is a test taking the code under test as its one argument. The
check kind :class:`TellsNaiveFromFixed` runs it on the naive and on the fixed version
(``workshop_site.lessons.pinning``): it must fail on the first and pass on the second.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import TellsNaiveFromFixed
from workshop_site.lessons import pinning
from workshop_site.perf_testing import assert_queries_flat
from workshop_site.shop.factories import add_orders, make_customer
from workshop_site.shop.models import Order, Product, Review


def test_order_summaries_stay_flat(order_summaries: Callable) -> None:
    customer = make_customer()
    add_orders(customer, count=1)
    assert_queries_flat(
        lambda: order_summaries(customer), grow=lambda: add_orders(customer), queries=2
    )


def test_review_lines_load_what_they_read(review_lines: Callable) -> None:
    reviewed = Product.objects.filter(reviews__isnull=False).order_by("id")
    product = reviewed.fetch_mode(models.FETCH_RAISE).first()
    assert review_lines(product), "the product has reviews: expected some lines"


EXERCISES = [
    Exercise(
        id="07.1",
        title="A test that catches the order summaries' N+1",
        reference=test_order_summaries_stay_flat,
        rows=Rows("orders", lambda: Order.objects.count()),
        read_only=False,  # a test builds its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=pinning.order_summaries_naive,
                fixed=pinning.order_summaries,
                name="order_summaries",
                data="a customer with orders",
                advice="`FETCH_RAISE` cannot see this one: `Order.total` reads "
                "`order.lines.all()`, a related manager, and fetch modes do not cover those.",
            ),
        ),
        hints=(
            "Start like the talk's test: a new customer with one order, and "
            "`with lab.queries() as q: order_summaries(customer)`. How many queries? Does the "
            "naive version run the same number?",
            "With one order, naive and fixed both run 2 queries: one size cannot tell them "
            "apart. Add 20 orders (`add_orders(customer)`) and count again.",
            "`assert_queries_flat(lambda: order_summaries(customer), "
            "grow=lambda: add_orders(customer), queries=2)` does both counts in one line.",
        ),
    ),
    Exercise(
        id="07.2",
        title="A test that forbids lazy loads",
        reference=test_review_lines_load_what_they_read,
        rows=Rows("reviews", lambda: Review.objects.count()),
        read_only=False,  # a test may build its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=pinning.review_lines_naive,
                fixed=pinning.review_lines,
                name="review_lines",
                data="a product that has reviews",
                fix="Or hand it a product loaded with `fetch_mode(models.FETCH_RAISE)`: "
                "then a lazy `review.customer` raises.",
            ),
        ),
        hints=(
            "A fetch mode follows the instances: the reviews that `product.reviews` loads "
            "get the product's mode, and so does everything reached from them.",
            "Load the product you pass in with "
            "`Product.objects.fetch_mode(models.FETCH_RAISE)`: then `review.customer` raises "
            "`FieldFetchBlocked` unless the code loaded it.",
            "Pick a product that has reviews (`.filter(reviews__isnull=False)`): code that "
            "loops over nothing reads nothing lazily.",
        ),
    ),
]
