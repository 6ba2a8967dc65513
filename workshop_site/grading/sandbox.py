"""Where a learner's code runs: a grading database, a transaction that is rolled back, guards.

- **Data the learner has not seen.** Each size has a seeded template with another seed
  than the lesson's (:data:`GRADING_SEED`), built once per machine like the lesson's
  (``lab.databases.template``). Code runs on this kernel's working copy of it, never on
  the template, so even a change committed through the raw connection cannot spoil it.
- **The learner's own connection is left alone.** For the duration of a run the default
  alias is a fresh connection to the working copy; the learner's connection object (and
  any transaction it is in) is put back untouched afterwards.
- **Guards.** A query cap (an execute wrapper) and a wall-clock limit (a watchdog
  thread, see ``guards``); afterwards the working copy is checked against the template and
  restored if anything was committed.
"""

from __future__ import annotations

import copy
import os
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from workshop_site.grading.advice import explain
from workshop_site.grading.confine import Confinement, Write, is_query
from workshop_site.grading.guards import (
    QueryCap,
    QueryCapExceeded,
    TimeLimitExceeded,
    time_limit,
)
from workshop_site.grading.integrity import describe_changes, file_digest, table_states
from workshop_site.grading.problems import Problem, from_exception, where
from workshop_site.lab import exit_hooks
from workshop_site.lab.capture import QueryLog, queries
from workshop_site.lab.databases import copy_database, template
from workshop_site.lab.leftovers import owner_tag
from workshop_site.lab.probes import Peak, traced_peak
from workshop_site.lab.workspace import workspace

__all__ = ["GRADING_SEED", "Run", "run", "prepare", "grading_connection", "working_copy"]

#: The lesson's data uses seed 42; grading data uses another, so typed-in answers fail.
GRADING_SEED = 1729
_SQLITE = "django.db.backends.sqlite3"

_template_digests: dict[Path, str] = {}
_copies: set[Path] = set()


@dataclass
class Run:
    """One call of a function on the grading data at one size, measured."""

    size: int
    value: Any = None
    log: QueryLog = field(default_factory=QueryLog)
    seconds: float = 0.0
    problem: Problem | None = None
    peak_memory: int | None = None  # bytes, when measured
    rows: int | None = None  # the exercise's ``rows`` count at this size
    changes: list[str] = field(default_factory=list)  # committed changes found (restored)
    #: Queries SQLite ran that the query log did not see (other threads, the raw
    #: connection, execute wrappers removed): counted all the same.
    hidden: int = 0
    writes: list[Write] = field(default_factory=list)  # the learner's code's, see confine
    refused: list[str] = field(default_factory=list)  # connections refused during the run
    #: The whole run was the learner's code (not a check kind's own helper).
    learner: bool = False

    @property
    def queries(self) -> int:
        return len(self.log) + self.hidden


def _sqlite_settings(path: Path) -> dict[str, Any]:
    settings = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    if settings["ENGINE"] != _SQLITE:
        # The site may run on PostgreSQL; grading always uses the seeded SQLite files.
        settings.update(ENGINE=_SQLITE, OPTIONS={}, USER="", PASSWORD="", HOST="", PORT="")
    settings["NAME"] = str(path)
    return settings


#: Run on each connection an answer uses (its own, and any its threads open): unordered,
#: SQLite reads a table by primary key, so an answer that forgets the statement's "by id"
#: or "oldest first" would get that order by luck, and lose it on another database or once
#: an index changes the plan. Reversed, the luck is gone for plain table reads (SQLite's
#: own switch for finding such code; a GROUP BY or an index scan keeps its own order,
#: which an ordered check still compares).
UNORDERED_REVERSED = "PRAGMA reverse_unordered_selects = ON"


def _answer_settings(path: Path) -> dict[str, Any]:
    settings = _sqlite_settings(path)
    settings["OPTIONS"] = {**settings.get("OPTIONS", {}), "init_command": UNORDERED_REVERSED}
    return settings


@contextmanager
def grading_connection(
    path: Path, settings: dict[str, Any] | None = None
) -> Iterator[BaseDatabaseWrapper]:
    """Make the default alias a fresh connection to SQLite file ``path`` for the block.

    Swapping the connection object, rather than repointing the learner's, leaves the
    learner's connection as it was (even an in-memory test database, which Django never
    closes) and puts it back afterwards.
    """
    settings = settings or _sqlite_settings(path)
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, DEFAULT_DB_ALIAS)
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        try:
            wrapper.close()
        finally:
            connections[DEFAULT_DB_ALIAS] = original


