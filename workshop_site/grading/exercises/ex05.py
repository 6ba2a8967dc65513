"""Lesson 05 (composing queryset methods): a page's loading strategy in one method.

05.1 writes ``optimize_for_list()`` for a page with a chain of relations (orders → lines →
listing → product → brand); the shop's own ``optimize_for_history()`` stops at the
product, so reusing it leaves an N+1 on the brand. 05.2 extends the listing cards'
``optimize_for_list()`` with the product's rating without leaving its 3 queries:
the database counts (``with_review_stats()``) instead of a query per card or every
review loaded into Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.cards import Card, card, rounded
from workshop_site.shop.models import Listing, Order

__all__ = [
    "EXERCISES",
    "RatedCard",
    "Shipment",
    "rated_card",
    "shipments",
]

# -- the exercises' pages (their data: what each page shows) ---------------------------


class Shipment(NamedTuple):
    """One order on the warehouse's "orders to ship" page (exercise 05.1)."""

    order: int
    customer: str
    city: str
    lines: tuple[tuple[int, str, str, str], ...]  # quantity, product, brand, grade
    total: Decimal


def shipments(orders: Iterable[Order]) -> list[Shipment]:
    """The "orders to ship" page: each order's customer and city, its lines with their
    listing's product, brand and grade, and its total (``Order.total`` reads the lines)."""
    return [
        Shipment(
            order=order.pk,
            customer=order.customer.name,
            city=order.customer.address.city,
            lines=tuple(
                sorted(
                    (
                        line.quantity,
                        line.listing.product.title,
                        line.listing.product.brand.name,
                        line.listing.get_grade_display(),
                    )
                    for line in order.lines.all()
                )
            ),
            total=order.total,
        )
        for order in orders
    ]


class RatedCard(NamedTuple):
    """A listing card with its product's rating (exercise 05.2)."""

    reviews: int
    average: float | None  # rounded to 2 decimals
    card: Card


def rated_card(listing: Listing, reviews: int, average: float | None) -> RatedCard:
    """The card of ``listing`` with a rating computed by the caller."""
    return RatedCard(reviews, rounded(average), card(listing))


def _unreviewed_card_wrong(expected: list[RatedCard], got: object) -> bool:
    """Is a card of a product without reviews among the wrong ones?"""
    right = set(got) if isinstance(got, list) else set()
    return any(card.reviews == 0 and card not in right for card in expected)


EXERCISES = [
    Exercise(
        id="05.1",
        title="optimize_for_list() for the orders to ship",
        returns=list,
        expects="a list of Shipment rows (the page's `shipments(orders)`), one per paid order",
        rows=Rows("paid orders", lambda: Order.objects.filter(status=Order.Status.PAID).count()),
        checks=(
            Result(ordered=True),  # the page lists them newest first
            Scaling(),
            Budget(
                queries=2,
                fix=(
                    "Two queries are enough: the orders with their customer and address "
                    "(JOINs), then the lines with their listing, product and brand (one "
                    "`Prefetch` whose queryset joins them)."
                ),
            ),
        ),
        hints=(
            "Record `orders_to_ship_naive()` with `lab.queries()`: which relations does "
            "the page read per order, and per line?",
            "Per order: `order.customer.address` (foreign keys: JOIN them) and `order.lines` "
            "(many rows: prefetch). Per line: `line.listing.product.brand`, foreign keys "
            "again — join them inside the prefetch.",
            '`self.select_related("customer__address").prefetch_related(Prefetch("lines", '
            'OrderLine.objects.select_related("listing__product__brand")))`.',
        ),
    ),
    Exercise(
        id="05.2",
        title="Ratings on the listing cards, still in 3 queries",
        returns=list,
        expects="a list of RatedCard rows (`rated_card(...)`), one per public listing",
        rows=Rows("public listings", lambda: Listing.objects.public().count()),
        checks=(
            Result(
                advice=(
                    "Look at the listings whose product has no review: the card shows 0 "
                    "reviews and no average (None)."
                ),
                advice_when=_unreviewed_card_wrong,
            ),
            Scaling(),
            Budget(
                queries=3,
                advice="The card's 3 queries stay: the rating must come with one of them.",
                fix="Let the database count and average, in the listings' own query (`annotate`).",
            ),
        ),
        hints=(
            "Keep what the card already loads: start from `super().optimize_for_list()`.",
            "The number of reviews and their average are aggregates: `annotate(...)` "
            "with `Count` and `Avg` over `product__reviews` adds them to the listings' "
            "query, with no query of their own.",
            "The shop has the piece already: `super().optimize_for_list().with_review_stats()`.",
        ),
    ),
]
