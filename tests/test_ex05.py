"""Lesson 05's exercises: each grader rejects the naive page and the near misses (the
shop's own method reused, every relation prefetched, a method extended without
``super()``, the rating counted per card or in Python), each with a message that names
it, and accepts the reference and another right answer."""

from __future__ import annotations

from statistics import fmean

import pytest
from django.db.models import Avg, Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from exercise_asserts import fails, passes

from workshop_site.grading.exercises.ex05 import rated_card, shipments
from workshop_site.grading.references import ref05
from workshop_site.shop.models import Listing, Order, OrderLine, Review
from workshop_site.shop.querysets import ListingQuerySet, OrderQuerySet

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 05.1: the orders to ship ----------------------------------------------------------


def _paid(queryset_class=OrderQuerySet):
    return queryset_class(Order).filter(status=Order.Status.PAID).newest_first()


class ComposedOrders(OrderQuerySet):
    """Another right answer: the method made of two pieces of its own."""

    def with_customer(self):
        return self.select_related("customer__address")

    def with_lines(self):
        lines = OrderLine.objects.select_related("listing__product__brand").order_by("id")
        return self.prefetch_related(Prefetch("lines", queryset=lines))

    def optimize_for_list(self):
        return self.with_lines().with_customer()


def test_05_1_accepts_the_reference_and_a_method_made_of_pieces():
    passes("05.1", ref05.orders_to_ship)
    passes("05.1", lambda: shipments(_paid(ComposedOrders).optimize_for_list()))


@pytest.mark.slow
def test_05_1_rejects_the_naive_page():
    fails("05.1", lambda: shipments(_paid()), "scaling", "paid orders", "similar queries")


def test_05_1_rejects_the_order_history_method_which_stops_at_the_product():
    fails(
        "05.1",
        lambda: shipments(_paid().select_related("customer__address").optimize_for_history()),
        "scaling",
        "one per product",
        'select_related("listing__product__brand")',
    )


def orders_without_the_address():
    lines = Prefetch("lines", OrderLine.objects.select_related("listing__product__brand"))
    return shipments(_paid().select_related("customer").prefetch_related(lines))


def orders_prefetched_hop_by_hop():
    orders = _paid().select_related("customer__address")
    return shipments(orders.prefetch_related("lines__listing__product__brand"))


def test_05_1_rejects_the_customer_without_the_address():
    fails("05.1", orders_without_the_address, "scaling", "customer.address")


@pytest.mark.slow
def test_05_1_rejects_a_prefetch_per_hop_over_the_budget():
    fails(
        "05.1",
        orders_prefetched_hop_by_hop,
        "budget",
        "5 queries",
        "the budget is 2",
        "one `Prefetch` whose queryset joins them",
    )


# -- 05.2: ratings on the cards --------------------------------------------------------


def _cards(listings):
    return [
        rated_card(listing, listing.review_count, listing.average_rating) for listing in listings
    ]


def _public(queryset_class=ListingQuerySet):
    return queryset_class(Listing).public().newest_first()


def _subquery_stats(*, coalesce: bool) -> dict:
    reviews = Review.objects.filter(product=OuterRef("product")).order_by().values("product")
    count = Subquery(reviews.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    average = Subquery(reviews.annotate(a=Avg("rating")).values("a"))
    return {
        "review_count": Coalesce(count, 0) if coalesce else count,
        "average_rating": average,
    }


class SubqueryRatings(ListingQuerySet):
    """Another right answer: the statistics as correlated subqueries."""

    def optimize_for_list(self):
        return super().optimize_for_list().annotate(**_subquery_stats(coalesce=True))


class SubqueryRatingsWithoutZero(ListingQuerySet):
    def optimize_for_list(self):
        return super().optimize_for_list().annotate(**_subquery_stats(coalesce=False))


class WithoutSuper(ListingQuerySet):
    def optimize_for_list(self):
        return self.with_review_stats()


def rated_cards_naive():
    cards = []
    for listing in _public().optimize_for_list():
        stats = listing.product.reviews.aggregate(count=Count("id"), average=Avg("rating"))
        cards.append(rated_card(listing, stats["count"], stats["average"]))
    return cards


def rated_cards_in_python():
    cards = []
    for listing in _public().optimize_for_list().prefetch_related("product__reviews"):
        stars = [review.rating for review in listing.product.reviews.all()]
        cards.append(rated_card(listing, len(stars), fmean(stars) if stars else None))
    return cards


@pytest.mark.slow
def test_05_2_accepts_the_reference_and_subqueries():
    passes("05.2", ref05.rated_cards)
    passes("05.2", lambda: _cards(_public(SubqueryRatings).optimize_for_list()))


def test_05_2_rejects_a_subquery_count_that_is_null_without_reviews():
    # COUNT in a correlated subquery finds no group for a product without reviews: NULL.
    fails(
        "05.2",
        lambda: _cards(_public(SubqueryRatingsWithoutZero).optimize_for_list()),
        "result",
        "(None, None, ",
        "0 reviews",
    )


@pytest.mark.slow
def test_05_2_rejects_a_query_per_card():
    fails("05.2", rated_cards_naive, "scaling", "public listings", "one per product")


@pytest.mark.slow
def test_05_2_rejects_a_method_that_forgets_what_the_card_loaded():
    fails(
        "05.2",
        lambda: _cards(_public(WithoutSuper).optimize_for_list()),
        "scaling",
        "one per listing",
        "listing.product",
    )


@pytest.mark.slow
def test_05_2_rejects_every_review_loaded_into_python():
    fails(
        "05.2",
        rated_cards_in_python,
        "budget",
        "4 queries",
        "the budget is 3",
        "let the database count and average",
    )
