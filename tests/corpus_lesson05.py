"""Lesson 05's listing cards, naive and composed, as examples for the inspector's corpus
(tests/inspector_corpus.py). The lesson itself types them in its cells
(notebooks/05_composing_querysets.ipynb); its claims are tests/claims/05_*.py.

A listing card shows the listing's price and grade, its product's title, the product's
brand, images and categories (``shop/_listing_card.html``). ``card()`` reads exactly what
that template reads, so the functions below cost what the page costs.
"""

from __future__ import annotations

from statistics import fmean
from typing import NamedTuple

from django.db.models import QuerySet

from workshop_site.shop.cards import Card, card, rounded
from workshop_site.shop.models import Listing


def _first(listings: QuerySet, limit: int | None) -> QuerySet:
    listings = listings.order_by("id")
    return listings if limit is None else listings[:limit]


# -- 1-3: the listing page, 4n + 1 vs 3 ------------------------------------------------


def cards_naive(limit: int | None = None) -> list[Card]:
    """4n + 1 queries: the listings, then for each card its product, the product's brand,
    its images and its categories."""
    return [card(listing) for listing in _first(Listing.objects.all(), limit)]


def cards(limit: int | None = None) -> list[Card]:
    """3 queries whatever n: listing + product + brand in one JOIN, then the images, then
    the categories (``optimize_for_list()``)."""
    return [card(listing) for listing in _first(Listing.objects.optimize_for_list(), limit)]


def cards_chained(limit: int | None = None) -> list[Card]:
    """The same 3 queries from the small pieces, chained in another order."""
    listings = Listing.objects.with_categories().with_images().with_brand()
    return [card(listing) for listing in _first(listings, limit)]


def cards_with_reviewers(limit: int | None = None) -> list[tuple[Card, list[str]]]:
    """4 queries: ``optimize_for_details()`` is ``optimize_for_list()`` plus the reviews,
    each with its customer joined."""
    listings = _first(Listing.objects.optimize_for_details(), limit)
    return [
        (card(listing), [review.customer.name for review in listing.product.reviews.all()])
        for listing in listings
    ]


# -- 6: let the database count ---------------------------------------------------------


class Rating(NamedTuple):
    """What a card shows of its product's reviews."""

    listing: int
    reviews: int
    average: float | None  # rounded to 2 decimals


def ratings_in_python() -> list[Rating]:
    """3 queries: the listings, their products, then every review of those products; all
    become model instances, and Python counts and averages."""
    listings = Listing.objects.prefetch_related("product__reviews").order_by("id")
    ratings = []
    for listing in listings:
        stars = [review.rating for review in listing.product.reviews.all()]
        ratings.append(Rating(listing.pk, len(stars), rounded(fmean(stars)) if stars else None))
    return ratings


def ratings() -> list[Rating]:
    """1 query: ``with_review_stats()`` has the database count and average the reviews."""
    listings = Listing.objects.with_review_stats().order_by("id")
    return [
        Rating(listing.pk, listing.review_count, rounded(listing.average_rating))  # type: ignore[attr-defined]
        for listing in listings
    ]
