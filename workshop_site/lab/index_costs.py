"""What an index changes, measured: each query's plan and best time without an index and
with each candidate, at one table size (:func:`compare_indexes`) or as the table grows
(:func:`time_vs_rows`); and what indexes cost on inserts (:func:`insert_costs`).

The queries and the indexes are the lesson's, passed in: a query is a function that runs
one query (``lambda: list(queue())``), an index a ``models.Index``. An index must never
change an answer: each row says whether the result is the one found without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import pandas as pd
from django.db import models

from workshop_site.lab.indexes import index_on
from workshop_site.lab.order_growth import grow_orders
from workshop_site.lab.probes import best_time
from workshop_site.lab.query_plans import sent_plan
from workshop_site.shop.models import Order

__all__ = ["compare_indexes", "insert_costs", "time_vs_rows"]


def compare_indexes(
    candidates: Sequence[models.Index],
    *,
    queries: dict[str, Callable[[], Any]],
    model: type[models.Model] = Order,
) -> pd.DataFrame:
    """Each candidate index in turn, alone on the table, for each of ``queries`` (label →
    a function running one query): the plan of the SQL it sends, in words, and the time."""
    size = model._default_manager.count()
    expected = {label: query() for label, query in queries.items()}
    rows = []
    for index in [None, *candidates]:
        with index_on(model, index) if index is not None else nullcontext():
            for label, query in queries.items():
                name = index.name if index is not None else "no index"
                rows.append({"query": label, **_timed(size, name, query, expected[label])})
    return pd.DataFrame(rows)


def time_vs_rows(
    sizes: Sequence[int],
    *,
    query: Callable[[], Any],
    indexes: Sequence[models.Index],
    progress: bool = True,
) -> pd.DataFrame:
    """Grow the orders to each size and time ``query`` with no index, then with each index.

    One row per (size, variant): ``rows``, ``variant``, ``ms`` (best run), ``plan`` (in
    words), ``same_result`` (an index must never change the answer).
    """
    records: list[dict[str, Any]] = []
    for size in sorted(sizes):
        grow_orders(size, progress=progress)
        expected = query()
        records.append(_timed(size, "no index", query, expected))
        for index in indexes:
            with index_on(Order, index):
                records.append(_timed(size, index.name, query, expected))
    return pd.DataFrame(records)


def _timed(size: int, variant: str, query: Callable[[], Any], expected: Any) -> dict[str, Any]:
    return {
        "rows": size,
        "variant": variant,
        "ms": best_time(query) * 1000,
        "plan": sent_plan(query).words(),
        "same_result": query() == expected,
    }


def insert_costs(
    index_sets: dict[str, Sequence[models.Index]],
    *,
    insert: Callable[[], Any],
    model: type[models.Model] = Order,
    repeat: int = 5,
    progress: bool = True,
) -> pd.DataFrame:
    """What indexes cost on writes: ``insert()`` timed with each set of indexes on
    ``model``'s table (label → the indexes created first; ``[]`` for none).

    Each set's indexes are created once, then ``insert()`` runs ``repeat`` times, each
    run rolled back (the table is the same for every run and every set), and the best run
    is kept: the one least disturbed by the rest of the machine. One row per set:
    ``variant``, ``indexes`` (how many created), ``ms`` (best run) and ``× none``
    (against the first set).
    """
    from contextlib import ExitStack

    from tqdm.auto import tqdm

    from workshop_site.lab.probes import rolled_back

    best: dict[str, float] = {}
    for label, found in tqdm(
        index_sets.items(), desc="index sets", unit="set", disable=not progress
    ):
        with ExitStack() as stack:
            for index in found:
                stack.enter_context(index_on(model, index))
            runs = []
            for _ in range(repeat):
                with rolled_back():
                    began = time.perf_counter()
                    insert()
                    runs.append(time.perf_counter() - began)
        best[label] = min(runs)
    first = next(iter(best.values()))
    return pd.DataFrame(
        [
            {
                "variant": label,
                "indexes": len(index_sets[label]),
                "ms": seconds * 1000,
                "× none": seconds / first,
            }
            for label, seconds in best.items()
        ]
    )
