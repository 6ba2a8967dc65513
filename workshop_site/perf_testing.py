"""Assertions that pin a page's database work in tests: the talk's N and N+20, and FETCH_RAISE.

``assert_queries_flat(action, grow=..., queries=3)`` runs ``action``, adds rows with
``grow``, runs it again, and fails unless both runs made exactly ``queries`` queries — one
line in a pytest test or a Django ``TestCase``. A count pinned at one size cannot tell
"3 queries" from "one per row, and there happened to be 2 rows"; the second size can.

``forbid_lazy_loads()`` makes every queryset created inside its block use Django 6.1's
``FETCH_RAISE``, so a page that reads a relation it did not load raises
``FieldFetchBlocked`` at the line that reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import query as django_query

from workshop_site.lab import capture
from workshop_site.lab.capture import QueryLog
from workshop_site.lab.inspector import diagnose

__all__ = ["FlatCounts", "assert_queries_flat", "forbid_lazy_loads"]

_WRITES = ("INSERT", "UPDATE", "REPLACE")
_LISTED = 8


@dataclass(frozen=True)
class FlatCounts:
    """The two counts a passing :func:`assert_queries_flat` measured, and the rows added."""

    before: int
    after: int
    writes: int  # INSERT/UPDATE statements run by ``grow``


def assert_queries_flat(
    action: Callable[[], Any] | str,
    *,
    grow: Callable[[], Any],
    queries: int,
    using: str = DEFAULT_DB_ALIAS,
    client: Any = None,
) -> FlatCounts:
    """Run ``action``, then ``grow()``, then ``action`` again: each run must make ``queries``.

    ``action`` is a callable, or a URL fetched with ``client`` (a new Django test
    ``Client`` by default) that must answer below 400. ``grow`` must add or change rows
    (at least one INSERT or UPDATE), or the second count would prove nothing.
    Raises ``AssertionError`` naming both counts and the query that repeats.
    """
    run, name = _runner(action, client)
    before = _count(run, using=using)
    if len(before) != queries:
        raise AssertionError(
            f"{name}: expected {queries} queries before growing the data, got {len(before)}. "
            f"{_why(before)}"
        )
    with _recorded(using) as grown:
        grow()
    writes = sum(1 for q in grown if q.sql.lstrip()[:7].upper().startswith(_WRITES))
    if not writes:
        raise AssertionError(
            f"{_name(grow, 'grow')} added no rows (no INSERT or UPDATE): the second count "
            f"of {name} would prove nothing. Make it create the rows the code reads."
        )
    after = _count(run, using=using)
    if len(after) != len(before):
        raise AssertionError(
            f"{name}: {len(before)} queries, then {len(after)} after {_name(grow, 'grow')} "
            f"added rows — the count grows with the data. {_why(after)}"
        )
    return FlatCounts(before=len(before), after=len(after), writes=writes)


@contextmanager
def forbid_lazy_loads() -> Iterator[None]:
    """Querysets created in the block use ``FETCH_RAISE``: a lazy load raises.

    Django reads its default fetch mode (``django.db.models.query.DEFAULT_FETCH_MODE``)
    when a queryset is created; this swaps it for the block and puts it back. Related
    managers copy the fetch mode of their instance, so instances loaded before the block
    keep theirs. Not thread-safe: use it in tests, around the test client.
    """
    if not hasattr(django_query, "DEFAULT_FETCH_MODE"):
        raise RuntimeError("forbid_lazy_loads() needs Django's fetch modes (Django 6.1)")
    previous = django_query.DEFAULT_FETCH_MODE
    django_query.DEFAULT_FETCH_MODE = models.FETCH_RAISE
    try:
        yield
    finally:
        django_query.DEFAULT_FETCH_MODE = previous


def _runner(action: Callable[[], Any] | str, client: Any) -> tuple[Callable[[], Any], str]:
    if isinstance(action, str):
        url = action
        if client is None:
            from django.test import Client

            client = Client()
        return (lambda: client.get(url)), f"GET {url}"
    if not callable(action):
        raise TypeError(f"action must be a callable or a URL, got {type(action).__name__}")
    return action, _name(action, "the code under test")


@contextmanager
def _recorded(using: str) -> Iterator[QueryLog]:
    with capture.queries(using=using) as log:
        yield log


def _count(run: Callable[[], Any], *, using: str) -> QueryLog:
    with _recorded(using) as log:
        result = run()
    status = getattr(result, "status_code", None)
    if isinstance(status, int) and status >= 400:
        raise AssertionError(f"the page answered {status}: a pin must measure a page that works")
    return log


def _why(log: QueryLog) -> str:
    # The instruments' diagnosis names the relation, the line and the fix.
    findings = diagnose(log)
    if findings:
        return findings[0].message
    return "The queries:\n" + _listing(log)


def _listing(log: QueryLog) -> str:
    lines = []
    for number, query in enumerate(log, start=1):
        where = f"  ({query.source.short})" if query.source else ""
        lines.append(f"  {number}. {' '.join(query.sql.split())[:100]}{where}")
    if len(lines) > _LISTED:
        lines = [*lines[:_LISTED], f"  … and {len(lines) - _LISTED} more"]
    return "\n".join(lines)


def _name(fn: Callable[..., Any], default: str) -> str:
    name = getattr(fn, "__name__", "")
    return f"`{name}`" if name and name != "<lambda>" else default
