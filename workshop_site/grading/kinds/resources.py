"""Kinds that judge the resources the learner's code uses: peak memory against the
reference's (:class:`MemoryRatio`) and as the rows grow (:class:`MemoryFlat`).

Both measure with the grader's sandbox (``attempt.measure(..., memory=True)``: the probe
``lab.probes.traced_peak``), both sides in the same check: never a figure measured at
another moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.words import size

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["MemoryFlat", "MemoryRatio"]


@register
@dataclass(frozen=True)
class MemoryRatio(Check):
    """Peak Python memory at most ``at_most`` times the reference's, at the largest size.
    Below ``floor`` bytes nothing counts: tiny allocations would make ratios meaningless."""

    at_most: float = 2.0
    floor: int = 64_000

    kind = "memory-ratio"
    failure = "uses more memory than the reference"
    stage = Stage.RESOURCES

    def evaluate(self, attempt: Attempt) -> Outcome:
        largest = attempt.sizes[-1]
        learner = attempt.measure(attempt.submitted, size=largest, memory=True)
        if (stopped := self.stopped(learner)) is not None:
            return stopped
        reference = attempt.measure(attempt.exercise.reference, size=largest, memory=True)
        mine, theirs = learner.peak_memory or 0, reference.peak_memory or 0
        ratio = max(mine, self.floor) / max(theirs, self.floor)
        if ratio > self.at_most:
            allowed = f"at most {self.at_most:g}× allowed"
            if min(mine, theirs) < self.floor:
                allowed += f"; less than {size(self.floor)} counts as {size(self.floor)}"
            return self.fail(
                f"peak memory {size(mine)} against the reference's {size(theirs)} "
                f"{attempt.where(largest)}: {ratio:.1f}× ({allowed})"
            )
        return self.passed(f"peak memory {ratio:.1f}× the reference's")


@register
@dataclass(frozen=True)
class MemoryFlat(Check):
    """Peak Python memory at the largest size at most ``at_most`` times the peak at the
    smallest: a job that holds every row at once can pass :class:`MemoryRatio` on small
    data, not this. Peaks below ``floor`` bytes count as ``floor``: small allocations are
    noise."""

    at_most: float = 1.5
    floor: int = 100_000

    kind = "memory-flat"
    failure = "peak memory grows with the rows"
    stage = Stage.RESOURCES

    def evaluate(self, attempt: Attempt) -> Outcome:
        small, large = attempt.sizes[0], attempt.sizes[-1]
        peaks = []
        for each in (small, large):
            run = attempt.measure(attempt.submitted, size=each, memory=True)
            if (stopped := self.stopped(run)) is not None:
                return stopped
            peaks.append(run.peak_memory or 0)
        growth = max(peaks[1], self.floor) / max(peaks[0], self.floor)
        measured = (
            f"peak memory {size(peaks[0])} {attempt.where(small)}, {size(peaks[1])} "
            f"{attempt.where(large)}"
        )
        if growth > self.at_most:
            return self.fail(
                f"{measured}: ×{growth:.1f} (at most ×{self.at_most:g} allowed) — the job "
                "holds more rows at once as the table grows."
            )
        return self.passed(measured)
