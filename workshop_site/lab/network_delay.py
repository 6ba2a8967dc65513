"""Simulated network latency: a sleep before every query, as if the database were remote.

In-process SQLite answers a simple query in microseconds, so an N+1 loop of 1,000 queries
looks harmless here. A real database across a network costs a round trip (often 0.5-5
ms) per query. ``lab.latency(ms)`` adds that round trip to every query on a connection:

    lab.latency(2)            # on, until switched off
    lab.latency.off()         # (or lab.latency(0))
    with lab.latency(2):      # on for the block; the previous setting comes back after
        ...

The delay is an execute wrapper placed first in ``connection.execute_wrappers`` (the
outermost), so it never disturbs the append/pop order of other wrappers' context managers.
It tells inner wrappers how long it slept through the execute ``context`` dict, so
``lab.queries()`` can count simulated time as database time and say latency was on.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from django.db import connections

from workshop_site.lab.boot import require_started

__all__ = ["latency", "Latency", "LatencySwitch", "CONTEXT_MS", "CONTEXT_SLEPT"]

#: Keys this module sets in an execute wrapper's ``context`` dict for inner wrappers.
CONTEXT_MS = "workshop_latency_ms"  # the simulated delay that was requested, in ms
CONTEXT_SLEPT = "workshop_latency_slept"  # seconds actually slept for this query


class _Delay:
    """The execute wrapper: sleep ``ms`` (one round trip), then run the query."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.ms > 0:
            began = time.perf_counter()
            time.sleep(self.ms / 1000)
            context[CONTEXT_MS] = self.ms
            context[CONTEXT_SLEPT] = time.perf_counter() - began
        return execute(sql, params, many, context)


# One delay per connection alias, so switching latency twice never stacks two sleeps. It
# is installed on this thread's connection: the one a notebook's cells run their queries on.
_delays: dict[str, _Delay] = {}


def _set(alias: str, ms: float) -> None:
    delay = _delays.setdefault(alias, _Delay())
    delay.ms = ms
    wrappers = connections[alias].execute_wrappers
    installed = any(w is delay for w in wrappers)
    if ms > 0 and not installed:
        wrappers.insert(0, delay)
    elif ms <= 0 and installed:
        # By identity: other wrappers may sit after ours, and stay.
        wrappers[:] = [w for w in wrappers if w is not delay]


def current(*, using: str = "default") -> float:
    """The simulated latency (ms per query) now on for connection ``using``; 0 when off."""
    delay = _delays.get(using)
    return delay.ms if delay is not None else 0.0


class Latency:
    """The handle ``lab.latency(ms)`` returns: the setting is already on; exiting restores.

    Used as ``with lab.latency(2): ...`` the previous setting comes back at the end of the
    block, even on an error, and nested blocks unwind in order.
    """

    def __init__(self, ms: float, *, using: str) -> None:
        if ms < 0:
            raise ValueError(f"latency must be 0 ms or more, got {ms!r}")
        self.ms = float(ms)
        self.using = using
        self.previous = current(using=using)
        _set(using, self.ms)

    def restore(self) -> None:
        """Put back the setting that was on before this one."""
        _set(self.using, self.previous)

    def __enter__(self) -> Latency:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()

    def __repr__(self) -> str:
        if self.ms == 0:
            return f"Simulated latency off ({self.using!r} connection)."
        return (
            f"Simulated latency on: +{self.ms:g} ms per query ({self.using!r} connection). "
            "Switch it off with lab.latency.off()."
        )


class LatencySwitch:
    """``lab.latency``: call it with a delay in ms; ``.off()`` switches every delay off."""

    def __call__(self, ms: float, *, using: str = "default") -> Latency:
        """Add ``ms`` of simulated round trip to every query on ``using`` (0 switches off)."""
        require_started("lab.latency()")
        return Latency(ms, using=using)

    def off(self) -> None:
        """Switch simulated latency off on every connection it was on."""
        for alias in list(_delays):
            _set(alias, 0.0)

    def current(self, *, using: str = "default") -> float:
        """The latency (ms per query) now on for ``using``; 0 when off."""
        return current(using=using)

    def __repr__(self) -> str:
        on = {alias: d.ms for alias, d in _delays.items() if d.ms > 0}
        if not on:
            return "Simulated latency: off. Try lab.latency(2)."
        return "Simulated latency: " + ", ".join(f"{a} +{ms:g} ms/query" for a, ms in on.items())


latency = LatencySwitch()
