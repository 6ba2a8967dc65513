"""The talk's final checklist (lesson 10): each item demonstrated live, in one line.

Every function measures the difference its item makes, on this kernel's shop, and
returns a :class:`Demo` — the item, the lesson that teaches it, and the measured line.
Each runs in a few seconds; the notebook calls one per item.
"""

from __future__ import annotations

import html
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from workshop_site.lab.capture import queries
from workshop_site.lab.inspector import diagnose
from workshop_site.lab.probes import best_time

__all__ = [
    "Demo",
    "alerting",
    "indexes",
    "inspector",
    "loading_less",
    "long_job",
    "mocked_offline",
    "monitoring",
    "offloaded",
    "pinned_page",
    "templates",
    "timeouts",
    "top_routes",
]


@dataclass(frozen=True)
class Demo:
    """One checklist item: what it says, where it is taught, and what was measured."""

    item: str
    lesson: str  # the notebook's file name, e.g. "02_measure_first.ipynb"
    measured: str

    def __repr__(self) -> str:
        return f"☑ {self.item}\n  {self.measured}  ({self.lesson})"

    def _repr_html_(self) -> str:
        return (
            f"<p style='margin:2px 0'>☑ <b>{html.escape(self.item)}</b><br>"
            f"{html.escape(self.measured)} "
            f"<small>(<a href='{html.escape(self.lesson)}'>{html.escape(self.lesson)}</a>)"
            "</small></p>"
        )


# -- monitoring and alerts ---------------------------------------------------------------


def monitoring(*, n: int = 200, seed: int = 0, progress: bool = True) -> Demo:
    """The shop as it was, under traffic: the route costing the most, and its latency."""
    from workshop_site.lab.routes import route_stats
    from workshop_site.lab.visitors import traffic

    stats = route_stats(traffic(n=n, seed=seed, progress=progress))
    top = stats.index[0]
    row = stats.loc[top]
    return Demo(
        "I monitor the latency of my app in production",
        "02_measure_first.ipynb",
        f"{n} requests: {top} costs the most server time ({row['total_share']:.0%}), "
        f"p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, "
        f"{row['queries_per_request']:.0f} queries per request",
    )


