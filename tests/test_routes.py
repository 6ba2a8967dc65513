"""route_stats(): the per-route table's maths, on hand-built records."""

from __future__ import annotations

import pytest

from workshop_site.lab.route_charts import plot_metrics, plot_routes
from workshop_site.lab.routes import STAT_COLUMNS, compare_routes, route_stats
from workshop_site.monitoring import RequestRecord


def _record(seq, route, duration, *, queries=1, db=0.0, cpu=1.0, status=200, release="v1"):
    return RequestRecord(
        seq, 0.0, "GET", route, route, "v", status, duration, queries, db, cpu, release=release
    )


RECORDS = [
    _record(1, "/a/", 10, queries=1, db=5, cpu=8),
    _record(2, "/a/", 20, queries=1, db=5, cpu=8),
    _record(3, "/a/", 30, queries=2, db=5, cpu=8, status=500),
    _record(4, "/a/", 40, queries=2, db=5, cpu=8, status=404, release="v2"),
    _record(5, "/b/", 150, queries=10, db=75, cpu=100),
]


def test_route_stats_counts_percentiles_totals_and_rates():
    stats = route_stats(RECORDS)
    assert list(stats.columns) == STAT_COLUMNS
    assert list(stats.index) == ["/b/", "/a/"]  # sorted by total server time
    a = stats.loc["/a/"]
    assert a["requests"] == 4
    assert a["share"] == pytest.approx(0.8)
    assert a["p50_ms"] == pytest.approx(25)
    assert a["p95_ms"] == pytest.approx(38.5)  # linear: 30 + 0.85 * (40 - 30)
    assert a["p99_ms"] == pytest.approx(39.7)
    assert a["mean_ms"] == pytest.approx(25)
    assert a["total_ms"] == pytest.approx(100)  # count × mean
    assert a["total_share"] == pytest.approx(100 / 250)
    assert a["db_share"] == pytest.approx(20 / 100)
    assert a["queries_per_request"] == pytest.approx(1.5)
    assert a["cpu_ms"] == pytest.approx(8)
    assert a["error_rate"] == pytest.approx(0.25)  # 5xx only
    assert a["client_error_rate"] == pytest.approx(0.25)  # 4xx
    assert stats.loc["/b/", "db_share"] == pytest.approx(0.5)


def test_a_fast_route_called_often_can_cost_more_than_a_slow_one():
    records = [_record(i, "/fast/", 2) for i in range(1, 101)]
    records += [_record(200 + i, "/slow/", 50) for i in range(3)]
    stats = route_stats(records)
    assert stats["p50_ms"].idxmax() == "/slow/"
    assert stats["total_ms"].idxmax() == "/fast/"


def test_route_stats_by_release_and_on_nothing():
    by_release = route_stats(RECORDS, by=["route", "release"])
    assert by_release.loc[("/a/", "v2"), "requests"] == 1
    assert route_stats([]).empty


@pytest.mark.slow
def test_charts_have_titles_and_axis_labels():
    stats = route_stats(RECORDS)
    for figure in (plot_routes(stats), plot_metrics(stats)):
        for ax in figure.axes:
            assert ax.get_title()
            assert ax.get_xlabel()
    legend = plot_routes(stats).axes[2].get_legend().get_texts()
    assert any("/b/" in text.get_text() for text in legend)


def test_compare_routes_before_and_after_a_fix():
    after = [r if r.route == "/a/" else _record(r.seq, "/b/", 30, queries=3) for r in RECORDS]
    table = compare_routes(RECORDS, after)
    assert list(table.index) == ["/b/", "/a/"]
    assert table.loc["/b/", "total_ms_before"] == pytest.approx(150)
    assert table.loc["/b/", "total_ms_after"] == pytest.approx(30)
    assert table.loc["/b/", "total_change"] == pytest.approx(-0.8)
    assert table.loc["/a/", "total_change"] == pytest.approx(0)
    assert table.loc["/b/", "queries_per_request_after"] == 3
