"""Composable queryset methods: each page's loading strategy lives here, in one place.

The talk's example: a listing page shows each listing with its product, the product's
brand, its images and its categories. Loaded naively that is ``4n + 1`` queries;
``Listing.objects.optimize_for_list()`` makes it 3 (listing + product + brand in one
JOIN, then images, then categories), whatever ``n`` is. Views chain these methods
instead of repeating ``select_related``/``prefetch_related`` lists, so a page's fix is
made once and a test pins it once.

The models are imported inside the methods that need them: ``models.py`` imports this
module to build its managers.
"""

from __future__ import annotations

from typing import Self

from django.db import models
from django.db.models import Avg, Count, Prefetch

__all__ = ["CategoryQuerySet", "ListingQuerySet", "OrderQuerySet", "ProductQuerySet"]


def _reviews_with_customers() -> models.QuerySet:
    from workshop_site.shop.models import Review

    return Review.objects.select_related("customer").order_by("-created_at", "-id")


def _active_offers() -> models.QuerySet:
    from workshop_site.shop.models import Listing

    return Listing.objects.filter(is_active=True).order_by("price", "id")


class ListingQuerySet(models.QuerySet):
    """Listings: what the list, category, search and API pages show."""

    def public(self) -> Self:
        """Active listings of public products: what a visitor may see."""
        return self.filter(is_active=True, product__is_public=True)

    def newest_first(self) -> Self:
        return self.order_by("-created_at", "-id")

    def with_brand(self) -> Self:
        """The product and its brand in the same query (one JOIN)."""
        return self.select_related("product__brand")

    def with_images(self) -> Self:
        return self.prefetch_related("product__images")

    def with_categories(self) -> Self:
        return self.prefetch_related("product__categories")

    def with_reviews(self) -> Self:
        """The product's reviews, newest first, each with its customer (one query)."""
        return self.prefetch_related(Prefetch("product__reviews", _reviews_with_customers()))

    def with_review_stats(self) -> Self:
        """``review_count`` and ``average_rating`` computed by the database.

        ``distinct=True``: chained after another multi-valued join, a plain ``Count``
        would count each review once per joined row.
        """
        return self.annotate(
            review_count=Count("product__reviews", distinct=True),
            average_rating=Avg("product__reviews__rating"),
        )

    def optimize_for_list(self) -> Self:
        """Everything a listing card shows, in 3 queries whatever the number of rows."""
        return self.with_brand().with_images().with_categories()

    def optimize_for_details(self) -> Self:
        """A listing's page: the card's data plus reviews with their customers (4 queries)."""
        return self.optimize_for_list().with_reviews()


class ProductQuerySet(models.QuerySet):
    """Products: the product page."""

    def public(self) -> Self:
        return self.filter(is_public=True)

    def with_brand(self) -> Self:
        return self.select_related("brand")

    def with_images(self) -> Self:
        return self.prefetch_related("images")

    def with_categories(self) -> Self:
        return self.prefetch_related("categories")

    def with_reviews(self) -> Self:
        """Reviews, newest first, each with its customer, in ``product.reviews.all()``."""
        return self.prefetch_related(Prefetch("reviews", _reviews_with_customers()))

    def with_offers(self) -> Self:
        """Active listings, cheapest first, as ``product.offers`` (a list)."""
        return self.prefetch_related(Prefetch("listings", _active_offers(), to_attr="offers"))

    def with_review_stats(self) -> Self:
        """``review_count`` and ``average_rating`` computed by the database."""
        return self.annotate(
            review_count=Count("reviews", distinct=True), average_rating=Avg("reviews__rating")
        )

    def optimize_for_details(self) -> Self:
        """Everything the product page shows, in 5 queries whatever the number of reviews."""
        return (
            self.with_brand()
            .with_review_stats()
            .with_images()
            .with_categories()
            .with_offers()
            .with_reviews()
        )


class CategoryQuerySet(models.QuerySet):
    """Categories: the home page's menu and the category page."""

    def public(self) -> Self:
        return self.filter(is_public=True, ancestors_are_public=True)

    def roots(self) -> Self:
        return self.filter(parent__isnull=True).order_by("path")

    def with_parent(self) -> Self:
        """The parent in the same query: ``category.breadcrumb`` then costs nothing."""
        return self.select_related("parent")

    def with_public_children(self) -> Self:
        """Public sub-categories, in tree order, as ``category.public_children`` (a list)."""
        from workshop_site.shop.models import Category

        children = Category.objects.public().order_by("path")
        return self.prefetch_related(Prefetch("children", children, to_attr="public_children"))


class OrderQuerySet(models.QuerySet):
    """Orders: a customer's order history."""

    def newest_first(self) -> Self:
        return self.order_by("-created_at", "-id")

    def with_lines(self) -> Self:
        """Lines, each with its listing and product: ``order.total`` then costs nothing."""
        from workshop_site.shop.models import OrderLine

        lines = OrderLine.objects.select_related("listing__product").order_by("id")
        return self.prefetch_related(Prefetch("lines", lines))

    def optimize_for_history(self) -> Self:
        """Everything the order history shows, in 2 queries whatever the number of orders."""
        return self.newest_first().with_lines()
