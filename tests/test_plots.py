"""lab.plot(): two labelled panels, log scales where they help, growth measured per curve."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from workshop_site.lab.plots import _duration, growth, plot


def frame(latency: float = 0.0) -> pd.DataFrame:
    rows = []
    for n, naive_ms, joined_ms in ((10, 4.0, 1.0), (100, 40.0, 3.6), (1000, 400.0, 29.0)):
        rows.append(("naive", n, n + 1, naive_ms))
        rows.append(("select_related", n, 1, joined_ms))
    df = pd.DataFrame(rows, columns=["variant", "rows", "queries", "wall_time_ms"])
    df["db_time_ms"] = df["wall_time_ms"] / 2
    df["latency_ms"] = latency
    return df


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize(
    ("ms", "said"),
    [(0.0283, "~28 µs"), (0.4, "~400 µs"), (4.16, "~4.2 ms"), (1234.0, "~1,200 ms")],
)
def test_durations_read_naturally(ms, said):
    assert _duration(ms) == said


def test_growth_flat_linear_and_faster():
    assert growth([10, 100, 1000], [1, 1, 1]).kind == "flat"
    linear = growth([10, 100, 1000], [11, 101, 1001])
    assert linear.kind == "linear"
    assert linear.per_row == pytest.approx(1.0)
    # Time has a fixed part: still linear, at its per-row cost.
    assert growth([10, 100, 1000], [1.0, 3.6, 29.0]).kind == "linear"
    assert growth([10, 100, 1000], [1.3, 3.9, 19.5]).per_row == pytest.approx(0.02, rel=0.05)
    square = growth([10, 100, 1000], [100, 10_000, 1_000_000])
    assert square.kind == "power"
    assert square.exponent == pytest.approx(2.0)
    assert math.isnan(growth([10, 100], [0, 5]).exponent)
    with pytest.raises(ValueError, match="at least 2 different row counts"):
        growth([10, 10], [1, 2])


def test_two_panels_with_titles_units_and_a_legend():
    fig = plot(frame())
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_title() == "Queries vs rows"
    assert right.get_title() == "Wall time vs rows"
    assert left.get_ylabel() == "queries (count)"
    assert right.get_ylabel() == "wall time (ms)"
    assert left.get_xlabel() == right.get_xlabel() == "rows (customers in the database)"
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend == ["naive", "select_related"]
    assert left.get_xscale() == "log"
    assert left.get_yscale() == "log"
    assert right.get_yscale() == "log"
    assert fig.get_suptitle() == ""


def test_each_curve_is_labelled_with_its_measured_growth():
    labels = texts(plot(frame()))
    assert "linear: ~1 query per row" in labels
    assert "flat: 1 query" in labels
    assert "linear: ~400 µs per row" in labels
    assert "linear: ~28 µs per row" in labels


def test_database_time_can_be_plotted_instead():
    fig = plot(frame(), time="db_time_ms")
    assert fig.axes[1].get_title() == "Database time vs rows"
    assert fig.axes[1].get_ylabel() == "database time (ms)"


def test_simulated_latency_is_in_the_title():
    fig = plot(frame(latency=2), title="Welcome letters")
    assert fig.get_suptitle() == "Welcome letters — simulated network latency: +2 ms per query"


def test_the_figure_is_shown_once_by_returning_it():
    before = plt.get_fignums()
    plot(frame())
    assert plt.get_fignums() == before  # closed in pyplot: the notebook shows the return


def test_a_frame_without_the_columns_is_refused():
    with pytest.raises(ValueError, match=r"columns \['queries'\] are missing"):
        plot(pd.DataFrame({"variant": ["a"], "rows": [1], "wall_time_ms": [1.0]}))


def test_the_x_axis_names_the_rows_and_ticks_at_the_measured_sizes():
    fig = plot(frame(), rows="listings", log=False)
    left, right = fig.axes
    assert left.get_xlabel() == "rows (listings in the database)"
    assert list(left.get_xticks()) == [10, 100, 1000]
    assert [t.get_text() for t in left.get_xticklabels()] == ["10", "100", "1,000"]
    # Linear axes: a flat curve and a growing one cannot look parallel.
    assert (left.get_xscale(), left.get_yscale(), right.get_yscale()) == ("linear",) * 3
    assert left.get_ylim()[0] == 0
