"""A check kind for writes: one UPDATE statement for all the rows, not one per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workshop_site.grading.advice import plural, short_sql
from workshop_site.grading.kinds import Check, Outcome, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["Updates"]


def _updates(run: Run, table: str) -> list:
    return [
        query
        for query in run.log
        if query.sql.lstrip()[:6].upper() == "UPDATE" and f'"{table}"' in query.sql[:80]
    ]


@register
@dataclass(frozen=True)
class Updates(Check):
    """At most ``at_most`` UPDATE statements on ``table`` at every size."""

    table: str
    at_most: int = 1
    advice: str = ""

    kind = "updates"
    failure = "one UPDATE per row"
    stage = 20

    def evaluate(self, attempt: Attempt) -> Outcome:
        counts = [(run, _updates(run, self.table)) for run in attempt.runs]
        for _, updates in counts:
            if len(updates) > self.at_most:
                first = updates[0]
                line = f" ({first.source.short})" if first.source else ""
                sizes = ", ".join(
                    f"{plural(len(found), 'UPDATE', 'UPDATEs')} {attempt.where(each.size)}"
                    for each, found in counts
                )
                message = (
                    f"{sizes}: one statement per row, like `{short_sql(first)}`{line}. "
                    f"At most {self.at_most} allowed: let the database change every row in "
                    "one statement."
                )
                if self.advice:
                    message += f"\n{self.advice}"
                return Outcome(False, message)
        most = max(len(updates) for _, updates in counts)
        return Outcome(
            True, figures=(f"{plural(most, 'UPDATE', 'UPDATEs')} at most, at every size",)
        )
