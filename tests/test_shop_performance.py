"""The shop's main pages, pinned three ways (lesson 07 teaches each):

- the query count at N rows and again at N+20 (``assert_queries_flat``);
- no lazy load anywhere in the page (``forbid_lazy_loads``: Django 6.1's ``FETCH_RAISE``);
- the queries themselves, against the django-perf-rec record committed beside this file.

A regressed queryset method (a prefetch or a join dropped from ``shop/querysets.py``)
makes every pin of its page fail: ``test_a_regressed_page_fails_its_pins``.

Records are compared, never written, unless asked: ``PERF_REC_MODE=overwrite`` rewrites
them after a deliberate change (``once`` also writes missing ones). The SQL django-perf-rec
fingerprints differs between SQLite and PostgreSQL, so each vendor has its own file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django_perf_rec
import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse

from workshop_site.perf_testing import assert_queries_flat, forbid_lazy_loads
from workshop_site.shop import factories
from workshop_site.shop.models import Order, Product, Review
from workshop_site.shop.querysets import ListingQuerySet, OrderQuerySet, ProductQuerySet

MODES = ("none", "once", "overwrite", "all")


def records_path() -> str:
    """The record file of the database the tests run on."""
    return str(Path(__file__).with_name(f"test_shop_performance.{connection.vendor}.perf.yml"))


@dataclass(frozen=True)
class PinnedPage:
    """A page, the rows that make it grow, its query count, and a regression of its code."""

    url: Callable[[], str]
    grow: Callable[[], Any]
    queries: int
    # (class, method name, replacement): what a careless edit of querysets.py looks like.
    regression: tuple[type, str, Callable[..., Any]]


def _busy_customer() -> Order:
    return Order.objects.order_by("id").first().customer


def _reviewed_product() -> Product:
    return Product.objects.public().filter(reviews__isnull=False).order_by("id").first()


PAGES = {
    "home": PinnedPage(
        url=lambda: reverse("shop:home"),
        grow=factories.add_root_categories,
        queries=5,
        regression=(ListingQuerySet, "optimize_for_list", lambda self: self),
    ),
    "product_list": PinnedPage(
        # A page large enough to show the 20 listings added.
        url=lambda: reverse("shop:product_list") + "?per_page=100",
        grow=factories.add_listings,
        queries=3,
        regression=(ListingQuerySet, "optimize_for_list", lambda self: self.with_brand()),
    ),
    "product_detail": PinnedPage(
        url=lambda: reverse("shop:product_detail", kwargs={"slug": _reviewed_product().slug}),
        grow=lambda: factories.add_reviews(_reviewed_product()),
        queries=5,
        regression=(
            ProductQuerySet,
            "with_reviews",
            lambda self: self.prefetch_related(
                Prefetch("reviews", Review.objects.order_by("-created_at", "-id"))
            ),
        ),
    ),
    "order_history": PinnedPage(
        url=lambda: reverse("shop:order_history", kwargs={"customer_id": _busy_customer().pk}),
        grow=lambda: factories.add_orders(_busy_customer()),
        queries=3,
        regression=(OrderQuerySet, "with_lines", lambda self: self.prefetch_related("lines")),
    ),
}


@pytest.fixture(autouse=True)
def perf_rec_mode(settings):
    """Compare with the committed records; ``PERF_REC_MODE`` picks another mode."""
    mode = os.environ.get("PERF_REC_MODE", "none")
    if mode not in MODES:
        pytest.fail(f"PERF_REC_MODE must be one of {', '.join(MODES)}, got {mode!r}")
    settings.PERF_REC = {"MODE": mode}
    return mode


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_query_count_stays_flat_as_rows_are_added(client, seeded, name):
    page = PAGES[name]
    counts = assert_queries_flat(page.url(), grow=page.grow, queries=page.queries, client=client)
    assert counts.before == counts.after == page.queries


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_nothing_it_did_not_load(client, seeded, name):
    url = PAGES[name].url()  # outside the block: the test's own lookups may read lazily
    with forbid_lazy_loads():
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_queries_match_the_record(client, seeded, name):
    url = PAGES[name].url()
    with django_perf_rec.record(record_name=name, path=records_path()):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_a_regressed_page_fails_its_pins(client, seeded, settings, monkeypatch, name):
    page = PAGES[name]
    url = page.url()  # before the regression: it may use the method replaced
    cls, method, replacement = page.regression
    monkeypatch.setattr(cls, method, replacement)
    settings.PERF_REC = {"MODE": "none"}  # whatever PERF_REC_MODE says: never write this one

    with pytest.raises(AssertionError, match="expected|grows with the data"):
        assert_queries_flat(url, grow=page.grow, queries=page.queries, client=client)
    with pytest.raises(AssertionError, match=f"Performance record did not match for {name}"):
        with django_perf_rec.record(record_name=name, path=records_path()):
            client.get(url)
    if name == "product_list":
        # Its regression drops prefetches (a reverse and a many-to-many relation): fetch
        # modes do not cover related managers, so FETCH_RAISE cannot see it. The counts can.
        with forbid_lazy_loads():
            assert client.get(url).status_code == 200
    else:
        with pytest.raises(FieldFetchBlocked), forbid_lazy_loads():
            client.get(url)
