"""Bar charts of ``route_stats()``: most used, slowest, and most server time, side by side.

The three panels share one route order (by total server time) and two highlights, so the
talk's point is visible at a glance: the slowest route is not necessarily the one that
costs the most, a fast route called very often can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_routes", "plot_metrics"]

_TOP = "#c0392b"  # the route that costs the most server time
_SLOWEST = "#e67e22"  # the slowest route (highest p50)
_OTHER = "#95a5a6"


def _colors(stats: pd.DataFrame) -> list[str]:
    top = stats["total_ms"].idxmax()
    slowest = stats["p50_ms"].idxmax()
    return [_TOP if r == top else _SLOWEST if r == slowest else _OTHER for r in stats.index]


def _legend(ax: object, stats: pd.DataFrame) -> None:
    from matplotlib.patches import Patch

    top, slowest = stats["total_ms"].idxmax(), stats["p50_ms"].idxmax()
    ax.legend(  # type: ignore[attr-defined]
        handles=[
            Patch(color=_TOP, label=f"most server time: {top}"),
            Patch(color=_SLOWEST, label=f"slowest (p50): {slowest}"),
            Patch(color=_OTHER, label="other routes"),
        ],
        loc="lower right",
        fontsize=8,
    )


def plot_routes(
    stats: pd.DataFrame, *, title: str = "Where does the server spend its time?"
) -> Figure:
    """Three horizontal bar charts: requests, p50/p95 latency, total server time (s)."""
    import matplotlib.pyplot as plt

    stats = stats.sort_values("total_ms")
    colors = _colors(stats)
    labels = [str(r) for r in stats.index]
    fig, axes = plt.subplots(1, 3, figsize=(15, 0.45 * len(stats) + 1.8), sharey=True)
    axes[0].barh(labels, stats["requests"], color=colors)
    axes[0].set(title="Most used: requests", xlabel="requests")
    axes[1].barh(labels, stats["p95_ms"], color=colors, alpha=0.35, label="p95")
    axes[1].barh(labels, stats["p50_ms"], color=colors, label="p50")
    axes[1].set(title="Slowest: latency p50 (dark) and p95 (light)", xlabel="ms per request")
    axes[2].barh(labels, stats["total_ms"] / 1000, color=colors)
    axes[2].set(title="Most server time: requests × mean", xlabel="seconds of server time")
    _legend(axes[2], stats)
    axes[0].set_ylabel("route")
    fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result, not twice
    return fig


def plot_metrics(stats: pd.DataFrame, *, title: str = "Latency is only one metric") -> Figure:
    """Four panels per route: DB time share, queries per request, CPU ms, error rates."""
    import matplotlib.pyplot as plt

    stats = stats.sort_values("total_ms")
    labels = [str(r) for r in stats.index]
    fig, axes = plt.subplots(1, 4, figsize=(16, 0.45 * len(stats) + 1.8), sharey=True)
    axes[0].barh(labels, stats["db_share"] * 100, color="#2980b9")
    axes[0].set(title="Time in the database", xlabel="% of request time")
    axes[1].barh(labels, stats["queries_per_request"], color="#8e44ad")
    axes[1].set(title="Queries per request", xlabel="queries (mean)")
    axes[2].barh(labels, stats["cpu_ms"], color="#16a085")
    axes[2].set(title="CPU time per request", xlabel="ms (mean)")
    axes[3].barh(labels, stats["client_error_rate"] * 100, color="#f1c40f", label="4xx")
    axes[3].barh(
        labels, stats["error_rate"] * 100, left=stats["client_error_rate"] * 100, color=_TOP
    )
    axes[3].set(title="Error responses", xlabel="% of requests")
    axes[3].legend(["4xx (client)", "5xx (server)"], loc="lower right", fontsize=8)
    axes[0].set_ylabel("route")
    fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result, not twice
    return fig
