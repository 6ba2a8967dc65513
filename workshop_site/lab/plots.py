"""``lab.plot(df)``: queries and time against rows, one curve per variant, side by side.

Each curve is labelled with the growth measured from its points, never typed by hand:
values that barely move are "flat"; an affine fit ``y = a + b·rows`` (on relative
errors) that explains every point says "linear: ~b per row"; otherwise the slope of the
log-log fit says "grows like rows^p".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

__all__ = ["plot", "growth", "Growth"]

# Big enough to read from the back of a conference room.
_FONT = {"title": 16, "label": 14, "ticks": 12, "note": 12}
# An affine fit "explains" the points when none is further than this from it (relative);
# so does a log-log slope this close to 1 (timings at small sizes are noisy).
_TOLERANCE = 0.3
# Values that move by less than this share of the largest one are "flat".
_FLAT = 0.2


@dataclass(frozen=True)
class Growth:
    """How a measured quantity grows with rows."""

    kind: str  # "flat", "linear" or "power"
    per_row: float  # slope of the affine fit (units per row)
    level: float  # median value, what "flat" means
    exponent: float  # slope of the log-log fit (nan when a value is 0)

    def describe(self, unit: Callable[[float], str], per_row: Callable[[float], str]) -> str:
        if self.kind == "flat":
            return f"flat: {unit(self.level)}"
        if self.kind == "linear":
            return f"linear: {per_row(self.per_row)} per row"
        return f"grows like rows^{self.exponent:.1f}"


def growth(rows: Sequence[float], values: Sequence[float]) -> Growth:
    """Fit ``values`` against ``rows`` and say how they grow (needs 2+ distinct rows)."""
    if len(set(rows)) < 2:
        raise ValueError(f"growth needs at least 2 different row counts, got {list(rows)!r}")
    intercept, slope = _affine_fit(rows, values)
    exponent = math.nan
    if all(v > 0 for v in values):
        exponent = statistics.linear_regression(
            [math.log(r) for r in rows], [math.log(v) for v in values]
        ).slope
    top = max(abs(v) for v in values) or 1.0
    explained = all(
        abs(intercept + slope * r - v) <= _TOLERANCE * max(abs(v), 1e-12)
        for r, v in zip(rows, values, strict=True)
    )
    if max(values) - min(values) < _FLAT * top:
        kind = "flat"
    elif explained or math.isnan(exponent) or abs(exponent - 1) <= 0.15:
        kind = "linear"
    else:
        kind = "power"
    return Growth(kind=kind, per_row=slope, level=statistics.median(values), exponent=exponent)


def _affine_fit(rows: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """``(a, b)`` of ``value ≈ a + b·rows``, fitting relative errors when every value is
    positive: a fixed cost of 1 ms at 10 rows matters as much as 20 ms at 1,000 rows."""
    if not all(v > 0 for v in values):
        fit = statistics.linear_regression(rows, values)
        return fit.intercept, fit.slope
    # Least squares on (a + b·x - y) / y: solve the 2x2 normal equations.
    u = [1 / y for y in values]
    w = [x / y for x, y in zip(rows, values, strict=True)]
    uu = sum(a * a for a in u)
    uw = sum(a * b for a, b in zip(u, w, strict=True))
    ww = sum(b * b for b in w)
    su, sw = sum(u), sum(w)
    det = uu * ww - uw * uw
    return (su * ww - uw * sw) / det, (uu * sw - uw * su) / det


def _queries(n: float) -> str:
    n = round(n)
    return f"{n:,} {'query' if n == 1 else 'queries'}"


def _queries_per_row(n: float) -> str:
    near = round(n)
    if near >= 1 and abs(n - near) <= 0.05 * near:
        return f"~{near} {'query' if near == 1 else 'queries'}"
    return f"~{_number(n)} queries"


def _number(value: float) -> str:
    """Two significant digits, never in scientific notation: 0.42, 4.2, 42, 420, 4,200."""
    if abs(value) >= 100:
        return f"{float(f'{value:.2g}'):,.0f}"
    return f"{value:.2g}"


def _duration(ms: float) -> str:
    return f"~{_number(ms)} ms" if abs(ms) >= 1 else f"~{_number(ms * 1000)} µs"


def plot(
    df: pd.DataFrame,
    *,
    time: str = "wall_time_ms",
    title: str | None = None,
    rows: str = "customers",
    log: bool | None = None,
) -> Figure:
    """Queries vs rows and time vs rows, side by side, from ``lab.compare(...)``'s frame.

    ``rows`` names what the measured loop walks (``"listings"``: the sizes grow every
    table in proportion); the x ticks are the measured sizes. ``log=False`` draws linear
    axes, where a flat curve and a growing one cannot look parallel; ``log=True`` log
    axes; the default picks log scales for values spanning ten times or more."""
    missing = {"variant", "rows", "queries", time} - set(df.columns)
    if missing:
        raise ValueError(
            f"plot() needs a frame from lab.compare(): columns {sorted(missing)} are missing "
            f"(it has {list(df.columns)})"
        )
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
    what = "wall time" if time == "wall_time_ms" else "database time"
    _panel(left, df, "queries", _queries, _queries_per_row, log)
    _panel(right, df, time, _duration, _duration, log)
    left.set(title="Queries vs rows", ylabel="queries (count)")
    right.set(title=f"{what.capitalize()} vs rows", ylabel=f"{what} (ms)")
    for ax in (left, right):
        ax.set_xlabel(f"rows ({rows} in the database)", fontsize=_FONT["label"])
        ax.yaxis.label.set_fontsize(_FONT["label"])
        ax.title.set_fontsize(_FONT["title"])
        ax.tick_params(labelsize=_FONT["ticks"])
        ax.grid(True, which="major", alpha=0.3)
    left.legend(title="variant", fontsize=_FONT["note"], title_fontsize=_FONT["note"])
    latency = float(df["latency_ms"].max()) if "latency_ms" in df.columns else 0.0
    heading = title or ""
    if latency > 0:
        note = f"simulated network latency: +{latency:g} ms per query"
        heading = f"{heading} — {note}" if heading else note.capitalize()
    if heading:
        fig.suptitle(heading, fontsize=_FONT["title"], color="#b45309" if latency else None)
    # Shown through the returned figure only: without this, pyplot would show it twice.
    plt.close(fig)
    return fig


def _panel(
    ax: Axes,
    df: pd.DataFrame,
    column: str,
    unit: Callable[[float], str],
    per_row: Callable[[float], str],
    log: bool | None = None,
) -> None:
    labels: list[tuple[float, float, str, Any]] = []  # (x, y, text, the line's colour)
    for name, rows in df.groupby("variant", sort=False):
        rows = rows.sort_values("rows")
        x, y = rows["rows"].tolist(), rows[column].tolist()
        (line,) = ax.plot(x, y, marker="o", linewidth=2.5, markersize=7, label=str(name))
        if len(set(x)) >= 2:
            labels.append((x[-1], y[-1], growth(x, y).describe(unit, per_row), line.get_color()))
    values = df[column]
    sizes = sorted(set(df["rows"]))
    wide_x = df["rows"].max() >= 10 * df["rows"].min()
    if (log is None and wide_x) or log:
        ax.set_xscale("log")
        _plain_ticks(ax.xaxis)
    ax.set_xticks(sizes, [f"{size:,}" for size in sizes])  # the measured sizes, no others
    ax.xaxis.set_minor_locator(NullLocator())
    wide_y = (values > 0).all() and values.max() >= 10 * values.min()
    if (log is None and wide_y) or (log and (values > 0).all()):
        ax.set_yscale("log")
        _plain_ticks(ax.yaxis)
        ax.set_ylim(top=values.max() * 8)  # room for the labels above the highest curve
    else:
        ax.set_ylim(bottom=0, top=max(values.max() * 1.35, 1))
    _label_curves(ax, labels)


def _plain_ticks(axis: Axis) -> None:
    """Log ticks written 10, 100, 1,000 and no minor ticks: plainer to read from afar than
    10², and twice as quick to draw (matplotlib typesets 10² with its math renderer)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    axis.set_minor_locator(NullLocator())


def _label_curves(ax: Axes, labels: list[tuple[float, float, str, str]]) -> None:
    """Write each growth label just above its curve's last point, stacking labels that
    would land on each other (two flat curves at 1 query)."""
    points_per_pixel = 72 / ax.figure.dpi
    taken: list[float] = []  # heights (points) of the labels placed so far
    for x, y, text, color in sorted(labels, key=lambda item: item[1]):
        y_pt = ax.transData.transform((x, y))[1] * points_per_pixel
        lift = 6.0
        while any(abs(y_pt + lift - other) < _FONT["note"] * 1.4 for other in taken):
            lift += _FONT["note"] * 1.4
        taken.append(y_pt + lift)
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(-4, lift),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=_FONT["note"],
            color=color,
            fontweight="bold",
        )
