"""The composed queryset methods: fixed query counts, same data as lazy loading."""

from __future__ import annotations

import pytest
from django.db.models import Avg

from workshop_site.lab.capture import queries
from workshop_site.seed import seed
from workshop_site.shop.models import Category, Listing, Order, Product


@pytest.fixture(params=[40, 120], ids=lambda size: f"size{size}")
def sized(request, db):
    seed(size=request.param, seed=5)
    return request.param


def _cards(listings) -> list[tuple]:
    return [
        (
            listing.product.title,
            listing.product.brand.name,
            [image.url for image in listing.product.images.all()],
            sorted(category.name for category in listing.product.categories.all()),
        )
        for listing in listings
    ]


@pytest.mark.parametrize("rows", [5, 25])
def test_optimize_for_list_is_3_queries_whatever_the_rows(sized, rows):
    with queries() as optimized:
        cards = _cards(Listing.objects.public().optimize_for_list().order_by("id")[:rows])
    with queries() as naive:
        lazy = _cards(Listing.objects.public().order_by("id")[:rows])
    assert len(optimized) == 3
    assert len(naive) == 4 * rows + 1
    assert cards == lazy


def test_optimize_for_details_adds_reviews_with_customers_in_one_query(seeded):
    with queries() as log:
        listings = list(Listing.objects.optimize_for_details()[:10])
        names = [[r.customer.name for r in x.product.reviews.all()] for x in listings]
    assert len(log) == 4
    expected = [
        [r.customer.name for r in x.product.reviews.order_by("-created_at", "-id")]
        for x in listings
    ]
    assert names == expected


def test_pieces_chain_in_any_order(seeded):
    chained = Listing.objects.with_categories().public().with_images().with_brand()
    with queries() as log:
        _cards(chained[:8])
    assert len(log) == 3


def test_review_stats_are_computed_by_the_database(seeded):
    product = Product.objects.filter(reviews__isnull=False).order_by("id").first()
    annotated = Product.objects.with_review_stats().get(pk=product.pk)
    expected = product.reviews.aggregate(avg=Avg("rating"))["avg"]
    assert annotated.review_count == product.reviews.count()
    assert annotated.average_rating == pytest.approx(expected)
    # Chained after a multi-valued prefetch-free join, the count is still per review.
    listing = Listing.objects.filter(product=product).with_review_stats().first()
    assert listing.review_count == product.reviews.count()


def test_product_details_in_five_queries(seeded):
    with queries() as log:
        product = Product.objects.optimize_for_details().order_by("id").first()
        _ = (
            product.brand.name,
            list(product.images.all()),
            list(product.categories.all()),
            [offer.price for offer in product.offers],
            [review.customer.name for review in product.reviews.all()],
        )
    assert len(log) == 5


def test_order_history_in_two_queries_with_totals(seeded):
    customer_id = Order.objects.order_by("id").first().customer_id
    with queries() as log:
        orders = list(Order.objects.filter(customer_id=customer_id).optimize_for_history())
        totals = [order.total for order in orders]
        titles = [[line.listing.product.title for line in o.lines.all()] for o in orders]
    assert len(log) == 2
    assert totals == [Order.objects.get(pk=o.pk).total for o in orders]
    assert all(titles)


def test_public_categories_and_their_children(seeded):
    with queries() as log:
        roots = list(Category.objects.public().roots().with_public_children())
        children = [[c.name for c in root.public_children] for root in roots]
    assert len(log) == 2
    assert all(root.parent_id is None and root.is_public for root in roots)
    assert all(children)
