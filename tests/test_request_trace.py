"""lab.trace() and lab.otel_trace(): one request's spans, with every SQL query."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshop_site.lab.otel import otel_trace
from workshop_site.lab.request_trace import trace


def test_trace_has_every_query_and_flags_the_repeated_ones(seeded):
    url = reverse("shop:product_list_naive") + "?per_page=4"
    with CaptureQueriesContext(connection) as captured:
        Client().get(url)
    # Read now: CaptureQueriesContext reads Django's query log lazily, and the next
    # request clears that log.
    expected = len(captured)
    result = trace(url)
    sql = result.queries()
    assert len(sql) == expected == 4 * 4 + 1
    repeated = result.repeated()
    assert set(repeated["count"]) == {4}  # product, brand, images, categories: once per card
    assert sql["repeated"].sum() == 16
    assert "ran 4 times" in result.summary()
    frame = result.frame()
    assert frame["start_ms"].is_monotonic_increasing
    assert frame.loc[0, "kind"] == "request"
    assert frame.loc[0, "depth"] == 0


def test_trace_of_the_optimized_page_has_no_repeats(seeded):
    result = trace(reverse("shop:product_list") + "?per_page=4")
    assert len(result.queries()) == 3
    assert result.repeated().empty
    figure = result.plot()
    assert "3 queries" in figure.axes[0].get_title()


@pytest.mark.slow
def test_otel_trace_nests_sql_spans_under_the_django_request_span(seeded):
    middleware = list(settings.MIDDLEWARE)
    result = otel_trace(reverse("shop:product_list_naive") + "?per_page=2")
    root = result.root
    assert root.attributes["http.route"] == "products/naive/"
    assert root.kind.name == "SERVER"
    children = [s for s in result.spans if s.parent is not None]
    assert len(children) == 2 * 4 + 1
    assert all(s.parent.span_id == root.context.span_id for s in children)
    assert all(s.attributes["db.system"] == connection.vendor for s in children)
    frame = result.frame()
    assert frame["repeated"].sum() == 8
    # Instrumenting is undone: the settings' middleware list is as it was.
    assert list(settings.MIDDLEWARE) == middleware
    home = otel_trace(reverse("shop:home")).root
    assert home.attributes["http.status_code"] == 200


def test_trace_replays_a_page_as_a_traffic_run_served_it(seeded):
    naive = {"shop:product_list": "shop:product_list_naive"}
    result = trace(reverse("shop:product_list") + "?per_page=3", views=naive)
    assert result.record.route == "/products/"
    assert result.record.view.endswith(".product_list_naive")
    assert len(result.queries()) == 4 * 3 + 1
    # The URLconf is back to the optimized view afterwards.
    assert len(trace(reverse("shop:product_list") + "?per_page=3").queries()) == 3


def test_the_waterfall_merges_runs_of_one_query_so_it_fits_a_notebook(seeded):
    """An N+1 page has dozens of spans: consecutive spans of the same query (same name,
    kind and depth) are one bar, "× n", and the figure keeps a notebook's width with
    labels at a readable size."""
    from workshop_site.lab.waterfall import collapsed

    naive = {"shop:product_list": "shop:product_list_naive"}
    result = trace(reverse("shop:product_list") + "?per_page=12", views=naive)
    rows = result.frame()
    merged = collapsed(rows)
    assert merged["count"].sum() == len(rows)
    assert len(merged) < len(rows)
    assert merged["start_ms"].is_monotonic_increasing
    assert merged["count"].max() == 12  # one row per repeated query, 12 cards
    figure = result.plot()
    ax = figure.axes[0]
    width, _ = figure.get_size_inches()
    assert width <= 9
    labels = ax.get_yticklabels()
    assert len(labels) == len(merged)
    assert min(label.get_fontsize() for label in labels) >= 9
    assert all(len(label.get_text()) <= 44 for label in labels)
