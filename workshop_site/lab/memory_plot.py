"""``lab.plot_memory(df)``: peak memory and time against rows, one curve per variant.

For a frame from ``lab.compare(..., memory=True)``: what loading less saves is memory as
much as time. Each curve is labelled with the growth measured from its points (the same
fit as ``lab.plot``), e.g. "linear: ~5.3 kB per row".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

# The same fonts and label placement as lab.plot(): the two figures sit side by side.
from workshop_site.lab.plots import _FONT, _label_curves, growth

__all__ = ["plot_memory"]


def _size(kb: float) -> str:
    """Kilobytes written for a reader: 130 B, 4.2 kB, 42 kB, 5.3 MB."""
    if abs(kb) >= 1000:
        return f"{kb / 1000:,.1f} MB"
    if abs(kb) < 1:
        return f"{kb * 1000:.0f} B"
    return f"{kb:,.1f} kB" if abs(kb) < 10 else f"{kb:,.0f} kB"


def _ms(ms: float) -> str:
    """Milliseconds written for a reader: 42 µs, 4.2 ms, 420 ms."""
    if abs(ms) < 1:
        return f"{ms * 1000:.2g} µs"
    return f"{ms:,.1f} ms" if abs(ms) < 10 else f"{ms:,.0f} ms"


def plot_memory(df: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Peak memory (MB) vs rows and wall time (ms) vs rows, from ``lab.compare(...,
    memory=True)``'s frame."""
    missing = {"variant", "rows", "peak_memory_kb", "wall_time_ms"} - set(df.columns)
    if missing:
        raise ValueError(
            f"plot_memory() needs a frame from lab.compare(..., memory=True): columns "
            f"{sorted(missing)} are missing (it has {list(df.columns)})"
        )
    if df["peak_memory_kb"].isna().any():
        raise ValueError(
            "plot_memory() needs peak memory for every run: call lab.compare(..., memory=True)"
        )
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
    memory = df.assign(peak_memory_mb=df["peak_memory_kb"] / 1000)
    _panel(left, memory, "peak_memory_mb", lambda mb: _size(mb * 1000), "peak memory (MB)")
    _panel(right, memory, "wall_time_ms", _ms, "wall time (ms)")
    left.set_title("Peak memory vs rows", fontsize=_FONT["title"])
    right.set_title("Wall time vs rows", fontsize=_FONT["title"])
    left.legend(
        title="variant", loc="upper left", fontsize=_FONT["note"], title_fontsize=_FONT["note"]
    )
    if title:
        fig.suptitle(title, fontsize=_FONT["title"])
    plt.close(fig)  # shown through the returned figure only, not twice
    return fig


def _panel(
    ax: Axes, df: pd.DataFrame, column: str, unit: Callable[[float], str], ylabel: str
) -> None:
    labels: list[tuple[float, float, str, Any]] = []  # (x, y, text, the line's colour)
    for name, rows in df.groupby("variant", sort=False):
        rows = rows.sort_values("rows")
        x, y = rows["rows"].tolist(), rows[column].tolist()
        (line,) = ax.plot(x, y, marker="o", linewidth=2.5, markersize=7, label=str(name))
        if len(set(x)) >= 2:
            labels.append((x[-1], y[-1], growth(x, y).describe(unit, unit), line.get_color()))
    for axis, values in ((ax.xaxis, df["rows"]), (ax.yaxis, df[column])):
        if (values > 0).all() and values.max() >= 10 * values.min():
            (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
            axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
            axis.set_minor_locator(NullLocator())
    values = df[column]
    if ax.get_yscale() == "log":
        ax.set_ylim(top=values.max() * 8)  # room for the labels above the highest curve
    else:
        ax.set_ylim(bottom=0, top=max(values.max() * 1.35, 1e-9))
    ax.set_xlabel("rows (customers in the database)", fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["ticks"])
    ax.grid(True, which="major", alpha=0.3)
    _label_curves(ax, labels)