def _template(size: int, *, progress: bool) -> Path:
    # template() builds through the default connection; give it one of our own.
    with grading_connection(Path(os.devnull)):
        return template(size=size, seed=GRADING_SEED, progress=progress)


def _copy(source: Path, target: Path) -> None:
    # Like template(): a copy of SQLite files, even when the site runs on PostgreSQL.
    with grading_connection(Path(os.devnull)):
        copy_database(source, target)


def prepare(sizes: Iterable[int], *, progress: bool = True) -> list[Path]:
    """Build (once per machine) the grading templates for ``sizes``."""
    return [_template(size, progress=progress) for size in sorted(set(sizes))]


def _remove_copies() -> None:
    for path in _copies:
        for candidate in (path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))):
            candidate.unlink(missing_ok=True)


def working_copy(size: int, *, progress: bool = True) -> tuple[Path, Path]:
    """This kernel's copy of the grading template for ``size``, and the template.

    Named like the kernel's own database (``kernel-<owner>-...``) so that the lab's clean-up
    of dead kernels' files removes it too.
    """
    source = _template(size, progress=progress)
    target = workspace() / "kernels" / f"kernel-{owner_tag()}-grading-{source.name}"
    if target not in _copies or not target.exists():
        if not _copies:
            exit_hooks.register(_remove_copies)
        _copy(source, target)
        _copies.add(target)
    if source not in _template_digests:
        _template_digests[source] = file_digest(source)
    return target, source


def _verify(target: Path, source: Path) -> list[str]:
    """What was committed to ``target`` (compared with ``source``); restored if anything."""
    if file_digest(target) == _template_digests[source]:
        return []
    changes = describe_changes(table_states(source), table_states(target), names=_model_names())
    _copy(source, target)
    return changes


def _model_names() -> dict[str, str]:
    from django.apps import apps

    return {m._meta.db_table: m.__name__ for m in apps.get_models(include_auto_created=True)}


class _Rollback(Exception):
    """Leaves the transaction.atomic() block so that everything is rolled back."""


class _PrepareFailed(Exception):
    """The exercise's own data set-up or row count failed: a bug in the exercise."""


def _interrupt(wrapper: BaseDatabaseWrapper) -> None:
    raw = wrapper.connection  # read once: the kernel thread may be closing it
    if raw is not None:
        raw.interrupt()


def _prepare(
    result: Run, setup: Callable[[], None] | None, count_rows: Callable[[], int] | None
) -> None:
    # Before the learner's code, outside its query log: the exercise's own changes to
    # the data (rolled back with the rest), then the rows that grow, counted on them.
    try:
        if setup is not None:
            setup()
        if count_rows is not None:
            result.rows = count_rows()
    except Exception as exc:
        raise _PrepareFailed(f"{type(exc).__name__}: {exc}") from exc


def _logged(log: QueryLog) -> int:
    """The statements SQLite ran for the log's queries (``executemany``: one per row)."""
    total = 0
    for query in log:
        if not is_query(query.sql):
            continue
        if query.many:
            try:
                total += len(query.params)
            except TypeError:
                total += 1
        else:
            total += 1
    return total


