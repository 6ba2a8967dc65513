"""A trace as a waterfall: one bar per span, indented by depth, repeated queries in red.

Used for the monitoring middleware's traces (``lab.trace``) and for OpenTelemetry's
(``lab.otel_trace``): both are turned into the same rows first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["KIND_COLORS", "REPEATED_COLOR", "plot_waterfall"]

KIND_COLORS = {
    "request": "#34495e",
    "middleware": "#7f8c8d",
    "view": "#27ae60",
    "template": "#8e44ad",
    "sql": "#2980b9",
    "http": "#d35400",
}
REPEATED_COLOR = "#e74c3c"


def _label(row: pd.Series) -> str:
    text = f"{'  ' * int(row['depth'])}{row['name']}"
    return text if len(text) <= 48 else text[:47] + "…"


def plot_waterfall(rows: pd.DataFrame, *, title: str) -> Figure:
    """``rows``: name, kind, start_ms, duration_ms, depth, repeated (bool), in time order."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = rows.reset_index(drop=True)
    colors = [
        REPEATED_COLOR if r.repeated else KIND_COLORS.get(str(r.kind), "#bdc3c7")
        for r in rows.itertuples()
    ]
    height = min(0.22 * len(rows) + 1.5, 16)
    fig, ax = plt.subplots(figsize=(12, height))
    # A zero-length span still gets a visible sliver.
    widths = rows["duration_ms"].clip(lower=rows["duration_ms"].max() / 400)
    ax.barh(range(len(rows)), widths, left=rows["start_ms"], color=colors, height=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r) for _, r in rows.iterrows()], fontsize=7 if len(rows) > 40 else 9)
    ax.invert_yaxis()
    ax.set(title=title, xlabel="time since the request started (ms)", ylabel="span")
    kinds = [k for k in KIND_COLORS if k in set(rows["kind"])]
    handles = [Patch(color=KIND_COLORS[k], label=k) for k in kinds]
    if rows["repeated"].any():
        handles.append(Patch(color=REPEATED_COLOR, label="repeated query (same SQL)"))
    ax.legend(handles=handles, loc="upper right", fontsize=8)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result
    return fig
