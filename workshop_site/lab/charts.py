"""Two more figures: a measure against rows (one line per variant), and bars.

Same conventions and fonts as ``lab.plot`` (its font table): a title, axis labels with
units, a legend, big enough for a conference room; the figure is returned (shown once by
the notebook). Lessons 09 and 10 use them for what ``lab.plot`` does not draw: an index's
time against the table's size, a job's memory, before-and-after bars.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from workshop_site.lab.plots import _FONT

__all__ = ["bars", "lines"]


def _plain(axis: Axis) -> None:
    """Log ticks at 1, 2 and 5 of each power of ten, written 0.5, 1, 2, 5, 10, 1,000."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    axis.set_minor_locator(NullLocator())


def lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    by: str,
    title: str,
    xlabel: str,
    ylabel: str,
    log: bool = True,
) -> Figure:
    """One line per value of ``by``: ``y`` against ``x`` (log scales when ``log``)."""
    missing = {x, y, by} - set(frame.columns)
    if missing:
        raise ValueError(
            f"lines(): columns {sorted(missing)} are missing from {list(frame.columns)}"
        )
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    for name, rows in frame.groupby(by, sort=False):
        rows = rows.sort_values(x)
        ax.plot(rows[x], rows[y], marker="o", linewidth=2.5, markersize=7, label=str(name))
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain(ax.xaxis)
        _plain(ax.yaxis)
    else:
        ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=_FONT["title"])
    ax.set_xlabel(xlabel, fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["ticks"])
    ax.grid(True, alpha=0.3)
    ax.legend(title=by, fontsize=_FONT["note"], title_fontsize=_FONT["note"])
    plt.close(fig)
    return fig


def bars(
    frame: pd.DataFrame,
    *,
    label: str,
    values: Sequence[str],
    titles: Sequence[str],
    ylabels: Sequence[str],
    title: str,
    series: str | None = None,
) -> Figure:
    """One panel per column of ``values``: a bar per row of ``frame``, named by ``label``
    under it; with ``series``, bars are grouped by ``label``, coloured by ``series``, and
    the first panel has the legend."""
    if not (len(values) == len(titles) == len(ylabels)):
        raise ValueError("bars(): give one title and one y label per value column")
    fig, axes = plt.subplots(1, len(values), figsize=(5 * len(values), 4.8), layout="constrained")
    axes = [axes] if len(values) == 1 else list(axes)
    groups = list(dict.fromkeys(frame[label]))
    names = list(dict.fromkeys(frame[series])) if series else [None]
    width = 0.8 / len(names)
    for ax, column, panel_title, ylabel in zip(axes, values, titles, ylabels, strict=True):
        for k, name in enumerate(names):
            rows = frame if name is None else frame[frame[series] == name]
            heights = [rows.loc[rows[label] == g, column].sum() for g in groups]
            offsets = [i + (k - (len(names) - 1) / 2) * width for i in range(len(groups))]
            drawn = ax.bar(offsets, heights, width=width, label=None if name is None else str(name))
            ax.bar_label(drawn, fmt="{:,.3g}", fontsize=_FONT["ticks"], padding=2)
        ax.set_xticks(range(len(groups)), [str(g) for g in groups], fontsize=_FONT["ticks"])
        ax.set_title(panel_title, fontsize=_FONT["label"])
        ax.set_ylabel(ylabel, fontsize=_FONT["label"])
        ax.tick_params(axis="y", labelsize=_FONT["ticks"])
        ax.margins(y=0.15)
        ax.grid(True, axis="y", alpha=0.3)
    if series:
        axes[0].legend(title=series, fontsize=_FONT["note"], title_fontsize=_FONT["note"])
    fig.suptitle(title, fontsize=_FONT["title"])
    plt.close(fig)
    return fig
