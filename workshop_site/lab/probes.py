"""Measurement probes: peak memory, a rolled-back run, the time of repeated runs.

One implementation each, used by ``lab.compare``, the lessons' own measurements and the
grader, so that they report the same numbers for the same code:

- :func:`traced_peak` / :func:`peak_memory`: the garbage collector runs first (leftovers
  of earlier cells do not count), then tracemalloc follows the block; the peak above the
  memory in use at its start, in bytes (1 kB = 1,000 bytes wherever it is shown).
  Tracemalloc sees Python's allocations, not a database library's own buffers, and slows
  Python down two to three times: never time a traced run.
- :func:`rolled_back`: a transaction that is always rolled back, so a run that writes
  leaves the data as it found it.
- :func:`timed_runs` / :func:`best_time`: a callable run up to ``repeat`` times while the
  runs fit in a time budget (always once), each with the garbage collector run before
  and paused during, so no collection lands in the middle of a run.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Peak",
    "Timed",
    "best_time",
    "frozen_heap",
    "peak_memory",
    "quiet_gc",
    "rolled_back",
    "timed_runs",
    "traced_peak",
]

_frozen = 0  # how many frozen_heap() blocks are open


@contextmanager
def rolled_back(*, using: str | None = None) -> Iterator[None]:
    """A transaction (on database ``using``, default the default one) that is always
    rolled back: measure writes without keeping them."""
    from django.db import transaction

    with transaction.atomic(using=using):
        try:
            yield
        finally:
            transaction.set_rollback(True, using=using)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move every object alive now out of the collector's sight (``gc.freeze``): inside,
    a collection scans only what was created since — microseconds, not the 50-150 ms a
    full collection of a kernel with Django and pandas takes. Garbage frozen with the rest
    waits for a collection after the block: it was made before, so no measure counts it.
    Nested blocks are free."""
    global _frozen
    if _frozen == 0:
        gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.unfreeze()


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Collect before, not during: a collection in the middle of a timed run is noise."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Peak:
    """What :func:`traced_peak` found: filled in when its block ends."""

    bytes: int = 0


@contextmanager
def traced_peak() -> Iterator[Peak]:
    """The peak of Python memory allocated inside the block (bytes, tracemalloc), above
    what was in use when it began. The garbage collector runs first, and what was alive
    before is frozen (:func:`frozen_heap`): no leftover of an earlier cell is counted, or
    freed in the middle of the block to hide part of its peak."""
    peak = Peak()
    with frozen_heap():
        gc.collect()
        started_here = not tracemalloc.is_tracing()
        if started_here:
            tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            baseline = tracemalloc.get_traced_memory()[0]
            try:
                yield peak
            finally:
                peak.bytes = max(0, tracemalloc.get_traced_memory()[1] - baseline)
        finally:
            if started_here:
                tracemalloc.stop()


def peak_memory[T](fn: Callable[[], T]) -> tuple[T, int]:
    """``fn()``'s result and the peak of Python memory it allocated (bytes, tracemalloc)."""
    with traced_peak() as peak:
        value = fn()
    return value, peak.bytes


@dataclass(frozen=True)
class Timed[T]:
    """One run of :func:`timed_runs`: what it returned, and its wall time in seconds."""

    value: T
    seconds: float


def timed_runs[T](
    fn: Callable[[], T],
    *,
    repeat: int,
    budget: float,
    around: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> list[Timed[T]]:
    """Run ``fn`` at least once, and again up to ``repeat`` times while one more run (as
    long as the fastest so far) still fits in ``budget`` seconds.

    Each run is timed alone: the garbage collector runs before it and is paused during it
    (inside one :func:`frozen_heap`, so collecting costs microseconds); ``around()`` is a
    context entered around each run but outside its timing (e.g. :func:`rolled_back`).
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat!r}")
    runs: list[Timed[T]] = []
    with frozen_heap():
        while not runs or (
            len(runs) < repeat
            and sum(r.seconds for r in runs) + min(r.seconds for r in runs) <= budget
        ):
            with quiet_gc(), around():
                began = time.perf_counter()
                value = fn()
                seconds = time.perf_counter() - began
            runs.append(Timed(value, seconds))
    return runs


def best_time(fn: Callable[[], Any], *, repeat: int = 15, budget: float = 0.5) -> float:
    """The best of up to ``repeat`` runs of ``fn`` (seconds), while they fit in ``budget``
    (see :func:`timed_runs`): the run the least disturbed by the rest of the machine."""
    return min(run.seconds for run in timed_runs(fn, repeat=repeat, budget=budget))
