"""How a ``QueryLog`` looks: an HTML summary in a notebook, plain text elsewhere.

The summary comes first (queries, database time, wall time, duplicates, similar groups,
the N+1 findings with their fix), then the queries themselves in a collapsible list with
the SQL formatted by sqlparse. All formatting happens here, at display time, so the
recorder itself stays cheap.
"""

from __future__ import annotations

import html
import re
import reprlib
from functools import lru_cache

import sqlparse

from workshop_site.lab.capture import Query, QueryLog, Source
from workshop_site.lab.inspector import Finding, diagnose
from workshop_site.words import noun, plural

__all__ = ["html_report", "text_report", "format_sql", "short_sql"]

_repr = reprlib.Repr(maxstring=60, maxother=60, maxlist=8, maxtuple=8)
_SELECT_LIST = re.compile(r"^SELECT (?P<columns>.+?) FROM ", re.S)


# sqlparse takes seconds on an IN list of a thousand placeholders (a prefetch's); the
# list says nothing a count does not, so it is shortened before formatting.
_LONG_IN = re.compile(r"IN \((?:%s, ){20,}%s\)")


def _short_in(match: re.Match[str]) -> str:
    return f"IN (%s, %s, %s /* … {match.group(0).count('%s'):,} parameters in all */)"


@lru_cache(maxsize=1024)
def format_sql(sql: str) -> str:
    """SQL indented one clause per line, keywords upper-case (sqlparse); long IN lists cut."""
    return sqlparse.format(_LONG_IN.sub(_short_in, sql), reindent=True, keyword_case="upper")


def short_sql(sql: str, *, width: int = 110) -> str:
    """One line: the column list of a SELECT elided, the rest cut at ``width``."""
    match = _SELECT_LIST.match(sql)
    if match and len(match["columns"]) > 30:
        sql = f"SELECT … FROM {sql[match.end() :]}"
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _where(source: Source | None) -> str:
    return source.short if source is not None else "?"


def _counts(log: QueryLog) -> tuple[int, int, list[list[Query]]]:
    # A query run three times with the same parameters is two duplicates: two too many.
    duplicates = sum(len(group) - 1 for group in log.duplicates())
    similar = log.similar()
    return len(log), duplicates, similar


def _latency_line(log: QueryLog) -> str | None:
    if not log.latency_ms:
        return None
    return (
        f"Simulated network latency on: +{log.latency_ms:g} ms per query "
        "(included in the database time)."
    )


# -- plain text ------------------------------------------------------------------------


def text_report(log: QueryLog, *, limit: int = 20, threshold: int = 3) -> str:
    """The log as plain text: summary, N+1 findings, similar groups, first queries."""
    count, duplicates, similar = _counts(log)
    summary = [
        f"{plural(count, 'query', 'queries')}",
        f"database {_ms(log.db_time)}",
        f"wall {_ms(log.wall_time)}",
        f"{plural(duplicates, 'duplicate', 'duplicates')}",
        f"{plural(len(similar), 'group', 'groups')} of similar queries",
    ]
    lines = [" · ".join(summary)]
    if latency := _latency_line(log):
        lines.append(latency)
    findings = diagnose(log, threshold=threshold)
    if findings:
        lines.append("N+1:")
        lines += [f"  ✗ {f.relation}: {f.message}" for f in findings]
    if similar:
        lines.append("Similar queries (same SQL, other parameters):")
        for group in similar[:5]:
            lines.append(
                f"  {len(group):>6,}×  {_where(group[0].source)}  {short_sql(group[0].sql)}"
            )
    if count:
        shown = min(count, limit)
        lines.append(f"Queries ({shown:,} of {count:,}):" if shown < count else "Queries:")
        for number, query in enumerate(log[:shown], start=1):
            lines.append(
                f"  {number:>4} {query.duration * 1000:>8.2f} ms  {_where(query.source)}  "
                f"{short_sql(query.sql)}"
            )
    return "\n".join(lines)


# -- HTML ------------------------------------------------------------------------------

_BOX = "border-left:4px solid {color};padding:2px 8px;margin:4px 0"
_MONO = "font-family:var(--jp-code-font-family, monospace)"


def html_report(log: QueryLog, *, limit: int = 200, threshold: int = 3) -> str:
    """The log as HTML: a summary, findings with their fix, then every query (collapsed)."""
    count, duplicates, similar = _counts(log)
    parts = [
        "<div class='workshop-queries'>",
        f"<p><b>{count:,}</b> {noun(count, 'query', 'queries')} · database "
        f"<b>{_ms(log.db_time)}</b> · wall <b>{_ms(log.wall_time)}</b> · "
        f"<b>{duplicates:,}</b> {noun(duplicates, 'duplicate', 'duplicates')} · "
        f"<b>{len(similar):,}</b> "
        f"{noun(len(similar), 'group', 'groups')} of similar queries</p>",
    ]
    if latency := _latency_line(log):
        parts.append(f"<p style='{_BOX.format(color='#d97706')}'>⏱ {html.escape(latency)}</p>")
    parts.append(_html_findings(diagnose(log, threshold=threshold), similar, threshold))
    if similar:
        parts.append(_html_similar(similar))
    if count:
        parts.append(_html_queries(log, limit))
    parts.append("</div>")
    return "".join(parts)


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def _html_findings(findings: list[Finding], similar: list[list[Query]], threshold: int) -> str:
    if findings:
        items = "".join(
            f"<li><b>{html.escape(f.relation)}</b> ({html.escape(f.kind.replace('_', ' '))}): "
            f"{f.html}</li>"
            for f in findings
        )
        return (
            f"<div style='{_BOX.format(color='#dc2626')}'><b>N+1 found</b>"
            f"<ul style='margin:2px 0'>{items}</ul></div>"
        )
    if any(len(group) >= threshold for group in similar):
        return (
            f"<p style='{_BOX.format(color='#6b7280')}'>Similar queries, but none loads a "
            "relation row by row: no N+1 to name.</p>"
        )
    return f"<p style='{_BOX.format(color='#16a34a')}'>No N+1.</p>"


def _html_similar(similar: list[list[Query]]) -> str:
    rows = "".join(
        f"<tr><td style='text-align:right'>{len(group):,}×</td>"
        f"<td>{html.escape(_where(group[0].source))}</td>"
        f"<td style='{_MONO}'>{html.escape(short_sql(group[0].sql))}</td></tr>"
        for group in similar[:5]
    )
    more = f"<p>… and {len(similar) - 5:,} more groups.</p>" if len(similar) > 5 else ""
    return (
        "<p style='margin-bottom:0'>Similar queries (same SQL, other parameters):</p>"
        f"<table><tr><th>count</th><th>line</th><th>SQL</th></tr>{rows}</table>{more}"
    )


def _html_queries(log: QueryLog, limit: int) -> str:
    shown = log[:limit]
    items = "".join(
        f"<li><small>{query.duration * 1000:.2f} ms · {html.escape(str(query.source or '?'))}"
        f"{' · params ' + _code(_repr.repr(query.params)) if query.params else ''}"
        f"{' · <b>error</b> ' + html.escape(query.error) if query.error else ''}</small>"
        f"<pre style='margin:2px 0 6px'>{html.escape(format_sql(query.sql))}</pre></li>"
        for query in shown
    )
    more = (
        f"<p>… {len(log) - limit:,} more not shown (all of them are in the log: "
        f"<code>q[{limit}:]</code>).</p>"
        if len(log) > limit
        else ""
    )
    return (
        f"<details><summary>All {plural(len(log), 'query', 'queries')}"
        f"</summary><ol>{items}</ol>{more}</details>"
    )
