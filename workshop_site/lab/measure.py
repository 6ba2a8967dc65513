"""Run code at several data sizes and measure it: ``lab.compare({...}, sizes=[...])``.

``rows`` is the seed's ``size``: the number of customers. Every table grows with it in
fixed proportions (as many addresses, products and listings, twice as many orders; see
``workshop_site.seed.Counts``), so "rows" is the length of the list a loop over customers,
products or listings walks. Each size is a cached seeded template database
(``databases.template``), copied once per ``compare()`` call, so a call costs the runs
themselves, not the seeding.

Honest numbers:

- every run happens inside a transaction that is rolled back, so each run (and each
  variant) sees the same data, and code that writes cannot change the next run's data;
- the garbage collector runs before each run and is paused during it;
- each (variant, size) runs up to ``repeat`` times, while the runs fit in ``budget``
  seconds (at least once: a slow N+1 at 1,000 rows runs once, a fast variant five times,
  where noise matters most); queries, database time and wall time are the medians;
- runs are recorded by ``lab.queries()``, whose own cost is a few microseconds per query
  (``benchmarks/capture_overhead.py`` measures it on an N+1 loop);
- ``memory=True`` adds one more run under tracemalloc for the peak memory (kB: 1,000
  bytes), never timed, since tracemalloc slows Python down two to three times;
- the runs, the rollback and the peak are the probes of ``workshop_site.lab.probes``,
  which the lessons and the grader use too: the same code gives the same figures.
- the first variant's result is the reference: a variant returning something else at
  some size is flagged (``matches_first`` is False, and a warning names it).
"""

from __future__ import annotations

import reprlib
import statistics
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd

from workshop_site.lab.boot import DEFAULT_SEED, require_started
from workshop_site.lab.capture import QueryLog, queries
from workshop_site.lab.probes import frozen_heap, rolled_back, timed_runs, traced_peak

__all__ = ["compare", "difference", "evaluated", "ResultMismatchWarning", "COLUMNS"]

COLUMNS = [
    "variant",
    "rows",
    "queries",
    "db_time_ms",
    "wall_time_ms",
    "peak_memory_kb",
    "runs",
    "matches_first",
    "latency_ms",
]
_repr = reprlib.Repr(maxstring=50, maxother=50, maxlist=5)


class ResultMismatchWarning(UserWarning):
    """A variant returned a different result from the first variant."""


