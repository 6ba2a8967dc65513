"""Lesson 07 (tests that pin performance): the learner writes the test.

Each exercise's function is a test taking the code under test as its one argument. The
check kind :class:`TellsNaiveFromFixed` runs it on the naive and on the fixed version
(below, the exercises' data, which lesson 07 shows too): it must fail on the first and
pass on the second.
"""

from __future__ import annotations

from decimal import Decimal

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import TellsNaiveFromFixed
from workshop_site.shop.models import Customer, Order, Product, Review

# -- the code the learner's tests are run against: naive and fixed, the same result -------

# 07.1: a customer's order summaries


def order_summaries_naive(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """1 + N queries: the orders, then each order's lines (``Order.total`` reads them)."""
    orders = customer.orders.order_by("-created_at", "-id")
    return [(order.pk, order.status, order.total) for order in orders]


def order_summaries(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """2 queries, whatever the number of orders: every order's lines in one more query."""
    orders = Order.objects.filter(customer=customer).newest_first().prefetch_related("lines")
    return [(order.pk, order.status, order.total) for order in orders]


# 07.2: a product's review lines


def review_lines_naive(product: Product) -> list[str]:
    """1 + N queries: the reviews, then each review's customer."""
    reviews = product.reviews.order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}: {review.text}" for review in reviews]


def review_lines(product: Product) -> list[str]:
    """1 query: each review's customer comes in the same row, with a JOIN."""
    reviews = product.reviews.select_related("customer").order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}: {review.text}" for review in reviews]


# -- the references ------------------------------------------------------------------------


EXERCISES = [
    Exercise(
        id="07.1",
        title="A test that catches the order summaries' N+1",
        rows=Rows("orders", lambda: Order.objects.count()),
        read_only=False,  # a test builds its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=order_summaries_naive,
                fixed=order_summaries,
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
        rows=Rows("reviews", lambda: Review.objects.count()),
        read_only=False,  # a test may build its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=review_lines_naive,
                fixed=review_lines,
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
