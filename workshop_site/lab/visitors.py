"""``lab.traffic(n=2000, seed=0)``: simulated visitors, recorded by the monitoring middleware.

Requests go through ``django.test.Client``: the whole Django stack (middleware, URL
routing, views, templates) runs in this process, without a server. Routes are chosen
with a Zipf-like skew, as on real sites (a few pages get most of the traffic), with real
parameters read from the database (popular products are more popular, some links are
stale and give a 404). The same ``seed`` on the same data plans the same requests.

By default the shop runs as it was *before* this course: pages that have a naive form
are served by it (``optimized=True`` serves the optimized forms). ``views=`` serves other
views at some URL names for the run (your fix), and ``bad_deploy_at=k`` ships a bad
release after request ``k`` (see :func:`workshop_site.lab.deploys.bad_deploy`).
"""

from __future__ import annotations

import html
import random
import time
from bisect import bisect
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from workshop_site.lab.boot import require_started
from workshop_site.lab.deploys import NAIVE_FORMS, bad_deploy, serving

if TYPE_CHECKING:
    import pandas as pd

    from workshop_site.monitoring.store import RequestRecord

__all__ = ["MIX", "NAIVE_IN_PRODUCTION", "Visit", "TrafficRun", "plan", "traffic"]

#: URL names from the most to the least visited; a page's weight is ``1 / rank ** ZIPF_S``.
#: The cart badge (``api/cart/``) is fetched by every page view, hence first.
MIX = (
    "shop:cart_summary",
    "shop:home",
    "shop:product_detail",
    "shop:api_listing",
    "shop:search",
    "shop:product_list",
    "shop:cart",
    "shop:cart_add",
    "shop:order_history",
    "shop:category",
    "shop:api_listings",
)
#: The pages served by their naive form in the shop as it was before this course: all
#: those that have one.
NAIVE_IN_PRODUCTION = NAIVE_FORMS
VISITORS = 25  # distinct sessions: each keeps its own cart
ZIPF_S = 1.3
STALE_LINKS = 0.02  # share of product / API links that point at something gone (404)


@dataclass(frozen=True, slots=True)
class Visit:
    """One planned request."""

    page: str  # the URL name, "shop:product_detail"
    method: str
    path: str
    data: tuple[tuple[str, str], ...] = ()
    visitor: int = 0  # which visitor (session) sends it


class _Zipf:
    """Draw from ``items`` with weights ``1 / rank ** s``: the first is the most popular."""

    def __init__(self, items: Sequence, *, s: float = ZIPF_S) -> None:
        if not items:
            raise ValueError("nothing to draw from: is the database seeded?")
        self.items = list(items)
        self.cumulative = list(accumulate(1 / rank**s for rank in range(1, len(items) + 1)))

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class _Catalog:
    """What the visitors click on, read once from the database, in a fixed order."""

    products: list[str]
    categories: list[str]
    customers: list[int]
    listings: list[int]
    terms: list[str]

    @classmethod
    def load(cls) -> _Catalog:
        from workshop_site.shop.models import Brand, Category, Listing, Order, Product

        brands = list(Brand.objects.order_by("id").values_list("name", flat=True))
        words = {w for t in Product.objects.values_list("title", flat=True) for w in t.split()}
        nouns = sorted(w for w in words if not w.isdigit() and w not in brands)
        return cls(
            products=list(Product.objects.public().order_by("id").values_list("slug", flat=True)),
            categories=list(
                Category.objects.public().order_by("path").values_list("slug", flat=True)
            ),
            customers=sorted(set(Order.objects.values_list("customer_id", flat=True))),
            listings=list(Listing.objects.public().order_by("id").values_list("id", flat=True)),
            terms=[*brands, *nouns, *(f"{b} {n}" for b in brands[:5] for n in nouns[:3])],
        )


def _ranked(items: Sequence, rng: random.Random) -> _Zipf:
    shuffled = list(items)
    rng.shuffle(shuffled)  # which product is "popular" is random, but fixed by the seed
    return _Zipf(shuffled)


def plan(n: int, *, seed: int = 0, mix: Sequence[str] = MIX) -> list[Visit]:
    """The ``n`` requests ``traffic(n=n, seed=seed)`` sends, read from the current data."""
    from django.urls import reverse

    rng = random.Random(seed)
    catalog = _Catalog.load()
    pages = _Zipf(mix)
    products, categories = _ranked(catalog.products, rng), _ranked(catalog.categories, rng)
    listings, terms = _ranked(catalog.listings, rng), _ranked(catalog.terms, rng)
    page_numbers = _Zipf(range(1, 11), s=2.0)
    missing_listing = (max(catalog.listings) + 1) * 10

    def page_query() -> str:
        number = page_numbers.draw(rng)
        return "" if number == 1 else f"?page={number}"

    def visit(page: str) -> Visit:
        if page == "shop:product_detail":
            slug = products.draw(rng) if rng.random() > STALE_LINKS else "discontinued-model"
            return Visit(page, "GET", reverse(page, kwargs={"slug": slug}))
        if page in ("shop:product_list", "shop:api_listings"):
            return Visit(page, "GET", reverse(page) + page_query())
        if page == "shop:category":
            return Visit(page, "GET", reverse(page, kwargs={"slug": categories.draw(rng)}))
        if page == "shop:order_history":
            customer = rng.choice(catalog.customers)
            return Visit(page, "GET", reverse(page, kwargs={"customer_id": customer}))
        if page == "shop:search":
            return Visit(page, "GET", f"{reverse(page)}?q={terms.draw(rng)}".replace(" ", "+"))
        if page == "shop:api_listing":
            pk = listings.draw(rng) if rng.random() > STALE_LINKS else missing_listing
            return Visit(page, "GET", reverse(page, kwargs={"pk": pk}))
        if page == "shop:cart_add":
            return Visit(page, "POST", reverse(page), (("listing", str(listings.draw(rng))),))
        return Visit(page, "GET", reverse(page))

    visits = []
    for _ in range(n):
        planned = visit(pages.draw(rng))
        visits.append(replace(planned, visitor=rng.randrange(VISITORS)))
    return visits


