"""What the grader tells the learner: the N+1 diagnosis, or the queries themselves, and
the rule for fixes — named in lessons, held back in exercises.

In an exercise notebook (the inspector's exercise mode, which ``lab.exercises()`` turns
on) the learner does the finding: a message names the problem — what grows, which line,
which relation — and where to look; the fix comes from ``lab.hint``, whose ladder goes
from "where to look" to the fix. In a lesson, the same message ends with the fix.
"""

from __future__ import annotations

from workshop_site.lab.capture import Query, QueryLog
from workshop_site.lab.inspector import diagnose, in_exercise_mode

__all__ = ["explain", "short_sql", "list_queries", "said", "fixes_shown"]


def fixes_shown() -> bool:
    """Do messages name the fix here? In lessons yes; in exercise notebooks no."""
    return not in_exercise_mode()


def said(problem: str, *, look: str = "", fix: str = "") -> str:
    """``problem``, then where to ``look`` (always), then the ``fix`` (lessons only); each
    part on its own line."""
    parts = [problem, look]
    if fixes_shown():
        parts.append(fix)
    return "\n".join(part for part in parts if part)


_SQL_WIDTH = 90


def short_sql(query: Query, *, width: int = _SQL_WIDTH) -> str:
    text = " ".join(query.sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def explain(log: QueryLog) -> str:
    """The N+1 in ``log`` and its fix (from the instruments' diagnosis), else the most
    repeated query and its line; "" when nothing repeats."""
    findings = diagnose(log)
    if findings:
        return findings[0].message
    groups = log.similar()
    if not groups:
        return ""
    group = groups[0]
    source = group[0].source
    where = f" from `{source.short}`" if source else ""
    return f"the same query ran {len(group)} times{where}: `{short_sql(group[0])}`"


def list_queries(log: QueryLog, *, limit: int = 5) -> str:
    """The queries, numbered, each with the line that ran it."""
    lines = []
    for number, query in enumerate(log.queries[:limit], start=1):
        where = f"  ({query.source.short})" if query.source else ""
        lines.append(f"  {number}. {short_sql(query)}{where}")
    if len(log) > limit:
        lines.append(f"  … and {len(log) - limit:,} more")
    return "\n".join(lines)
