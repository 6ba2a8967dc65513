"""Lesson 09a (indexes and query plans): an index for a query the lesson did not index.

The lesson indexes the shipping queue (orders: a status, then a date). The exercise is a
product's newest reviews: the filtered column is a foreign key, which already has an
index of its own — one that finds the rows but leaves the sort.
"""

from __future__ import annotations

from django.db import models

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import IndexServes
from workshop_site.shop.models import Review

#: Reviews a product page shows.
NEWEST = 10


def latest_reviews() -> models.QuerySet:
    """A product's newest reviews (the product of the first review: one that has some)."""
    first = Review.objects.order_by("pk").first()
    product = first.product_id if first is not None else 0
    return Review.objects.filter(product_id=product).order_by("-created_at")[:NEWEST]


EXERCISES = [
    Exercise(
        id="09a.1",
        title="An index for a product's latest reviews",
        returns=models.Index,
        expects='a models.Index(fields=[...], name="...")',
        rows=Rows("reviews", lambda: Review.objects.count()),
        checks=(IndexServes(model=Review, query=latest_reviews),),
        hints=(
            "Read the plan of `latest_reviews()`: which index does the database use, and "
            "what does it do after it has found the rows?",
            "The foreign key's own index (`product_id`) finds the product's reviews, but "
            "they must then be sorted by date: `USE TEMP B-TREE FOR ORDER BY`.",
            'Both columns, the filtered one first: `models.Index(fields=["product", '
            '"-created_at"], name="review_product_newest_idx")`.',
        ),
    ),
]
