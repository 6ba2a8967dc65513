"""lab.plot_memory(): peak memory and time against rows, labelled, with the growth measured."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from workshop_site.lab.memory_plot import _ms, _size, plot_memory


def frame() -> pd.DataFrame:
    rows = []
    for n in (100, 300, 1000, 3000):
        rows.append(("objects", n, 5.4 * n + 20, 0.1 * n + 1))
        rows.append(("values_list", n, 0.13 * n + 10, 0.01 * n + 1))
    return pd.DataFrame(rows, columns=["variant", "rows", "peak_memory_kb", "wall_time_ms"])


def test_two_labelled_panels_with_a_legend_and_a_title():
    fig = plot_memory(frame(), title="Titles")
    assert isinstance(fig, Figure)
    memory, time = fig.axes
    assert memory.get_title() == "Peak memory vs rows"
    assert (memory.get_xlabel(), memory.get_ylabel()) == (
        "rows (customers in the database)",
        "peak memory (MB)",
    )
    assert (time.get_title(), time.get_ylabel()) == ("Wall time vs rows", "wall time (ms)")
    assert [t.get_text() for t in memory.get_legend().get_texts()] == ["objects", "values_list"]
    assert fig._suptitle.get_text() == "Titles"
    assert memory.get_xscale() == memory.get_yscale() == "log"
    plt.close(fig)


def test_each_curve_says_how_it_grows_per_row():
    fig = plot_memory(frame())
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert sorted(labels) == ["linear: 130 B per row", "linear: 5.4 kB per row"], labels
    plt.close(fig)


@pytest.mark.parametrize(
    ("kb", "said"), [(0.13, "130 B"), (4.2, "4.2 kB"), (42, "42 kB"), (5400, "5.4 MB")]
)
def test_sizes_read_naturally(kb, said):
    assert _size(kb) == said


def test_a_frame_without_memory_is_refused_with_the_fix():
    no_memory = frame().assign(peak_memory_kb=float("nan"))
    with pytest.raises(ValueError, match=r"lab.compare\(\.\.\., memory=True\)"):
        plot_memory(no_memory)
    with pytest.raises(ValueError, match=r"columns \['peak_memory_kb'\] are missing"):
        plot_memory(frame().drop(columns="peak_memory_kb"))


@pytest.mark.parametrize(("ms", "said"), [(0.042, "42 µs"), (4.2, "4.2 ms"), (420.4, "420 ms")])
def test_durations_read_naturally(ms, said):
    assert _ms(ms) == said
