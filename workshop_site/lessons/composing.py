"""Lesson 05, composing queryset methods: the talk's listing page, naive and composed.

A listing card shows the listing's price and grade, its product's title, the product's
brand, images and categories (``shop/_listing_card.html``). ``card()`` reads exactly what
that template reads, so the functions below cost what the page costs. Docstrings state
the query counts notebook 05's prose claims; ``tests/test_lessons_composing.py`` asserts
each one.
"""

from __future__ import annotations

from statistics import fmean
from typing import NamedTuple

from django.db.models import Avg, Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from workshop_site.shop.cards import Card, card, rounded
from workshop_site.shop.models import Listing, Product, ProductImage, Review


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


def cards_rated(limit: int | None = None) -> list[tuple[Card, Rating]]:
    """3 queries: ``optimize_for_list().with_review_stats()`` — the statistics ride in the
    listings' own query."""
    listings = _first(Listing.objects.optimize_for_list().with_review_stats(), limit)
    return [
        (card(listing), Rating(listing.pk, listing.review_count, rounded(listing.average_rating)))
        for listing in listings
    ]


# -- 7: two counts over two JOINs ------------------------------------------------------


class Counts(NamedTuple):
    reviews: int
    images: int


def _counts(products: QuerySet) -> dict[int, Counts]:
    rows = products.values_list("pk", "review_count", "image_count")
    return {pk: Counts(reviews, images) for pk, reviews, images in rows}


def counts_joined() -> dict[int, Counts]:
    """Wrong: both ``Count`` share one query whose two JOINs give a product ``reviews ×
    images`` rows, and each count counts those rows."""
    products = Product.objects.annotate(review_count=Count("reviews"), image_count=Count("images"))
    return _counts(products)


def counts_distinct() -> dict[int, Counts]:
    """Right: ``distinct=True`` counts each review and image once."""
    products = Product.objects.annotate(
        review_count=Count("reviews", distinct=True), image_count=Count("images", distinct=True)
    )
    return _counts(products)


def _count_of(model: type[Review] | type[ProductImage]) -> Coalesce:
    """``(SELECT COUNT(*) FROM model WHERE product_id = product.id)``, 0 when none."""
    rows = model.objects.filter(product=OuterRef("pk")).order_by().values("product")
    count = Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    return Coalesce(count, Value(0))


def counts_subqueries() -> dict[int, Counts]:
    """Right, without JOINs: one correlated subquery per count, no GROUP BY outside."""
    products = Product.objects.annotate(
        review_count=_count_of(Review), image_count=_count_of(ProductImage)
    )
    return _counts(products)


def product_with_reviews_and_images(minimum: int = 2) -> Product:
    """The first product with at least ``minimum`` reviews and ``minimum`` images."""
    products = Product.objects.annotate(
        review_count=Count("reviews", distinct=True), image_count=Count("images", distinct=True)
    )
    return products.filter(review_count__gte=minimum, image_count__gte=minimum).order_by("id")[0]


def join_rows(product: Product) -> int:
    """How many rows the two JOINs give ``product``: its reviews × its images (at least 1
    each: a LEFT JOIN keeps a product without any)."""
    return max(1, product.reviews.count()) * max(1, product.images.count())


def join_rows_total() -> int:
    """Rows the two JOINs give every product together, the rows ``distinct=True`` reads."""
    return Product.objects.values_list("pk", "reviews__pk", "images__pk").count()


def averages_distinct() -> dict[int, float | None]:
    """Wrong: ``Avg(..., distinct=True)`` averages the distinct ratings (5, 5, 4 → 4.5)."""
    products = Product.objects.annotate(average=Avg("reviews__rating", distinct=True))
    return {pk: rounded(a) for pk, a in products.values_list("pk", "average")}


def averages() -> dict[int, float | None]:
    """Right: every rating counts."""
    products = Product.objects.annotate(average=Avg("reviews__rating"))
    return {pk: rounded(a) for pk, a in products.values_list("pk", "average")}
