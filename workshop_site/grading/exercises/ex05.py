"""Lesson 05 (composing queryset methods): a page's loading strategy in one method.

05.1 writes ``optimize_for_list()`` for a page with a chain of relations (orders → lines →
listing → product → brand); the shop's own ``optimize_for_history()`` stops at the
product, so reusing it leaves an N+1 on the brand. 05.2 extends the listing cards'
``optimize_for_list()`` with the product's rating without leaving its 3 queries:
the database counts (``with_review_stats()``) instead of a query per card or every
review loaded into Python.
"""

from __future__ import annotations

from typing import Self

from django.db.models import Prefetch

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.lessons.composing import RatedCard, Shipment, rated_card, shipments
from workshop_site.shop.models import Listing, Order, OrderLine
from workshop_site.shop.querysets import ListingQuerySet, OrderQuerySet

__all__ = ["EXERCISES", "OrderListQuerySet", "RatedListingQuerySet"]


class OrderListQuerySet(OrderQuerySet):
    def optimize_for_list(self) -> Self:
        lines = OrderLine.objects.select_related("listing__product__brand")
        return self.select_related("customer__address").prefetch_related(Prefetch("lines", lines))


def orders_to_ship() -> list[Shipment]:
    paid: OrderListQuerySet = OrderListQuerySet(Order).filter(status=Order.Status.PAID)
    return shipments(paid.newest_first().optimize_for_list())


class RatedListingQuerySet(ListingQuerySet):
    def optimize_for_list(self) -> Self:
        return super().optimize_for_list().with_review_stats()


def rated_cards() -> list[RatedCard]:
    listings: RatedListingQuerySet = (
        RatedListingQuerySet(Listing).public().newest_first().optimize_for_list()
    )
    return [
        rated_card(listing, listing.review_count, listing.average_rating) for listing in listings
    ]


def _unreviewed_card_wrong(expected: list[RatedCard], got: object) -> bool:
    """Is a card of a product without reviews among the wrong ones?"""
    right = set(got) if isinstance(got, list) else set()
    return any(card.reviews == 0 and card not in right for card in expected)


EXERCISES = [
    Exercise(
        id="05.1",
        title="optimize_for_list() for the orders to ship",
        reference=orders_to_ship,
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
        reference=rated_cards,
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
