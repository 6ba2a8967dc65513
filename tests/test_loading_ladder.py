"""lab.ladder and lab.plot_ladder (workshop_site/lab/loading_ladder.py): one size, one run, a
"× the fastest" column, and a chart whose bars are in the ladder's order."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from workshop_site.lab.loading_ladder import LADDER_COLUMNS, plot_ladder, times_the_fastest


def test_times_the_fastest_divides_by_the_smallest():
    ratios = times_the_fastest(pd.Series([4.0, 2.0, 8.0]))
    assert ratios.tolist() == [2.0, 1.0, 4.0]


@pytest.mark.parametrize("times", [[], [0.0, 1.0]])
def test_times_the_fastest_refuses_what_it_cannot_divide(times):
    with pytest.raises(ValueError, match="time"):
        times_the_fastest(pd.Series(times, dtype=float))


def _frame(**overrides):
    rows = {
        "variant": ["naive", "values_list"],
        "rows": [100, 100],
        "queries": [101, 1],
        "wall_time_ms": [30.0, 3.0],
        "x_fastest": [10.0, 1.0],
        "peak_memory_kb": [900.0, 90.0],
        "matches_first": [True, True],
    }
    rows.update(overrides)
    return pd.DataFrame(rows)


def test_plot_ladder_draws_the_rungs_top_down_with_their_ratio_and_queries():
    fig = plot_ladder(_frame(), title="Titles")
    time_ax, memory_ax = fig.axes
    labels = [t.get_text() for t in time_ax.get_yticklabels()]
    positions = list(time_ax.get_yticks())
    assert dict(zip(labels, positions, strict=True)) == {"naive": 1, "values_list": 0}
    notes = [t.get_text() for t in time_ax.texts]
    assert any("×10.0" in n and "101 queries" in n for n in notes), notes
    assert any("×1.0" in n and "1 query" in n for n in notes), notes
    assert "100 products" in fig.texts[0].get_text() or "100 products" in fig._suptitle.get_text()
    assert memory_ax.get_xlabel() == "peak memory (MB)"
    plt.close(fig)


def test_plot_ladder_without_memory_draws_time_only():
    fig = plot_ladder(_frame(peak_memory_kb=[float("nan")] * 2), title="Titles")
    assert len(fig.axes) == 1
    plt.close(fig)


def test_plot_ladder_refuses_several_sizes_and_other_frames():
    with pytest.raises(ValueError, match="one size"):
        plot_ladder(_frame(rows=[100, 300]), title="Titles")
    with pytest.raises(ValueError, match="lab.ladder"):
        plot_ladder(pd.DataFrame({"variant": ["a"]}), title="Titles")


SCRIPT = r"""
import json
from workshop_site import lab

lab.start(size=30, quiet=True)
from workshop_site.shop.models import Product


def objects():
    return [p.title for p in Product.objects.order_by("id")]


def tuples():
    return list(Product.objects.order_by("id").values_list("title", flat=True))


frame = lab.ladder({"objects": objects, "values_list": tuples}, size=30, progress=False)
print(json.dumps(frame.to_dict(orient="list")))
"""


@pytest.mark.slow
def test_ladder_measures_every_rung_at_one_size_in_order():
    """End to end in a child process: lab.compare needs a seeded database file, not
    pytest-django's in-memory one (see tests/test_measure.py)."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    frame = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(frame) == LADDER_COLUMNS
    assert frame["variant"] == ["objects", "values_list"]
    assert frame["rows"] == [30, 30]
    assert frame["queries"] == [1, 1]
    assert min(frame["x_fastest"]) == 1.0
    assert all(frame["matches_first"])
    objects, tuples = frame["peak_memory_kb"]
    assert objects > tuples
