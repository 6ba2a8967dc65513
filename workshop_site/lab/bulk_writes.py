"""``write_costs(ways, rows=...)``: what writing many rows costs, one way after another.

The ways are the lesson's (``save()`` in a loop, ``bulk_create``, ``bulk_update``,
``update()``), typed in its cells: each is a function of the rows to write. ``rows()``
builds them (unsaved instances to create, or saved ones to change) inside the run, which
is rolled back: every way starts from the same table, and the shop is left as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from workshop_site.lab.capture import queries
from workshop_site.lab.probes import rolled_back

__all__ = ["write_costs"]


def write_costs(
    ways: dict[str, Callable[[Any], Any]],
    *,
    rows: Callable[[], Any],
    progress: bool = True,
) -> pd.DataFrame:
    """Each way in turn, on ``rows()`` built afresh: its statements and its time.

    One row per way: ``method``, ``rows`` (how many it wrote), ``queries`` (statements
    it sent; building the rows is not counted) and ``ms``.
    """
    records = []
    for label, way in tqdm(ways.items(), desc="writes", unit="way", disable=not progress):
        with rolled_back():
            written = rows()
            began = time.perf_counter()
            with queries() as log:
                way(written)
            seconds = time.perf_counter() - began
        records.append(
            {"method": label, "rows": len(written), "queries": len(log), "ms": seconds * 1000}
        )
    return pd.DataFrame(records)
