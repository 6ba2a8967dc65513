"""Lesson 02 (measure first): read traffic, and alert on it.

- 02.2: the learner's function reads a traffic run and names the route that costs the
  most server time. Graded on two runs sent here, on the grading data: the shop's
  traffic, where the most requested route, the slowest and the costliest are three
  routes, and the partners' API traffic, where product pages are never visited (a route
  typed in fails).
- 02.3: the learner writes an alert rule for the partners' API traffic, which the lesson
  did not watch: it must stay quiet before the bad deploy and fire after it, on two runs
  with other seeds than the notebook's.

02.1 (fix the home page with lesson 05's composed queryset methods) was retired: it
needed a lesson that comes three lessons later. Its check kind, ``FixesRoute``, stays
for the lessons that fix routes.
"""

from __future__ import annotations

from typing import Any

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import CatchesBadDeploy, ReadsTraffic, Traffic
from workshop_site.lab.alert_rules import AlertRule
from workshop_site.shop.models import Listing

#: The shop's traffic for 02.2: three routes apart by construction, so that the most
#: requested and the slowest route are wrong on any machine. Pages are visited with a
#: Zipf skew in this order; with seed 129 and 200 requests on the grading data, 109 cart
#: badges (the most requested, about one query each), 44 product pages (about 10 queries
#: each: the costliest, several times any other route's total) and 3 home pages (26
#: queries each: the slowest, over twice a product page per request, and too rare to cost
#: the most). Learner and reference read the same run (tests/test_ex02.py checks the
#: margins, on counts).
SHOP_PAGES = (
    "shop:cart_summary",
    "shop:product_detail",
    "shop:api_listing",
    "shop:cart_add",
    "shop:cart",
    "shop:home",
)
#: The partners' app: listings through the API, and the cart badge.
API_PAGES = ("shop:api_listings", "shop:api_listing", "shop:cart_summary")
_PUBLIC = Rows("public listings", lambda: Listing.objects.public().count())


def _measured(run: Any, answer: Any) -> str:
    """What the learner's route cost in ``run``: where to look, not the answer."""
    from workshop_site.lab.routes import route_stats

    stats = route_stats(run)
    if answer not in stats.index:
        return f"no request of this run has the route {answer!r} (see `stats.index`)"
    row = stats.loc[answer]
    return (
        f"{answer} served {int(row['requests'])} requests × {row['mean_ms']:.1f} ms = "
        f"{row['total_ms']:.0f} ms of server time. Is another route's total higher?"
    )


EXERCISES = [
    Exercise(
        id="02.2",
        title="Which route costs the most server time?",
        returns=str,
        expects='a route, as the request log writes it: "/products/<str:slug>/"',
        # Traffic is sent on the smaller grading data; the larger one only counts the rows.
        sizes=(100, 300),
        rows=_PUBLIC,
        time_limit=30.0,
        query_cap=200_000,
        checks=(
            ReadsTraffic(
                runs=(
                    Traffic(200, seed=129, pages=SHOP_PAGES, label="the shop's traffic (seed 129)"),
                    Traffic(
                        60, seed=12, pages=API_PAGES, label="the partners' API traffic (seed 12)"
                    ),
                ),
                explain=_measured,
            ),
        ),
        hints=(
            "`lab.route_stats(run)` has one row per route: `requests`, `mean_ms`, "
            "`total_ms`... Which column is the server time a route costs in total?",
            "Not the route with the most requests, nor the slowest one: total server time "
            "is requests × mean duration, the `total_ms` column.",
            '`lab.route_stats(run)["total_ms"].idxmax()` is the route (the table\'s index) '
            "with the largest total.",
        ),
    ),
    Exercise(
        id="02.3",
        title="An alert that catches the bad deploy on the partners' API",
        returns=AlertRule,
        expects="a `lab.AlertRule(...)`",
        # Traffic is sent on the smaller grading data; the larger one only counts the rows.
        sizes=(100, 300),
        rows=_PUBLIC,
        time_limit=30.0,
        query_cap=200_000,
        checks=(
            CatchesBadDeploy(
                runs=(
                    Traffic(
                        60,
                        seed=21,
                        pages=API_PAGES,
                        bad_deploy_at=30,
                        label="the partners' API traffic (seed 21)",
                    ),
                    Traffic(
                        60,
                        seed=22,
                        pages=API_PAGES,
                        bad_deploy_at=22,
                        label="the partners' API traffic (seed 22)",
                    ),
                ),
            ),
        ),
        hints=(
            "Compare the API routes before and after the deploy: "
            '`lab.route_stats(api, by=["route", "release"])`. Which route\'s queries per '
            "request jump?",
            "Watch that route's `queries` (a count: the same on any machine), with a "
            "threshold between its healthy and its broken values, and windows of a few "
            "requests (the route gets only part of the traffic).",
            'The listings page of the API: `lab.AlertRule("API N+1", metric="queries", '
            'stat="p95", threshold=10, route="/api/listings/", window=4, for_windows=2)`; '
            "check the numbers against your own table.",
        ),
    ),
]
