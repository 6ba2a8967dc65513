"""Lesson 07's examples, as its cells type them, for the tests that use them as a corpus
(the inspector's findings, ``assert_queries_flat``'s messages). The notebook's own claims
check what it says about them in its kernel (tests/claims/07_testing_performance.py)."""

from __future__ import annotations

from decimal import Decimal

from workshop_site.shop.models import Customer, Product


def order_summaries_naive(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """1 + N queries: the orders, then each order's lines (``Order.total`` reads them)."""
    orders = customer.orders.order_by("-created_at", "-id")
    return [(order.pk, order.status, order.total) for order in orders]


def order_summaries(customer: Customer) -> list[tuple[int, str, Decimal]]:
    """2 queries, whatever the number of orders: every order's lines in one more query."""
    orders = customer.orders.order_by("-created_at", "-id").prefetch_related("lines")
    return [(order.pk, order.status, order.total) for order in orders]


def review_lines_naive(product: Product) -> list[str]:
    """1 + N queries: the reviews, then each review's customer."""
    reviews = product.reviews.order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}" for review in reviews]


def review_lines(product: Product) -> list[str]:
    """1 query: each review's customer comes in the same row, with a JOIN."""
    reviews = product.reviews.select_related("customer").order_by("-created_at", "-id")
    return [f"{review.rating}★ {review.customer.name}" for review in reviews]
