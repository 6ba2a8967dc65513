"""Record every SQL query a block of code runs, and the line of code that caused it.

``with lab.queries() as q: ...`` behaves like Django's ``CaptureQueriesContext`` (a
sequence: ``len(q)``, ``q[0]``, iteration) with three differences that matter here:

- it has no cap (``CaptureQueriesContext`` keeps the last 9,000 queries only, since it
  reads the ``queries_log`` deque; this records through ``connection.execute_wrapper``);
- each query knows its *source*: the innermost stack frame outside Django, the standard
  library, site-packages and the lab/grading helpers — the notebook line, or a line of
  the shop's own ``models.py`` when a property lazy-loads;
- queries are grouped like Django Debug Toolbar's SQL panel: duplicates (same SQL, same
  parameters) and similar queries (same SQL, other parameters: the N+1 signal);
- a query run by a lazy load (``customer.address``, a deferred field) knows which one:
  Django 6.1's fetch modes are asked while the block runs (``lazy_loads.py``).

The recorder only appends a small record per query; naming N+1s (``inspector/``) and
formatting (``display.py``) happen when the log is shown. Simulated latency
(``latency.py``) counts as database time, and the log says it was on.
"""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import django
from django.db import connections

from workshop_site.lab import lazy_loads
from workshop_site.lab.boot import require_started
from workshop_site.lab.lazy_loads import LazyLoad
from workshop_site.lab.network_delay import CONTEXT_MS, CONTEXT_SLEPT

if TYPE_CHECKING:
    from workshop_site.lab.inspector import Finding

__all__ = ["Query", "QueryLog", "Source", "queries", "find_source"]

_PACKAGE = Path(__file__).resolve().parent.parent
# Frames from these folders are never "the code that caused the query". The shop's own
# app (models.py, views.py) is deliberately absent: its lazy-loading lines are the answer.
_SKIPPED_PREFIXES = tuple(
    str(p)
    for p in {
        Path(django.__file__).resolve().parent,
        Path(sysconfig.get_paths()["stdlib"]).resolve(),
        Path(sysconfig.get_paths()["purelib"]).resolve(),
        Path(sysconfig.get_paths()["platlib"]).resolve(),
        _PACKAGE / "lab",
        _PACKAGE / "grading",
        _PACKAGE / "monitoring",
        _PACKAGE / "perf_testing.py",  # the test helper: the test's own line is the source
    }
)
_skip_cache: dict[str, bool] = {}
# Also FETCH_PEERS' row-value form, ``IN ((%s), (%s))``.
_IN_LIST = re.compile(r"IN \((?:\(?%s\)?, )*\(?%s\)?\)")


def _skipped(filename: str) -> bool:
    skipped = _skip_cache.get(filename)
    if skipped is None:
        if filename.startswith("<frozen") or "site-packages" in filename:
            skipped = True
        else:
            try:
                resolved = str(Path(filename).resolve())
            except (OSError, ValueError):
                resolved = filename
            skipped = resolved.startswith(_SKIPPED_PREFIXES)
        _skip_cache[filename] = skipped
    return skipped


@dataclass(frozen=True, slots=True)
class Source:
    """Where a query came from: a file, a line, and the function around it."""

    filename: str
    lineno: int
    function: str

    @property
    def code(self) -> str:
        return linecache.getline(self.filename, self.lineno).strip()

    @property
    def in_notebook(self) -> bool:
        # IPython compiles each cell into a file named like /tmp/ipykernel_123/456.py.
        return "ipykernel_" in self.filename or self.filename.startswith("<ipython-input")

    @property
    def short(self) -> str:
        """``cell line 3`` for a notebook cell, ``shop/models.py:41`` for a file."""
        if self.in_notebook:
            return f"cell line {self.lineno}"
        path = Path(self.filename)
        try:
            shown = path.resolve().relative_to(_PACKAGE)
        except ValueError:
            shown = Path(path.name)
        return f"{shown.as_posix()}:{self.lineno}"

    def __str__(self) -> str:
        where = f"{self.short} in {self.function}"
        code = self.code
        return f"{where}: {code}" if code else where


def find_source(frame: Any = None) -> Source | None:
    """The innermost frame, from ``frame`` outwards, that is the learner's or shop's code."""
    frame = frame if frame is not None else sys._getframe(1)
    cache = _skip_cache  # runs once per query: a local name and one dict lookup per frame
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        skipped = cache.get(filename)
        if skipped is None:
            skipped = _skipped(filename)
        if not skipped:
            return Source(filename, frame.f_lineno, code.co_name)
        frame = frame.f_back
    return None


