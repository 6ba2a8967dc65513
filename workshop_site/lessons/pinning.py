"""Lesson 07, tests that pin performance: the code the lesson's tests are written against.

Each function comes naive and fixed, with the same result. The exercises hand one or the
other to the learner's test, under the same name; the grader checks that the test fails
on the naive one and passes on the fixed one. ``tests/test_lessons_pinning.py`` asserts
the query counts the notebook states.
"""

from __future__ import annotations

from decimal import Decimal

from workshop_site.shop.models import Customer, Order, Product

# -- 07.1: a customer's order summaries -----------------------------------------------


def order_summaries_naive(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """1 + N queries: the orders, then each order's lines (``Order.total`` reads them)."""
    orders = customer.orders.order_by("-created_at", "-id")
    return [(order.pk, order.status, order.total) for order in orders]


def order_summaries(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """2 queries, whatever the number of orders: every order's lines in one more query."""
    orders = Order.objects.filter(customer=customer).newest_first().prefetch_related("lines")
    return [(order.pk, order.status, order.total) for order in orders]


# -- 07.2: a product's review lines ---------------------------------------------------


def review_lines_naive(product: Product) -> list[str]:
    """1 + N queries: the reviews, then each review's customer."""
    reviews = product.reviews.order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}: {review.text}" for review in reviews]


def review_lines(product: Product) -> list[str]:
    """1 query: each review's customer comes in the same row, with a JOIN."""
    reviews = product.reviews.select_related("customer").order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}: {review.text}" for review in reviews]
