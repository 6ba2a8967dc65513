"""Every figure notebook 07 states, computed on the same code: lessons/pinning.py and the
shop's order history and product list pages."""

from __future__ import annotations

from unittest import mock

import django_perf_rec
import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import models
from django.urls import reverse

from workshop_site.grading.exercises import ex07 as pinning
from workshop_site.lab import queries
from workshop_site.perf_testing import assert_queries_flat, forbid_lazy_loads
from workshop_site.shop.factories import add_orders, make_customer
from workshop_site.shop.models import Product
from workshop_site.shop.querysets import ListingQuerySet, OrderQuerySet


def _count(fn) -> int:
    with queries() as log:
        fn()
    return len(log)


def test_one_order_pages_run_3_and_9_queries(client, seeded):
    customer = make_customer()
    add_orders(customer, count=1)
    kwargs = {"customer_id": customer.pk}
    assert _count(lambda: client.get(reverse("shop:order_history", kwargs=kwargs))) == 3
    assert _count(lambda: client.get(reverse("shop:order_history_naive", kwargs=kwargs))) == 9


def test_order_summaries_match_at_one_order_and_not_at_21(seeded):
    customer = make_customer()
    add_orders(customer, count=1)
    naive = lambda: pinning.order_summaries_naive(customer)  # noqa: E731
    fixed = lambda: pinning.order_summaries(customer)  # noqa: E731
    assert (_count(naive), _count(fixed)) == (2, 2)
    add_orders(customer, count=20)
    assert (_count(naive), _count(fixed)) == (22, 2)
    assert pinning.order_summaries_naive(customer) == pinning.order_summaries(customer)


def test_review_lines_agree_and_only_the_naive_one_loads_lazily(seeded):
    reviewed = Product.objects.filter(reviews__isnull=False).order_by("id")
    product = reviewed.fetch_mode(models.FETCH_RAISE).first()
    lines = pinning.review_lines(product)
    lenient = reviewed.first()
    assert lines
    assert lines == pinning.review_lines_naive(lenient)
    assert _count(lambda: pinning.review_lines(lenient)) == 1
    assert _count(lambda: pinning.review_lines_naive(lenient)) == 1 + len(lines)
    with pytest.raises(FieldFetchBlocked, match="Fetching of Review.customer blocked"):
        pinning.review_lines_naive(product)


def test_the_naive_history_stops_at_customer_address_and_summaries_slip_through(client, seeded):
    customer = make_customer()
    add_orders(customer, count=5)
    url = reverse("shop:order_history_naive", kwargs={"customer_id": customer.pk})
    with pytest.raises(FieldFetchBlocked, match="Customer.address"), forbid_lazy_loads():
        client.get(url)
    with forbid_lazy_loads():
        assert _count(lambda: pinning.order_summaries_naive(customer)) == 6  # no error


def test_a_dropped_select_related_makes_the_one_line_pin_fail(client, seeded):
    # The notebook runs this pin in a Django TestCase; here pytest-django's transaction
    # plays that part (a TestCase nested in it would close a PostgreSQL connection).
    def pin() -> None:
        customer = make_customer()
        add_orders(customer, count=3)
        url = reverse("shop:order_history", kwargs={"customer_id": customer.pk})
        assert_queries_flat(url, grow=lambda: add_orders(customer), queries=3, client=client)

    pin()
    simplified = lambda self: self.prefetch_related("lines")  # noqa: E731
    with mock.patch.object(OrderQuerySet, "with_lines", simplified):
        with pytest.raises(AssertionError) as failure:
            pin()
    message = str(failure.value)
    assert "expected 3 queries before growing the data, got 15" in message
    assert 'prefetch_related("lines__listing__product")' in message


@pytest.mark.slow
def test_the_product_list_record_has_3_queries_and_a_lost_prefetch_makes_12(
    client, seeded, tmp_path
):
    path = str(tmp_path / "pages.perf.yml")
    url = reverse("shop:product_list")
    with django_perf_rec.record(record_name="product_list", path=path):
        client.get(url)
    assert (tmp_path / "pages.perf.yml").read_text().count("- db:") == 3
    without = lambda self: self.with_brand().with_images()  # noqa: E731
    with mock.patch.object(ListingQuerySet, "optimize_for_list", without):
        with queries() as log, pytest.raises(AssertionError, match="did not match"):
            with django_perf_rec.record(record_name="product_list", path=path):
                client.get(url)
    assert len(log) == 12