@dataclass(slots=True)
class Query:
    """One SQL statement as it reached the database driver."""

    sql: str
    params: Any
    duration: float  # seconds, including any simulated latency
    source: Source | None
    alias: str = "default"
    many: bool = False
    error: str | None = None
    #: The lazy load (relation or deferred field) that ran this query, if one did.
    lazy: LazyLoad | None = None

    @property
    def duplicate_key(self) -> tuple[str, str]:
        return (self.sql, repr(self.params))

    @property
    def similar_key(self) -> str:
        # ``IN (%s, %s)`` and ``IN (%s, %s, %s)`` are the same query with another list.
        return _IN_LIST.sub("IN (...)", self.sql)

    def __str__(self) -> str:
        return self.sql


class QueryLog(Sequence[Query]):
    """The queries a block ran, in order. A sequence, like ``CaptureQueriesContext``."""

    def __init__(self) -> None:
        self.queries: list[Query] = []
        self.started: float = 0.0
        self.finished: float | None = None
        #: Simulated round-trip latency (ms) that was on while recording, if any.
        self.latency_ms: float | None = None

    def __len__(self) -> int:
        return len(self.queries)

    @overload
    def __getitem__(self, index: int) -> Query: ...
    @overload
    def __getitem__(self, index: slice) -> list[Query]: ...
    def __getitem__(self, index: int | slice) -> Query | list[Query]:
        return self.queries[index]

    def __iter__(self) -> Iterator[Query]:
        return iter(self.queries)

    @property
    def count(self) -> int:  # type: ignore[override]  # CaptureQueriesContext has no count()
        return len(self.queries)

    @property
    def db_time(self) -> float:
        """Seconds spent in the database driver (and simulated latency)."""
        return sum(q.duration for q in self.queries)

    @property
    def wall_time(self) -> float:
        """Seconds the block took, queries and Python together."""
        end = self.finished if self.finished is not None else time.perf_counter()
        return end - self.started

    def duplicates(self) -> list[list[Query]]:
        """Groups of 2+ queries with the same SQL *and* the same parameters."""
        return self._groups(lambda q: q.duplicate_key)

    def similar(self) -> list[list[Query]]:
        """Groups of 2+ queries with the same SQL, parameters aside: the N+1 signal."""
        return self._groups(lambda q: q.similar_key)

    def _groups(self, key: Any) -> list[list[Query]]:
        groups: dict[Any, list[Query]] = defaultdict(list)
        for query in self.queries:
            groups[key(query)].append(query)
        found = [group for group in groups.values() if len(group) > 1]
        return sorted(found, key=len, reverse=True)

    def findings(self, *, threshold: int = 3) -> list[Finding]:
        """The N+1 patterns in this log, each with the relation and the fix to try."""
        from workshop_site.lab.inspector import diagnose

        return diagnose(self, threshold=threshold)

    def report(self, *, limit: int = 20) -> str:
        """A plain-text summary: counts, times, N+1 findings, the first ``limit`` queries."""
        from workshop_site.lab.display import text_report

        return text_report(self, limit=limit)

    def __repr__(self) -> str:
        return self.report()

    def _repr_html_(self) -> str:
        from workshop_site.lab.display import html_report

        return html_report(self)


class _Recorder:
    """The execute wrapper: times each query in ``finally`` so failed ones count too."""

    def __init__(self, log: QueryLog, alias: str) -> None:
        self.log = log
        self.alias = alias

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # A simulated round trip that already happened in an outer wrapper (lab.latency)
        # is database time too; one in an inner wrapper falls inside our own timing.
        slept = context.get(CONTEXT_SLEPT, 0.0)
        error = None
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            duration = time.perf_counter() - began + slept
            log = self.log
            log.queries.append(
                Query(
                    sql=sql,
                    params=params,
                    duration=duration,
                    source=find_source(sys._getframe(1)),
                    alias=self.alias,
                    many=many,
                    error=error,
                    lazy=lazy_loads.current(),
                )
            )
            latency_ms = context.get(CONTEXT_MS)
            if latency_ms and (log.latency_ms is None or latency_ms > log.latency_ms):
                log.latency_ms = latency_ms


@contextmanager
def queries(*, using: str | Sequence[str] = "default") -> Iterator[QueryLog]:
    """Record every query run on database ``using`` (or several) inside the block, with
    the line that ran it and, for a lazy load, the relation or field it loaded."""
    require_started("lab.queries()")
    aliases = [using] if isinstance(using, str) else list(using)
    log = QueryLog()
    with ExitStack() as stack:
        stack.enter_context(lazy_loads.recording())
        for alias in aliases:
            stack.enter_context(connections[alias].execute_wrapper(_Recorder(log, alias)))
        log.started = time.perf_counter()
        try:
            yield log
        finally:
            log.finished = time.perf_counter()