@dataclass
class TrafficRun:
    """What one ``traffic()`` call sent and what the middleware recorded for it."""

    n: int
    seed: int
    seconds: float
    visits: list[Visit]
    records: list[RequestRecord]
    #: ``(request, release)``: the first request each release served, numbered from 0 in
    #: this run (as ``bad_deploy_at`` and the alerts number them).
    releases: list[tuple[int, str]] = field(default_factory=list)
    #: The views served instead of the URLconf's (URL name → view or URL name): pass it to
    #: ``lab.trace(path, views=run.views)`` to trace a page as this run served it.
    views: dict[str, Callable | str] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row per request (the monitoring record), oldest first."""
        from workshop_site.monitoring.store import records_frame

        return records_frame(self.records)

    @property
    def requests_per_second(self) -> float:
        return self.n / self.seconds if self.seconds else float("inf")

    def __repr__(self) -> str:
        routes = len({r.route for r in self.records})
        return (
            f"<TrafficRun {self.n:,} requests in {self.seconds:.2f} s "
            f"({self.requests_per_second:,.0f} req/s), {routes} routes, seed={self.seed}>"
        )

    def _repr_html_(self) -> str:
        releases = ", ".join(f"{html.escape(r)} from request #{s}" for s, r in self.releases)
        return (
            f"<p>🚦 <b>{self.n:,} requests</b> in {self.seconds:.2f} s "
            f"({self.requests_per_second:,.0f} requests/s), seed={self.seed}"
            f"<br><small>releases: {releases}</small></p>"
        )


def traffic(
    *,
    n: int = 2000,
    seed: int = 0,
    mix: Sequence[str] = MIX,
    optimized: bool = False,
    views: Mapping[str, Callable | str] | None = None,
    bad_deploy_at: int | None = None,
    release: str = "v1",
    progress: bool = True,
) -> TrafficRun:
    """Send ``n`` simulated visitors' requests to the shop; return what was recorded.

    ``optimized=False`` serves the naive form of each page that has one (the shop before
    this course). ``views`` maps URL names to the views to serve for this run. From
    request number ``bad_deploy_at`` on (0-based), release ``"v2"`` is served: a bad deploy
    whose ``optimize_for_list()`` lost its joins. Runs with ``DEBUG=False``, as production.
    ``mix``: the URL names visited, most visited first (a page without URL parameters can
    be added to :data:`MIX`, e.g. the capstone's seller dashboard).
    """
    require_started("lab.traffic()")
    from django.test import Client, override_settings

    from workshop_site.monitoring.store import STORE

    visits = plan(n, seed=seed, mix=mix)
    served: dict[str, Callable | str] = {}
    if not optimized:
        served.update({f"shop:{page}": f"shop:{page}_naive" for page in NAIVE_IN_PRODUCTION})
    served.update(views or {})
    # One client per visitor: each has its session (its cart). Exceptions are not raised
    # into this loop: a 500 is recorded, as in production.
    clients = [Client(raise_request_exception=False) for _ in range(VISITORS)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="Traffic", unit="req")
    mark = STORE.mark()
    previous_release = STORE.release
    releases: list[tuple[int, str]] = []
    began = time.perf_counter()
    with ExitStack() as stack:
        stack.callback(setattr, STORE, "release", previous_release)
        # DEBUG=False also stops Django's own query log, which costs time on every query.
        stack.enter_context(override_settings(DEBUG=False))
        stack.enter_context(serving(served))
        STORE.release = release
        releases.append((0, release))
        for index, visit in enumerate(visits):
            if index == bad_deploy_at:
                stack.enter_context(bad_deploy())
                STORE.release = "v2"
                releases.append((index, "v2"))
            client = clients[visit.visitor]
            if visit.method == "POST":
                client.post(visit.path, dict(visit.data))
            else:
                client.get(visit.path)
            if bar is not None:
                bar.update()
    seconds = time.perf_counter() - began
    if bar is not None:
        bar.close()
    return TrafficRun(n, seed, seconds, visits, STORE.records(since=mark), releases, served)
