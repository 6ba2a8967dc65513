"""Figures notebook 07 states about the shop's own pages (order history, product list); the
figures about the code typed in its cells are checked in its kernel (tests/claims)."""

from __future__ import annotations

from unittest import mock

import django_perf_rec
import pytest
from django.urls import reverse

from workshop_site.lab import queries
from workshop_site.perf_testing import assert_queries_flat
from workshop_site.shop.factories import add_orders, make_customer
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
