"""How each partner behaves: a delay, a failure rate, a "hang" mode and a "trickle" mode, set
per test or cell.

The controls are read by the service's request threads and changed by the test or notebook
thread, so every read and write goes through one lock. Failures are drawn from a seeded
generator: the same settings and the same calls give the same failures, run after run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Behaviour", "Controls", "Decision"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One partner's behaviour. ``delay`` in seconds; ``failure_rate`` from 0 to 1.

    ``hang``: the partner accepts the request and never answers by itself. The service
    lets go after its ``hang_limit`` (a stand-in for "forever" that keeps demos finite) or
    when it stops.

    ``trickle``: the partner sends its answer one byte every ``trickle`` seconds. Each
    byte comes sooner than a read timeout longer than ``trickle``, so that timeout never
    fires, however long the whole answer takes.
    """

    delay: float = 0.0
    failure_rate: float = 0.0
    hang: bool = False
    trickle: float = 0.0

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {self.delay!r}")
        if self.trickle < 0:
            raise ValueError(f"trickle must be >= 0 seconds, got {self.trickle!r}")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, got {self.failure_rate!r}")


@dataclass(frozen=True, slots=True)
class Decision:
    """What the service does with one request: wait ``wait`` seconds, then fail or answer."""

    wait: float
    fail: bool
    hang: bool
    trickle: float = 0.0  # seconds between two bytes of the answer


class Controls:
    """The current behaviour of every partner, safe to change while requests are served."""

    def __init__(self, partners: Iterable[str], *, seed: int = 0) -> None:
        self._partners = tuple(partners)
        self._seed = seed
        self._lock = threading.Lock()
        self._behaviours = {name: Behaviour() for name in self._partners}
        self._rng = random.Random(seed)

    def _known(self, partner: str) -> str:
        if partner not in self._behaviours:
            raise KeyError(f"no partner {partner!r}; the partners are {', '.join(self._partners)}")
        return partner

    def get(self, partner: str) -> Behaviour:
        with self._lock:
            return self._behaviours[self._known(partner)]

    def set(self, partner: str, **changes: Any) -> Behaviour:
        """Change some of ``partner``'s settings (``delay=``, ``failure_rate=``, ``hang=``,
        ``trickle=``)."""
        with self._lock:
            updated = replace(self._behaviours[self._known(partner)], **changes)
            self._behaviours[partner] = updated
            return updated

    @contextmanager
    def scoped(self, partner: str, **changes: float | bool) -> Iterator[Behaviour]:
        """``set`` for the block, then put back what was there before."""
        before = self.get(partner)
        try:
            yield self.set(partner, **changes)
        finally:
            with self._lock:
                self._behaviours[partner] = before

    def reset(self) -> None:
        """Every partner back to answering at once, and the failure draws back to the start."""
        with self._lock:
            self._behaviours = {name: Behaviour() for name in self._partners}
            self._rng = random.Random(self._seed)

    def decide(self, partner: str, *, hang_limit: float) -> Decision:
        """Draw what happens to the next request to ``partner``."""
        with self._lock:
            behaviour = self._behaviours[self._known(partner)]
            fail = behaviour.failure_rate > 0 and self._rng.random() < behaviour.failure_rate
        if behaviour.hang:
            return Decision(wait=hang_limit, fail=False, hang=True)
        return Decision(wait=behaviour.delay, fail=fail, hang=False, trickle=behaviour.trickle)
