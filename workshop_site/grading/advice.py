"""What a log of queries says to the learner: the N+1 diagnosis, or the queries themselves."""

from __future__ import annotations

from workshop_site.lab.capture import Query, QueryLog
from workshop_site.lab.inspector import diagnose

__all__ = ["explain", "short_sql", "list_queries"]

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
