"""A check kind for long jobs: peak memory must stay flat while the rows grow.

``MemoryRatio`` compares the learner's peak with the reference's at one size; a job that
holds every row at once can pass it on small data. ``MemoryFlat`` asks the question of
lesson 09 instead: measured at the smallest and at the largest size (tracemalloc, the
same sandbox), does the peak grow with the rows?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workshop_site.grading.kinds import Check, Outcome, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["MemoryFlat"]


def _bytes(n: float) -> str:
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


@register
@dataclass(frozen=True)
class MemoryFlat(Check):
    """Peak Python memory at the largest size at most ``at_most`` times the peak at the
    smallest. Peaks below ``floor`` bytes count as ``floor``: small allocations are noise."""

    at_most: float = 1.5
    floor: int = 100_000
    advice: str = ""

    kind = "memory-flat"
    failure = "peak memory grows with the rows"
    stage = 40

    def evaluate(self, attempt: Attempt) -> Outcome:
        small, large = attempt.sizes[0], attempt.sizes[-1]
        peaks = []
        for size in (small, large):
            run = attempt.measure(attempt.submitted, size=size, memory=True)
            if run.problem is not None:
                return Outcome(False, run.problem.message)
            peaks.append(run.peak_memory or 0)
        growth = max(peaks[1], self.floor) / max(peaks[0], self.floor)
        where_small, where_large = attempt.where(small), attempt.where(large)
        if growth > self.at_most:
            message = (
                f"peak memory {_bytes(peaks[0])} {where_small}, {_bytes(peaks[1])} "
                f"{where_large}: ×{growth:.1f} (at most ×{self.at_most:g} allowed) — the job "
                "holds more rows at once as the table grows."
            )
            if self.advice:
                message += f"\n{self.advice}"
            return Outcome(False, message)
        return Outcome(
            True,
            figures=(
                f"peak memory {_bytes(peaks[0])} {where_small}, {_bytes(peaks[1])} {where_large}",
            ),
        )
