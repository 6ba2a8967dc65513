"""``memory_vs_rows(sizes, variants)``: a long job's peak memory as the orders table grows.

Each size grows the orders (``grow_orders``), then runs every variant once under the
peak-memory probe (``workshop_site.lab.probes``, the one ``lab.compare`` and the grader
use): what a job keeps in memory at once, against the rows it walks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from workshop_site.lab.capture import queries
from workshop_site.lab.order_growth import grow_orders
from workshop_site.lab.probes import peak_memory

__all__ = ["memory_vs_rows"]


def memory_vs_rows(
    sizes: Sequence[int],
    variants: dict[str, Callable[[], Any]],
    *,
    progress: bool = True,
) -> pd.DataFrame:
    """Grow the orders to each size, then each variant's peak memory and time there.

    One row per (size, variant): ``rows``, ``variant``, ``peak_mb``, ``seconds`` (of the
    traced run: tracemalloc slows Python down, compare times between variants only),
    ``queries``, ``same_result`` (as the first variant's).
    """
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(sizes) * len(variants), desc="jobs", unit="run", disable=not progress)
    for size in sorted(sizes):
        grow_orders(size, progress=progress)
        expected = None
        for name, variant in variants.items():
            bar.set_postfix_str(f"{name} at {size:,} orders")
            began = time.perf_counter()
            with queries() as log:
                value, peak = peak_memory(variant)
            seconds = time.perf_counter() - began
            expected = value if expected is None else expected
            records.append(
                {
                    "rows": size,
                    "variant": name,
                    "peak_mb": peak / 1e6,
                    "seconds": seconds,
                    "queries": len(log),
                    "same_result": value == expected,
                }
            )
            bar.update()
    bar.close()
    return pd.DataFrame(records)
