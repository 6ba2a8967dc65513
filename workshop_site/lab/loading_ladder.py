"""``lab.ladder({...}, size=...)``: the same page loaded several ways, side by side.

Lesson 06's one chart and table: each rung of the ladder (naive → ``select_related`` →
``+ only`` → ``values_list``) measured at ONE data size, in the same call (so on the same
machine load), with its queries, its time, its peak memory and how many times slower
than the fastest rung it is. The measuring is :func:`workshop_site.lab.measure.compare`'s
(the rolled-back runs, the best-of medians, the result check against the first rung): a
ladder is a comparison at one size, with a column and a chart of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workshop_site.lab.measure import compare
from workshop_site.lab.memory_plot import _ms, _size
from workshop_site.lab.plots import _FONT

__all__ = ["LADDER_COLUMNS", "ladder", "plot_ladder", "times_the_fastest"]

#: The table's columns, in order.
LADDER_COLUMNS = [
    "variant",
    "rows",
    "queries",
    "wall_time_ms",
    "x_fastest",
    "peak_memory_kb",
    "matches_first",
]


def times_the_fastest(times: pd.Series) -> pd.Series:
    """Each time divided by the smallest: 1.0 for the fastest, 3.0 for three times slower."""
    if times.empty:
        raise ValueError("times_the_fastest() needs at least one time")
    fastest = float(times.min())
    if fastest <= 0:
        raise ValueError(f"times must be positive to compare them, got a fastest of {fastest}")
    return times / fastest


def ladder(
    variants: Mapping[str, Callable[[], Any]],
    *,
    size: int,
    repeat: int = 5,
    budget: float = 0.3,
    memory: bool = True,
    progress: bool = True,
) -> pd.DataFrame:
    """Measure every rung at one ``size`` (customers; products and listings alike), in one
    run: one row per rung, in the order given, with ``x_fastest`` (time ÷ the fastest
    rung's time). The first rung's result is the reference (``matches_first``)."""
    frame = compare(
        variants,
        sizes=[size],
        repeat=repeat,
        budget=budget,
        memory=memory,
        progress=progress,
    )
    frame = frame.assign(x_fastest=times_the_fastest(frame["wall_time_ms"]))
    return frame[LADDER_COLUMNS].reset_index(drop=True)


def plot_ladder(frame: pd.DataFrame, *, title: str, rows: str = "products") -> Figure:
    """Two bar charts of the rungs, top to bottom in the ladder's order: wall time (each
    bar labelled "×N" and its query count) and peak memory."""
    missing = set(LADDER_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(
            f"plot_ladder() needs a frame from lab.ladder(): columns {sorted(missing)} "
            f"are missing (it has {list(frame.columns)})"
        )
    sizes = sorted(set(frame["rows"]))
    if len(sizes) != 1:
        raise ValueError(f"a ladder is measured at one size, this frame has {sizes}")
    with_memory = not frame["peak_memory_kb"].isna().any()
    panels = 2 if with_memory else 1
    fig, axes = plt.subplots(
        1, panels, figsize=(13, 1.2 + 0.9 * len(frame)), layout="constrained", squeeze=False
    )
    names = [str(name) for name in frame["variant"]]
    places = list(range(len(frame)))[::-1]  # the first rung on top
    time_ax = axes[0][0]
    notes = [
        f"{_ms(float(ms))} · ×{ratio:.1f} · {count:,} {'query' if count == 1 else 'queries'}"
        for ms, ratio, count in zip(
            frame["wall_time_ms"].tolist(),
            frame["x_fastest"].tolist(),
            frame["queries"].tolist(),
            strict=True,
        )
    ]
    _bars(time_ax, places, frame["wall_time_ms"].tolist(), notes, colour="#1f77b4", room=1.9)
    time_ax.set_xlabel("wall time (ms)", fontsize=_FONT["label"])
    time_ax.set_title("Time (× the fastest, queries)", fontsize=_FONT["title"])
    if with_memory:
        memory_ax = axes[0][1]
        kilobytes = frame["peak_memory_kb"].tolist()
        megabytes = [kb / 1000 for kb in kilobytes]
        notes = [_size(float(kb)) for kb in kilobytes]
        _bars(memory_ax, places, megabytes, notes, colour="#ff7f0e", room=1.4)
        memory_ax.set_xlabel("peak memory (MB)", fontsize=_FONT["label"])
        memory_ax.set_title("Peak memory", fontsize=_FONT["title"])
    for ax in axes[0]:
        ax.set_yticks(places, names if ax is time_ax else [""] * len(names))
        ax.tick_params(labelsize=_FONT["ticks"])
    fig.suptitle(f"{title}: {sizes[0]:,} {rows}, one run", fontsize=_FONT["title"])
    plt.close(fig)  # shown through the returned figure only, not twice
    return fig


def _bars(
    ax: Axes, places: list[int], values: list[float], notes: list[str], *, colour: str, room: float
) -> None:
    """Horizontal bars, each with its note at its end; ``room``: the x limit as a multiple
    of the longest bar, so the notes fit."""
    for bar, note in zip(ax.barh(places, values, color=colour), notes, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {note}",
            va="center",
            fontsize=_FONT["note"],
        )
    ax.set_xlim(right=max(values) * room)
