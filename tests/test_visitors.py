"""lab.traffic(): deterministic, skewed, realistic; deploys swap and restore views."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import resolve, reverse

from workshop_site.lab import deploys
from workshop_site.lab.routes import route_stats
from workshop_site.lab.visitors import MIX, plan, traffic
from workshop_site.shop import views
from workshop_site.shop.querysets import ListingQuerySet


def _outcome(run):
    return [(r.method, r.path, r.route, r.status, r.queries) for r in run.records]


@pytest.mark.slow
def test_same_seed_same_requests_and_outcomes(seeded):
    first = traffic(n=80, seed=11, progress=False)
    second = traffic(n=80, seed=11, progress=False)
    other = traffic(n=80, seed=12, progress=False)
    assert first.visits == second.visits != other.visits
    assert _outcome(first) == _outcome(second)
    assert len(first.records) == 80
    assert first.seconds > 0


@pytest.mark.slow
def test_routes_follow_a_zipf_like_skew_with_real_parameters(seeded):
    visits = plan(3000, seed=0)
    counts = Counter(v.page for v in visits)
    ranked = [page for page, _ in counts.most_common()]
    assert ranked[:3] == list(MIX[:3])
    # The first route gets about 1/rank^1.3 more traffic than the last one.
    assert counts[MIX[0]] > 15 * counts[MIX[-1]]
    # Real ids and slugs, so almost every request finds its page.
    for visit in visits[:300]:
        assert resolve(visit.path.split("?")[0]).url_name == visit.page.split(":")[1]


@pytest.mark.slow
def test_default_traffic_serves_the_naive_forms_and_restores_the_views(seeded):
    run = traffic(n=150, seed=2, progress=False)
    served = {r.route: r.view.rsplit(".", 1)[1] for r in run.records}
    assert served["/products/"] == "product_list_naive"
    assert served["/products/<str:slug>/"] == "product_detail_naive"
    assert served["/"] == "home_naive"
    assert served["/search/"] == "search"  # no naive form: served as it is
    assert resolve(reverse("shop:product_list")).func is views.product_list
    statuses = Counter(r.status for r in run.records)
    assert set(statuses) <= {200, 302, 404}
    assert statuses[200] > 100


@pytest.mark.slow
def test_optimized_traffic_makes_fewer_queries_on_the_naive_routes(seeded):
    naive = route_stats(traffic(n=150, seed=4, progress=False))
    optimized = route_stats(traffic(n=150, seed=4, progress=False, optimized=True))
    per_request = "queries_per_request"
    for route in ("/products/", "/products/<str:slug>/"):
        assert optimized.loc[route, per_request] < naive.loc[route, per_request]
    assert optimized.loc["/products/", per_request] == 3


@pytest.mark.slow
def test_bad_deploy_adds_queries_half_way_then_is_rolled_back(seeded):
    original = ListingQuerySet.__dict__["optimize_for_list"]
    run = traffic(n=200, seed=3, progress=False, bad_deploy_at=100)
    search = [r for r in run.records if r.route == "/search/"]
    before = {r.queries for r in search if r.release == "v1"}
    after = {r.queries for r in search if r.release == "v2"}
    assert before <= {0, 3}
    assert max(after) > 3
    assert [release for _, release in run.releases] == ["v1", "v2"]
    assert ListingQuerySet.__dict__["optimize_for_list"] is original


def test_serving_restores_views_after_an_error_and_nests():
    original = deploys.view_for("shop:home")
    with pytest.raises(RuntimeError, match="deploy failed"):  # noqa: PT012 - nesting tested
        with deploys.serving({"shop:home": "shop:home_naive"}):
            with deploys.serving({"shop:home": views.product_list}):
                assert deploys.view_for("shop:home") is views.product_list
            assert deploys.view_for("shop:home") is views.home_naive
            raise RuntimeError("deploy failed")
    assert deploys.view_for("shop:home") is original
    with pytest.raises(LookupError, match="shop:nope"):
        deploys.view_for("shop:nope")


@pytest.mark.slow
def test_the_talks_point_in_notebook_02_rests_on_counts_not_luck(client, db):
    """Notebook 02's run (size 1000, n=300, seed 0): the home page is requested many times
    more often than a category page, which runs many times more queries per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workshop_site.seed import seed
    from workshop_site.shop.models import Category

    seed(size=1000, seed=42)
    counts = Counter(visit.page for visit in plan(300, seed=0))
    assert counts["shop:home"] >= 5 * counts["shop:category"]
    slug = Category.objects.public().roots().first().slug
    with CaptureQueriesContext(connection) as home:
        client.get(reverse("shop:home_naive"))
    with CaptureQueriesContext(connection) as category:
        client.get(reverse("shop:category_naive", kwargs={"slug": slug}))
    assert len(category) >= 3 * len(home)
