"""The kind that judges what the learner *found* with the instruments: :class:`Diagnosis`.

Lessons 00–01 grade measuring and diagnosing, not fixing: the learner's function returns
a dict of findings (``{"relation": "Order.lines", "line": 211}``), compared with the
reference's, field by field. A wrong field is named, its right value is not (it would
give the answer away: the learner reads it in the inspector). A relation matches however
the learner writes it (``"lines"``, ``"order.lines"``, ``"Order.lines"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workshop_site.grading.compare import show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["Diagnosis", "same_relation"]


def same_relation(typed: Any, relation: Any) -> bool:
    """``"address"``, ``"customer.address"``, ``"Customer.address"`` and
    ``"customer__address"`` all name ``Customer.address``."""
    if not isinstance(typed, str) or not isinstance(relation, str):
        return False
    words = typed.strip().lower().replace("__", ".").split(".")
    owner, _, name = relation.lower().rpartition(".")
    return words[-1] == name and (len(words) == 1 or words[-2] == owner.rpartition(".")[2])


def _same(field: str, expected: Any, got: Any) -> bool:
    if field == "relation":
        return same_relation(got, expected)
    if isinstance(expected, int) and not isinstance(expected, bool):
        return isinstance(got, int) and not isinstance(got, bool) and got == expected
    return bool(got == expected)


@register
@dataclass(frozen=True)
class Diagnosis(Check):
    """The learner's dict names what the reference's names, for each of ``fields``, at
    every size; ``where`` says, per field, where to look (never the answer)."""

    fields: tuple[str, ...]
    where: tuple[tuple[str, str], ...] = ()  # (field, where to look)

    kind = "diagnosis"
    failure = "not what the instruments show"
    stage = Stage.RESULT

    def evaluate(self, attempt: Attempt) -> Outcome:
        hints = dict(self.where)
        for run in attempt.runs:
            got = run.value
            if not isinstance(got, dict):
                return self.fail(
                    f"return a dict with the keys {', '.join(map(repr, self.fields))}; "
                    f"got {show(got)}"
                )
            missing = [field for field in self.fields if field not in got]
            if missing:
                return self.fail(
                    f"your dict has no {', '.join(map(repr, missing))}: return "
                    + "{"
                    + ", ".join(f"{field!r}: ..." for field in self.fields)
                    + "}"
                )
            expected = attempt.reference(run.size).value
            wrong = [f for f in self.fields if not _same(f, expected[f], got[f])]
            if wrong:
                lines = [
                    f"{field!r} is not what the instruments show {attempt.where(run.size)} "
                    f"(you said {show(got[field])})"
                    + (f": {hints[field]}" if field in hints else "")
                    for field in wrong
                ]
                return self.fail("\n".join(lines))
        found = ", ".join(f"{field} {show(attempt.runs[-1].value[field])}" for field in self.fields)
        return self.passed(f"{found}, right with {attempt.sizes_text()}")