def run(
    fn: Callable[[], Any],
    *,
    size: int,
    accept: Callable[[Any], Any],
    cap: int,
    seconds: float,
    count_rows: Callable[[], int] | None = None,
    memory: bool = False,
    progress: bool = True,
    setup: Callable[[], None] | None = None,
) -> Run:
    """Call ``fn`` on the grading data for ``size`` and measure it. Whatever ``fn`` raises
    becomes ``Run.problem``; only a failure to prepare the data itself propagates.

    ``accept`` turns the returned value into the one to compare (or a ``Problem``); it
    runs inside the measured block, so evaluating a lazy result counts. ``setup`` changes
    the grading data first (inside the transaction, so it is rolled back too).
    """
    target, source = working_copy(size, progress=progress)
    result = Run(size=size)
    cap_wrapper = QueryCap(cap)
    fired = False
    tampered: list[str] = []
    confinement: Confinement | None = None
    watch: Any = None  # the time limit's watchdog, once started
    with grading_connection(target, _answer_settings(target)) as wrapper:
        try:
            with transaction.atomic():
                _prepare(result, setup, count_rows)
                with (
                    Confinement(target, wrapper, settings=_answer_settings(target)) as confinement,
                    queries() as log,
                    wrapper.execute_wrapper(cap_wrapper),
                ):
                    result.log = log
                    wrappers = list(wrapper.execute_wrappers)
                    traced: AbstractContextManager[Peak | None] = (
                        traced_peak() if memory else nullcontext()
                    )
                    # The peak's collection first: it is not the learner's time.
                    with (
                        traced as peak,
                        time_limit(seconds, interrupt=lambda: _interrupt(wrapper)) as watchdog,
                    ):
                        watch = watchdog
                        began = time.perf_counter()
                        try:
                            value = accept(fn())
                        finally:
                            result.seconds = time.perf_counter() - began
                            fired = watchdog.fired
                            tampered = _tampering(wrapper, wrappers, memory=memory)
                result.peak_memory = peak.bytes if peak is not None else None
                if isinstance(value, Problem):
                    result.problem = value
                else:
                    result.value = value
                raise _Rollback
        except _Rollback:
            pass
        except _PrepareFailed:
            raise
        except BaseException as exc:  # the learner's code: anything at all
            alarm_replaced = watch is not None and watch.alarm_replaced
            result.problem = _stopped(
                exc,
                fired=fired,
                cap=cap_wrapper,
                seconds=seconds,
                log=result.log,
                alarm_replaced=alarm_replaced,
                waited=watch.waited if watch is not None else None,
                computed=watch.computed if watch is not None else 0.0,
                elapsed=result.seconds or 0.0,
            )
    if confinement is not None:
        result.hidden = max(0, confinement.traced - _logged(result.log))
        result.writes = list(confinement.writes)
        result.refused = list(confinement.blocked)
    if watch is not None and watch.alarm_replaced and not fired:
        tampered.append(_ALARM)
    if tampered and result.problem is None:
        result.problem = Problem("tampered", " ".join(tampered))
    result.changes = _verify(target, source)
    return result


_ALARM = (
    "your code replaced the handler of `signal.SIGALRM`, which the grader's time limit "
    "uses (the grader put its own back)."
)


def _tampering(wrapper: BaseDatabaseWrapper, wrappers: list[Any], *, memory: bool) -> list[str]:
    """What the learner's code switched off of the grader's instruments; put back."""
    found = []
    current = wrapper.execute_wrappers
    if any(each not in current for each in wrappers):
        found.append(
            "your code removed the grader's query recorder from the connection's "
            "`execute_wrappers` (the grader put it back, and counted the queries below "
            "Django anyway)."
        )
        current[:] = wrappers  # so that each context pops its own again
    if memory and not tracemalloc.is_tracing():
        found.append(
            "your code stopped `tracemalloc`, which measures the memory this check compares."
        )
    return found


def _stopped(
    exc: BaseException,
    *,
    fired: bool,
    cap: QueryCap,
    seconds: float,
    log: QueryLog,
    alarm_replaced: bool = False,
    waited: float | None = None,
    computed: float = 0.0,
    elapsed: float = 0.0,
) -> Problem:
    if isinstance(exc, TimeLimitExceeded) or fired:
        line = where(exc)
        at = f", at {line}" if line else ""
        if waited is None:
            message = (
                f"stopped after {seconds:g} s: your function was still running "
                f"({cap.count:,} queries so far){at}. An endless loop?"
            )
        else:
            message = (
                f"stopped after {max(waited, elapsed):.1f} s in which it computed for only "
                f"{computed:.1f} s "
                f"of the {seconds:g} s it may: your function was still running "
                f"({cap.count:,} queries so far){at}, mostly waiting. A sleep, a lock, or a "
                "network call without a timeout? (Or a machine too busy to run it.)"
            )
        if alarm_replaced:
            message += (
                " Your code also switched off the alarm (`signal.SIGALRM`) the grader stops "
                "it with, so the grader had to wait for a blocking call to end: leave "
                "signal handlers alone in an answer. If a cell ever hangs, Kernel → "
                "Interrupt, then Kernel → Restart Kernel."
            )
        return Problem("timeout", message)
    if isinstance(exc, QueryCapExceeded) or cap.tripped:
        why = explain(log)
        return Problem(
            "query-cap",
            f"stopped after {cap.cap:,} queries: far more than this exercise needs"
            + (f" — {why}" if why else ". A query inside a loop that never ends?"),
        )
    return from_exception(exc)
