"""A trace as a waterfall: one bar per span, indented by depth, repeated queries in red.

Used for the monitoring middleware's traces (``lab.trace``) and for OpenTelemetry's
(``lab.otel_trace``): both are turned into the same rows first. Consecutive spans of the
same query at the same depth become one bar, "× 20": a page with an N+1 has a hundred
spans, and one row each would not fit a notebook's width at a readable size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["KIND_COLORS", "REPEATED_COLOR", "collapsed", "plot_waterfall"]

KIND_COLORS = {
    "request": "#34495e",
    "middleware": "#7f8c8d",
    "view": "#27ae60",
    "template": "#8e44ad",
    "sql": "#2980b9",
    "http": "#d35400",
}
REPEATED_COLOR = "#e74c3c"


_LABEL = 44  # characters of a span's name shown, its depth's indent included
_FONT = 9  # points: readable when the notebook scales the figure to its width


def collapsed(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the repeated queries of one SQL (at one depth) on a single row: its
    ``segments`` are every run's ``(start_ms, duration_ms)``, its name says ``× count``.
    Other spans keep a row each. Rows are in the order of their first start."""
    rows = rows.reset_index(drop=True)
    sql = (rows["sql"] if "sql" in rows else rows["name"]).astype(str)
    keys = [
        f"sql\0{text}\0{depth}" if repeated else f"span\0{index}"
        for index, (text, depth, repeated) in enumerate(
            zip(sql, rows["depth"], rows["repeated"], strict=True)
        )
    ]
    out = []
    for _key, group in rows.groupby(pd.Series(keys, index=rows.index), sort=False):
        first = group.iloc[0]
        count = len(group)
        segments = list(zip(group["start_ms"], group["duration_ms"], strict=True))
        end = max(start + duration for start, duration in segments)
        out.append(
            {
                "name": f"{first['name']} × {count}" if count > 1 else str(first["name"]),
                "kind": first["kind"],
                "depth": int(first["depth"]),
                "repeated": bool(group["repeated"].any()),
                "start_ms": float(group["start_ms"].min()),
                "duration_ms": float(end - group["start_ms"].min()),
                "count": count,
                "segments": segments,
            }
        )
    columns = ["name", "kind", "depth", "repeated", "start_ms", "duration_ms", "count", "segments"]
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values("start_ms", kind="stable").reset_index(drop=True)


def _label(row: pd.Series) -> str:
    name = str(row["name"])
    indent = "  " * int(row["depth"])
    times = ""
    if " × " in name:
        name, _, count = name.rpartition(" × ")
        times = f" × {count}"
    room = _LABEL - len(indent) - len(times)
    return indent + (name if len(name) <= room else name[: room - 1] + "…") + times


def plot_waterfall(rows: pd.DataFrame, *, title: str) -> Figure:
    """``rows``: name, kind, start_ms, duration_ms, depth, repeated (bool), in time order."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = collapsed(rows)
    colors = [
        REPEATED_COLOR if r.repeated else KIND_COLORS.get(str(r.kind), "#bdc3c7")
        for r in rows.itertuples()
    ]
    height = min(0.28 * len(rows) + 1.6, 14)
    fig, ax = plt.subplots(figsize=(9, height))
    # A zero-length span still gets a visible sliver.
    sliver = float(rows["duration_ms"].max()) / 400 if len(rows) else 0.0
    for y, (segments, color) in enumerate(zip(rows["segments"], colors, strict=True)):
        bars = [(start, max(duration, sliver)) for start, duration in segments]
        ax.broken_barh(bars, (y - 0.4, 0.8), color=color)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r) for _, r in rows.iterrows()], fontsize=_FONT, family="monospace")
    ax.invert_yaxis()
    ax.set(
        title=title, xlabel="time since the request started (ms)", ylabel="span (× n: n in a row)"
    )
    kinds = [k for k in KIND_COLORS if k in set(rows["kind"])]
    handles = [Patch(color=KIND_COLORS[k], label=k) for k in kinds]
    if rows["repeated"].any():
        handles.append(Patch(color=REPEATED_COLOR, label="repeated query (same SQL)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result
    return fig
