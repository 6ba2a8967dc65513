"""Alert rules over recorded traffic: they fire on a bad deploy, not on clean traffic."""

from __future__ import annotations

import pytest

from workshop_site.lab.alert_rules import AlertRule, alert, alerts
from workshop_site.lab.visitors import traffic
from workshop_site.monitoring import RequestRecord

# Search runs 3 queries (none without words) when healthy; with the bad deploy, 1 + 4 per
# result. The test data is small (few results per search), hence a low threshold.
SEARCH_QUERIES = AlertRule(
    "search N+1",
    metric="queries",
    stat="p95",
    threshold=4,
    route="/search/",
    window=2,
    for_windows=2,
)


def _records(durations, *, status=200, first=1):
    return [
        RequestRecord(i, 0.0, "GET", "/", "/", "v", status, d, 1, 0.0, 1.0, release="v1")
        for i, d in enumerate(durations, start=first)
    ]


@pytest.mark.slow
def test_fires_after_the_bad_deploy_and_not_on_clean_traffic(seeded):
    clean = alert(SEARCH_QUERIES, traffic(n=300, seed=3, progress=False))
    bad = alert(SEARCH_QUERIES, traffic(n=300, seed=3, progress=False, bad_deploy_at=150))
    assert not clean.fired
    assert clean.fired_at is None
    assert bad.fired
    first = bad.windows[bad.windows["firing"]].iloc[0]
    assert first["release"] == "v2"
    assert bad.windows[bad.windows["release"] == "v1"]["breach"].sum() == 0
    assert "FIRED" in bad.message()
    assert "quiet" in clean.message()


def test_needs_consecutive_breaching_windows():
    # Windows of 2 requests, p95 (linear) per window: 10, 95.5, 10, 95.5, 95.5
    durations = [10, 10, 5, 100, 10, 10, 5, 100, 5, 100]
    rule = AlertRule("p95", metric="duration_ms", threshold=50, window=2, for_windows=2)
    result = alert(rule, _records(durations))
    assert list(result.windows["value"].round(2)) == [10, 95.25, 10, 95.25, 95.25]
    assert list(result.windows["breach"]) == [False, True, False, True, True]
    assert list(result.windows["firing"]) == [False, False, False, False, True]
    assert result.fired_at == 9  # requests are numbered from 0 in the data evaluated


def test_error_rate_rule_and_partial_window_left_out():
    records = _records([1] * 6) + _records([1] * 5, status=503, first=7)
    rule = AlertRule("5xx", metric="error", stat="rate", threshold=0.4, window=4, for_windows=1)
    result = alert(rule, records)
    assert list(result.windows["value"]) == [0.0, 0.5]  # the last 3 requests wait
    assert result.fired


def test_rule_validation_and_summary_table():
    with pytest.raises(ValueError, match="metric"):
        AlertRule("x", metric="latency", threshold=1)
    with pytest.raises(ValueError, match="stat"):
        AlertRule("x", metric="queries", stat="p42", threshold=1)
    table = alerts([SEARCH_QUERIES], _records([1, 2, 3]))
    assert table.loc["search N+1", "fired"] == False  # noqa: E712 (a numpy bool)
    assert "p95 of queries on route /search/ > 4" in table.loc["search N+1", "condition"]


@pytest.mark.slow
def test_the_deploy_and_the_alert_are_numbered_like_bad_deploy_at(seeded):
    """Notebook 02 sends other requests first: a deploy set at request 150 is reported at
    request 150 of its run (it was #454 when numbers were the store's), and the alert
    fires after it, counted the same way."""
    traffic(n=40, seed=1, progress=False)  # earlier traffic in the same kernel
    run = traffic(n=300, seed=3, progress=False, bad_deploy_at=150)
    assert run.releases == [(0, "v1"), (150, "v2")]
    frame = run.frame()
    assert list(frame["release"].iloc[149:151]) == ["v1", "v2"]
    found = alert(SEARCH_QUERIES, run)
    # The chart's deploy line: the request the release changed at, not the first request
    # of the route's window that straddles it.
    assert found.deploys == [(150, "v2")]
    assert found.fired_at is not None
    assert 150 <= found.fired_at < 300
    assert f"#{found.fired_at}" in found.message()
    assert frame["release"].iloc[found.fired_at] == "v2"


def test_alert_plot_draws_steps_and_keeps_the_legend_off_the_data():
    durations = [10] * 8 + [100] * 8
    records = [
        RequestRecord(i, 0.0, "GET", "/", "/", "v", 200, d, 1, 0.0, 1.0, release=release)
        for i, (d, release) in enumerate(
            zip(durations, ["v1"] * 8 + ["v2"] * 8, strict=True), start=500
        )
    ]
    rule = AlertRule("slow", metric="duration_ms", threshold=50, window=4, for_windows=2)
    result = alert(rule, records)
    assert result.fired_at == 15
    figure = result.plot()
    ax = figure.axes[0]
    assert ax.get_title().startswith("slow")
    assert ax.get_xlabel() == "request number in the run"
    assert ax.get_ylabel()
    step = ax.lines[0]
    # Steps: each window's value held from its first request to the next window's.
    assert list(step.get_xdata()) == [0, 4, 8, 12, 16]
    assert step.get_drawstyle() == "steps-post"
    legend = ax.get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert "deploy v2 (request 8)" in labels
    assert not ax.texts, "no annotation inside the axes: the legend names the deploy"
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend_box = legend.get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert legend_box.y1 <= axes_box.y0, "the legend sits below the chart"