def alerting(*, n: int = 300, seed: int = 1, progress: bool = True) -> Demo:
    """A bad deploy half-way through the traffic, and the rule that catches it."""
    from workshop_site.lab.alert_rules import AlertRule, alert
    from workshop_site.lab.visitors import traffic

    run = traffic(n=n, seed=seed, bad_deploy_at=n // 2, optimized=True, progress=progress)
    rule = AlertRule(
        "home page N+1", metric="queries", stat="p95", threshold=10, route="/", window=10
    )
    deployed = run.releases[-1][0]
    found = alert(rule, run)
    if found.fired_at is None:
        measured = f"bad deploy at request #{deployed}: the rule stayed quiet"
    else:
        measured = (
            f"bad deploy at request #{deployed}; the rule on the home page's queries fired at "
            f"request #{found.fired_at}, {found.fired_at - deployed} requests later"
        )
    return Demo(
        "I am alerted in case of error / latency issues in prod", "02_measure_first.ipynb", measured
    )


# -- queries --------------------------------------------------------------------------------


def _page_queries(path: str) -> tuple[int, int]:
    """(queries, repeats of the most repeated relation) for one GET of ``path``."""
    with override_settings(DEBUG=False), queries() as log:
        Client().get(path)
    findings = diagnose(log)
    return len(log), max((finding.count for finding in findings), default=0)


def inspector() -> Demo:
    """What the Debug Toolbar's SQL panel shows on the product list, here with
    ``lab.queries()``: the naive page's repeated queries, the fixed page's three."""
    naive, repeats = _page_queries(reverse("shop:product_list_naive"))
    fixed, _ = _page_queries(reverse("shop:product_list"))
    return Demo(
        "Django Debug Toolbar is installed and used by everyone",
        "01_instruments.ipynb",
        f"product list: {naive} queries naive (one relation read {repeats} times), "
        f"{fixed} optimized — `make site` shows the same in the toolbar's SQL panel",
    )


def top_routes(*, n: int = 200, seed: int = 0, top: int = 5, progress: bool = True) -> Demo:
    """Server time of the costliest routes, the shop as it was and as the course left it."""
    from workshop_site.lab.routes import route_stats
    from workshop_site.lab.visitors import traffic

    before = route_stats(traffic(n=n, seed=seed, progress=progress))
    after = route_stats(traffic(n=n, seed=seed, optimized=True, progress=progress))
    routes = list(before.index[:top])
    was = before.loc[routes, "total_ms"].sum() / 1000
    now = after.reindex(routes)["total_ms"].sum() / 1000
    return Demo(
        "My top 5 views by server time spent are optimized (select_related, etc.)",
        "03_n_plus_one.ipynb",
        f"the {top} costliest routes of {n} requests: {was:.2f} s of server time naive, "
        f"{now:.2f} s optimized ({was / now:.1f}× less)",
    )


def pinned_page() -> Demo:
    """The talk's N and N+20 test on the order history, naive and optimized."""
    from workshop_site.lab.probes import rolled_back
    from workshop_site.perf_testing import assert_queries_flat
    from workshop_site.shop.factories import add_orders, make_customer

    results = {}
    for name in ("shop:order_history_naive", "shop:order_history"):
        with rolled_back():
            customer = make_customer()
            add_orders(customer, count=1)
            url = reverse(name, kwargs={"customer_id": customer.pk})
            first, _ = _page_queries(url)
            try:
                assert_queries_flat(url, grow=partial(add_orders, customer), queries=first)
            except AssertionError:
                verdict = "fails"
            else:
                verdict = "passes"
            after, _ = _page_queries(url)  # the test's grow() added 20 orders
            results[name] = f"{verdict} ({first} → {after} queries)"
    return Demo(
        "All critical pages have a performance test on the number of queries made",
        "07_testing_performance.ipynb",
        f"N and N+20 orders on the order history: naive page {results['shop:order_history_naive']}"
        f"; optimized page {results['shop:order_history']}",
    )


# -- external calls ------------------------------------------------------------------------


@contextmanager
def _partners(hang_limit: float = 1.0) -> Iterator[Any]:
    from workshop_site.lab.local_partners import partners

    service = partners(hang_limit=hang_limit)
    try:
        yield service
    finally:
        service.reset()


def _seconds(fn: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - began


def timeouts() -> Demo:
    """A hanging shipping partner, called without a timeout and with the client's."""
    from workshop_site.external import client, naive
    from workshop_site.shop.dashboard import WAREHOUSE_POSTCODE

    params = {"postcode": WAREHOUSE_POSTCODE}
    with _partners(hang_limit=1.0) as service, service.behaving("shipping", hang=True):
        _, waited = _seconds(
            lambda: naive.call("shipping", "GET", "/shipping/quote", params=params)
        )
        quote, bounded = _seconds(lambda: client.shipping_quote(WAREHOUSE_POSTCODE))
    fallback = "the flat rate" if quote.estimated else "an answer"
    return Demo(
        "All my external calls have a timeout aligned with the expected quality of service",
        "08_external_calls.ipynb",
        f"shipping partner hanging: {waited:.2f} s without a timeout (until the partner let "
        f"go), {bounded:.2f} s with the client's timeout, and {fallback} for the page",
    )


def offloaded() -> Demo:
    """The checkout with a slow mail partner and CRM: in the request, or queued as tasks."""
    from workshop_site.shop.models import Customer, Listing

    customer = Customer.objects.order_by("id").first()
    listing = Listing.objects.public().filter(stock__gt=0).order_by("id").first()
    if customer is None or listing is None:
        raise RuntimeError("offloaded() needs the seeded shop: run lab.start() first")
    queue = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    timings = {}
    with (
        _partners() as service,
        service.behaving("mail", delay=0.3),
        service.behaving("crm", delay=0.3),
        override_settings(TASKS=queue, DEBUG=False),
    ):
        for name in ("shop:checkout_naive", "shop:checkout"):
            url = reverse(name, kwargs={"customer_id": customer.pk})
            post = partial(Client().post, url, {"listing": listing.pk})
            _, timings[name] = _seconds(post)
    return Demo(
        "Any non mandatory external call / computation are off-loaded in crons or tasks",
        "08_external_calls.ipynb",
        f"checkout with the mail and CRM partners taking 0.3 s each: "
        f"{timings['shop:checkout_naive']:.2f} s with them in the request, "
        f"{timings['shop:checkout']:.2f} s with them queued as tasks",
    )


def mocked_offline() -> Demo:
    """A partner's answer recorded once, then replayed with the partner stopped."""
    from workshop_site.external import client
    from workshop_site.external.cassettes import partner_vcr
    from workshop_site.shop.dashboard import WAREHOUSE_POSTCODE

    with tempfile.TemporaryDirectory(prefix="checklist-") as folder:
        with _partners() as service:
            with partner_vcr(cassette_dir=folder, record_mode="once").use_cassette("ship.yaml"):
                live = client.shipping_quote(WAREHOUSE_POSTCODE)
            reached = len(service.hits("shipping"))
            service.stop()
            with partner_vcr(cassette_dir=folder).use_cassette("ship.yaml"):
                replayed, seconds = _seconds(lambda: client.shipping_quote(WAREHOUSE_POSTCODE))
        recorded = Path(folder, "ship.yaml").exists()
    same = "the same quote" if replayed == live else "another quote"
    return Demo(
        "All external calls are tested / mocked (tests can run offline)",
        "08_external_calls.ipynb",
        f"recorded {'once' if recorded else 'nothing'} ({reached} request reached the "
        f"partner); replayed with the partner stopped: {same}, in {seconds * 1000:.1f} ms",
    )


# -- memory ------------------------------------------------------------------------------------


def loading_less() -> Demo:
    """Every product, with every column or only the two a list shows."""
    from workshop_site.lab.probes import peak_memory
    from workshop_site.shop.models import Product

    count = Product.objects.count()
    _, full = peak_memory(lambda: list(Product.objects.all()))
    _, slim = peak_memory(lambda: list(Product.objects.only("title", "slug")))
    return Demo(
        "For critical views / long computations I load only the minimum needed data "
        "(values, only, defer)",
        "06_loading_less.ipynb",
        f"{count:,} products: {full / 1e6:.1f} MB with every column, {slim / 1e6:.2f} MB "
        f"with only(title, slug) ({full / slim:.0f}× less)",
    )


def long_job(*, orders: int = 5_000) -> Demo:
    """Lesson 09's nightly export at ``orders`` orders: a plain loop against an iterator."""
    from workshop_site.lab.order_growth import grow_orders
    from workshop_site.lab.probes import peak_memory
    from workshop_site.shop.models import Order

    def export(rows: Iterable[Order]) -> int:
        return sum(len(f"{order.pk};{order.customer_id};{order.status}") for order in rows)

    grow_orders(orders, progress=False)
    _, plain = peak_memory(lambda: export(Order.objects.order_by("pk")))
    _, streamed = peak_memory(lambda: export(Order.objects.order_by("pk").iterator(1_000)))
    return Demo(
        "Long running tasks are optimized in terms of RAM usage (batches, iterator, etc.)",
        "09_further.ipynb",
        f"exporting {orders:,} orders: peak {plain / 1e6:.1f} MB in a plain loop, "
        f"{streamed / 1e6:.2f} MB with iterator() (lesson 09 plots the first growing with "
        "the table)",
    )


# -- the talk's few more ideas ---------------------------------------------------------------


def indexes(*, orders: int = 30_000) -> Demo:
    """Lesson 09's shipping queue at ``orders`` orders, without and with its index."""
    from django.db import models

    from workshop_site.lab.indexes import index_on
    from workshop_site.lab.order_growth import grow_orders
    from workshop_site.shop.models import Order

    def oldest_pending() -> list[int]:
        pending = Order.objects.filter(status=Order.Status.PENDING).order_by("created_at")
        return list(pending.values_list("id", flat=True)[:20])

    grow_orders(orders, progress=False)
    without = best_time(oldest_pending)
    index = models.Index(fields=["status", "created_at"], name="order_status_created_idx")
    with index_on(Order, index):
        with_index = best_time(oldest_pending)
    return Demo(
        "SQL indexes / DBA stuff",
        "09_further.ipynb",
        f"the 20 oldest pending of {orders:,} orders: {without * 1000:.2f} ms without an "
        f"index, {with_index * 1000:.2f} ms with (status, created_at) "
        f"({without / with_index:.0f}× faster)",
    )


def templates() -> Demo:
    """Lesson 09's catalogue: filters on every render, or applied once."""
    from workshop_site.lab import template_costs as lesson

    cards = lesson.catalogue_rows()
    ready = lesson.light_rows(cards)
    heavy = best_time(lambda: lesson.catalogue("catalogue_inline", cards))
    light = best_time(lambda: lesson.catalogue("catalogue_light", ready))
    return Demo(
        "Django templates are slow",
        "09_further.ipynb",
        f"{len(cards)} cards, no query: {heavy * 1000:.0f} ms with the filters on every "
        f"render, {light * 1000:.0f} ms with them applied once",
    )