def compare(
    variants: Mapping[str, Callable[[], Any]],
    *,
    sizes: Sequence[int] = (10, 100, 1000),
    repeat: int = 5,
    budget: float = 0.2,
    seed: int = DEFAULT_SEED,
    memory: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Run each variant at each data size; one row per (variant, size).

    ``variants`` maps a name to a callable taking no arguments that returns what the code
    produced (a queryset or iterator it returns is evaluated inside the measurement).
    Each (variant, size) runs up to ``repeat`` times while the runs fit in ``budget``
    seconds (always at least once); ``memory=True`` adds a tracemalloc pass for
    ``peak_memory_kb`` (NaN otherwise). Columns: ``variant, rows, queries, db_time_ms,
    wall_time_ms, peak_memory_kb, runs, matches_first, latency_ms``.
    """
    require_started("lab.compare()")
    _check_arguments(variants, sizes, repeat, budget)
    from django.db import connections
    from tqdm.auto import tqdm

    from workshop_site.lab.databases import copy_database, drop_database, pointed_at, template

    connection = connections["default"]
    _check_connection(connection)
    rows: list[dict[str, Any]] = []
    results: dict[tuple[str, int], Any] = {}
    bar = tqdm(total=len(sizes) * len(variants), desc="compare", unit="run", disable=not progress)
    with ExitStack() as cleanup:
        cleanup.callback(bar.close)
        cleanup.enter_context(frozen_heap())
        for size in sizes:
            scratch = _scratch_path(size)
            cleanup.callback(drop_database, scratch)
            copy_database(template(size=size, seed=seed, progress=progress), scratch)
            with pointed_at(scratch):
                connection.ensure_connection()
                for name, function in variants.items():
                    bar.set_postfix_str(f"{name} at {size:,} rows")
                    try:
                        result, row = _measure(
                            function, repeat=repeat, budget=budget, memory=memory
                        )
                    except Exception as exc:
                        exc.add_note(f'in compare(): variant "{name}" at {size:,} rows')
                        raise
                    results[(name, size)] = result
                    rows.append({"variant": name, "rows": size, **row})
                    bar.update()
    frame = pd.DataFrame(rows)
    frame["matches_first"] = _check_results(list(variants), list(sizes), results)
    return frame[COLUMNS]


def _check_arguments(
    variants: Mapping[str, Any], sizes: Sequence[int], repeat: int, budget: float
) -> None:
    if not variants:
        raise ValueError("compare() needs at least one variant, got an empty mapping")
    for name, function in variants.items():
        if not callable(function):
            raise TypeError(f"variant {name!r} must be a callable, got {type(function).__name__}")
    bad = [s for s in sizes if not isinstance(s, int) or s < 1]
    if not sizes or bad:
        raise ValueError(f"sizes must be positive integers, got {list(sizes)!r}")
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat!r}")
    if budget < 0:
        raise ValueError(f"budget must be 0 seconds or more, got {budget!r}")


def _check_connection(connection: Any) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise RuntimeError(
            "compare() runs each size on a copy of a seeded database file; the default "
            f"database is in memory ({connection.settings_dict['NAME']!r}): run lab.start()"
        )
    if connection.in_atomic_block:
        raise RuntimeError(
            "compare() switches to another database file per size, which it cannot do "
            "inside a transaction (an atomic block); call it outside one"
        )


def _scratch_path(size: int) -> Path:
    from workshop_site.lab.leftovers import owner_tag
    from workshop_site.lab.workspace import workspace

    # Named for its owner: the next lab.start() removes it if this kernel is killed.
    return workspace() / "kernels" / f"compare-{owner_tag()}-size{size}.sqlite3"


# -- one variant at one size -----------------------------------------------------------


def _measure(
    function: Callable[[], Any], *, repeat: int, budget: float, memory: bool
) -> tuple[Any, dict[str, Any]]:
    def run() -> tuple[Any, QueryLog]:
        with queries() as log:
            return evaluated(function()), log

    runs = timed_runs(run, repeat=repeat, budget=budget, around=rolled_back)
    logs = [each.value[1] for each in runs]
    return runs[0].value[0], {
        "queries": round(statistics.median(len(log) for log in logs)),
        "db_time_ms": statistics.median(log.db_time for log in logs) * 1000,
        "wall_time_ms": statistics.median(each.seconds for each in runs) * 1000,
        "peak_memory_kb": _peak_memory(function) / 1000 if memory else float("nan"),
        "runs": len(runs),
        "latency_ms": max(log.latency_ms or 0.0 for log in logs),
    }


def evaluated(value: Any) -> Any:
    """A queryset or iterator is lazy: evaluate it, so its queries are measured too."""
    from django.db.models import QuerySet

    if isinstance(value, QuerySet | Iterator):
        return list(value)
    return value


def _peak_memory(function: Callable[[], Any]) -> int:
    """Peak memory (bytes) allocated by one run, measured alone: tracemalloc slows code."""
    with rolled_back(), traced_peak() as peak:
        evaluated(function())
    return peak.bytes


# -- same answer? ----------------------------------------------------------------------


def _check_results(
    names: list[str], sizes: list[int], results: dict[tuple[str, int], Any]
) -> list[bool]:
    reference = names[0]
    matches = []
    for size in sizes:
        for name in names:
            same = _same(results[(reference, size)], results[(name, size)])
            matches.append(same)
            if not same:
                why = difference(results[(reference, size)], results[(name, size)])
                warnings.warn(
                    f'compare(): variant "{name}" returned a different result from '
                    f'"{reference}" at {size:,} rows ({why}): a faster wrong answer '
                    "is not a fix",
                    ResultMismatchWarning,
                    stacklevel=3,
                )
    return matches


def _same(expected: Any, actual: Any) -> bool:
    try:
        return bool(expected == actual)
    except Exception:  # e.g. arrays, whose == is element-wise: compare their text
        return repr(expected) == repr(actual)


def difference(expected: Any, actual: Any) -> str:
    """The first way ``actual`` differs from ``expected``, in a few words."""
    if type(expected) is not type(actual):
        return f"expected a {type(expected).__name__}, got a {type(actual).__name__}"
    if isinstance(expected, Mapping):
        missing, extra = expected.keys() - actual.keys(), actual.keys() - expected.keys()
        if missing or extra:
            return f"keys missing: {_repr.repr(sorted(missing, key=str))}, extra: " + _repr.repr(
                sorted(extra, key=str)
            )
        key = next((k for k in expected if not _same(expected[k], actual[k])), None)
        if key is not None:
            return f"at key {key!r}: expected {_repr.repr(expected[key])}, got " + _repr.repr(
                actual[key]
            )
    elif isinstance(expected, Sequence) and not isinstance(expected, str):
        if len(expected) != len(actual):
            return f"expected {len(expected):,} items, got {len(actual):,}"
        pairs = enumerate(zip(expected, actual, strict=True))
        index = next((i for i, (e, a) in pairs if not _same(e, a)), None)
        if index is not None:
            return f"item {index}: expected {_repr.repr(expected[index])}, got " + _repr.repr(
                actual[index]
            )
    return f"expected {_repr.repr(expected)}, got {_repr.repr(actual)}"
