"""The kind that judges what the learner's code returns: :class:`Result`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workshop_site.grading.compare import canonical, first_difference, show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["Result"]


@register
@dataclass(frozen=True)
class Result(Check):
    """The result equals the reference's at every size (``ordered``: in the same order).

    ``advice_when(expected, got)``: the exercise's advice (and fix) is for one kind of
    wrong result only; said when this is true of the values at the size that differs.
    """

    ordered: bool = False
    advice_when: Callable[[Any, Any], bool] | None = None

    kind = "result"
    failure = "wrong result"
    stage = Stage.RESULT

    def evaluate(self, attempt: Attempt) -> Outcome:
        expected = {run.size: attempt.reference(run.size).value for run in attempt.runs}
        hard_coded = self._hard_coded(attempt, expected)
        if hard_coded:
            return self.fail(hard_coded)
        for run in attempt.runs:
            difference = first_difference(expected[run.size], run.value, ordered=self.ordered)
            if difference is not None:
                message = f"{attempt.where(run.size)}: {difference}"
                if self.advice_when is not None and not self.advice_when(
                    expected[run.size], run.value
                ):
                    return Outcome(False, message)
                return self.fail(message)
        return self.passed(f"right with {attempt.sizes_text()}")

    def _hard_coded(self, attempt: Attempt, expected: dict[int, object]) -> str:
        """The same answer at every size while the right one changes: typed in, or computed
        outside the function from the lesson's data."""
        if len(attempt.runs) < 2:
            return ""
        answers = {canonical(run.value) for run in attempt.runs}
        right = {canonical(value) for value in expected.values()}
        if len(answers) > 1 or len(right) == 1 or answers <= right:
            return ""
        value = attempt.runs[0].value
        return (
            f"your function returned the same answer at every size ({show(value)}) but the "
            "right answer changes with the data. The grader uses other data than the lesson "
            "(another seed, other sizes), so a result typed in or computed outside the "
            "function cannot pass: compute it from the database, inside the function."
        )
