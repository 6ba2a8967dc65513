"""assert_queries_flat and forbid_lazy_loads (workshop_site/perf_testing.py), in pytest and in
a Django TestCase, and the factories the pins grow data with (shop/factories.py)."""

from __future__ import annotations

import corpus_lesson07 as pinning
import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import models
from django.db.models import query as django_query
from django.test import TestCase
from django.urls import reverse

from workshop_site.perf_testing import FlatCounts, assert_queries_flat, forbid_lazy_loads
from workshop_site.seed import seed
from workshop_site.shop import factories
from workshop_site.shop.models import Category, Listing, Order, Product


@pytest.fixture
def customer(db):
    seed(size=10, seed=5)
    customer = factories.make_customer()
    factories.add_orders(customer, count=1)
    return customer


def test_a_flat_count_passes_and_says_what_it_measured(customer):
    counts = assert_queries_flat(
        lambda: pinning.order_summaries(customer),
        grow=lambda: factories.add_orders(customer),
        queries=2,
    )
    assert counts == FlatCounts(before=2, after=2, writes=2)  # orders, then their lines


def test_a_count_that_grows_fails_with_both_counts_and_the_n_plus_one(customer):
    with pytest.raises(AssertionError) as failure:
        assert_queries_flat(
            lambda: pinning.order_summaries_naive(customer),
            grow=lambda: factories.add_orders(customer),
            queries=2,
        )
    message = str(failure.value)
    assert message.startswith(
        "the code under test: 2 queries, then 22 after grow added rows — the count grows"
    )
    assert "21 similar queries, one per order: shop/models.py" in message
    assert "order.lines.all()" in message
    assert 'prefetch_related("lines")' in message


def test_a_wrong_first_count_fails_with_the_queries(customer):
    with pytest.raises(AssertionError, match="expected 1 queries before growing the data, got 2"):
        assert_queries_flat(
            lambda: pinning.order_summaries(customer),
            grow=lambda: factories.add_orders(customer),
            queries=1,
        )


def test_grow_must_add_rows(customer):
    def noop():
        return Order.objects.count()

    with pytest.raises(AssertionError, match="`noop` added no rows"):
        assert_queries_flat(lambda: pinning.order_summaries(customer), grow=noop, queries=2)


def test_a_url_is_fetched_with_the_test_client_and_must_answer(client, customer):
    grow = lambda: factories.add_orders(customer)  # noqa: E731
    naive = reverse("shop:order_history_naive", kwargs={"customer_id": customer.pk})
    with pytest.raises(AssertionError) as failure:
        assert_queries_flat(naive, grow=grow, queries=3)
    message = str(failure.value)
    assert "/naive/: expected 3 queries before growing the data, got 9. The queries:" in message
    # The source of each query is the test's line, not the helper's.
    assert "test_perf_testing.py" in message
    assert "perf_testing.py:" not in message.replace("test_perf_testing.py:", "")
    url = reverse("shop:order_history", kwargs={"customer_id": customer.pk})
    assert assert_queries_flat(url, grow=grow, queries=3, client=client).after == 3
    missing = reverse("shop:order_history", kwargs={"customer_id": 10**9})
    with pytest.raises(AssertionError, match="the page answered 404"):
        assert_queries_flat(missing, grow=grow, queries=1)


class FlatInATestCase(TestCase):
    """The same line in a Django TestCase."""

    @classmethod
    def setUpTestData(cls):
        seed(size=10, seed=5)

    def test_order_history_stays_flat(self):
        customer = factories.make_customer()
        factories.add_orders(customer, count=1)
        url = reverse("shop:order_history", kwargs={"customer_id": customer.pk})
        assert_queries_flat(url, grow=lambda: factories.add_orders(customer), queries=3)


def test_forbid_lazy_loads_raises_on_a_lazy_load_and_restores_the_default(customer):
    with forbid_lazy_loads():
        assert pinning.review_lines(Product.objects.order_by("id").first()) is not None
        with pytest.raises(FieldFetchBlocked, match="Fetching of Order.customer blocked"):
            Order.objects.order_by("id").first().customer  # noqa: B018
    assert django_query.DEFAULT_FETCH_MODE is models.FETCH_ONE
    assert Order.objects.order_by("id").first().customer  # lazy loads work again


def test_forbid_lazy_loads_restores_the_default_after_an_error_and_when_nested(db):
    with pytest.raises(ZeroDivisionError), forbid_lazy_loads():  # noqa: PT012 - nesting tested
        with forbid_lazy_loads():
            pass
        assert django_query.DEFAULT_FETCH_MODE is models.FETCH_RAISE
        1 / 0  # noqa: B018
    assert django_query.DEFAULT_FETCH_MODE is models.FETCH_ONE


def test_instances_loaded_before_the_block_keep_their_mode(customer):
    # Related managers copy their instance's mode: a product loaded outside stays lenient.
    factories.add_reviews(Product.objects.order_by("id").first(), count=2)
    product = Product.objects.filter(reviews__isnull=False).order_by("id").first()
    with forbid_lazy_loads():
        assert pinning.review_lines_naive(product)
        inside = Product.objects.filter(pk=product.pk).first()
        with pytest.raises(FieldFetchBlocked, match="Review.customer"):
            pinning.review_lines_naive(inside)


def test_factories_make_what_they_say(db):
    seed(size=10, seed=5)
    customer = factories.make_customer(name="Zed")
    orders = factories.add_orders(customer, count=3, lines=2)
    assert customer.orders.count() == 3
    assert all(o.lines.count() == 2 for o in orders)
    product = Product.objects.order_by("id").first()
    before = product.reviews.count()
    assert len(factories.add_reviews(product, count=4)) == 4
    assert product.reviews.count() == before + 4
    listings = factories.add_listings(count=2)
    public = Listing.objects.public()
    assert all(public.filter(pk=listing.pk).exists() for listing in listings)
    assert all(listing.product.images.count() == 1 for listing in listings)
    roots = factories.add_root_categories(count=2)
    assert all(root.parent is None and root.children.count() == 1 for root in roots)
    assert set(Category.objects.public().roots()) >= set(roots)
