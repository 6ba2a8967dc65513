"""While the learner's code runs, every thread of the kernel sees the grading data only,
and every statement it runs there is counted.

Django's connections are per thread: a thread the learner's code starts
(``threading.Thread``, ``ThreadPoolExecutor``) opens a connection of its own, from the
settings — the lesson's database, outside the grader's transaction. For the duration of a
run (:class:`Confinement`):

- **new connections go to the grading copy**: the default alias's settings point at it,
  so a thread reads the grading data, as the learner's function does. Each such
  *second connection* is watched (``connection_created``): its statements are counted
  (SQLite's trace callback), and it may not write — the grader can only roll back the
  function's own connection, so a write there is refused (SQLite's authorizer) and
  reported;
- **no connection reaches the lesson's database**: a Django connection opened before the
  run (a thread pool's, say) raises :class:`DatabaseBlocked` on its next statement, and
  ``sqlite3.connect`` to a file of the workshop's folder — the lesson's database, a
  template, the grading copy itself other than through Django — is refused (an audit hook,
  installed once per process, which learner code cannot remove);
- **the function's own connection is counted below Django**: SQLite's trace callback sees
  every statement, including those run through the raw ``sqlite3`` connection or with
  Django's execute wrappers removed, so that the grader counts queries the query log did
  not see; writes made while the learner's code runs (:func:`learner`) are noted, with
  their line.

After the run, the second connections are closed and refuse everything, and the
settings are put back.
"""

from __future__ import annotations

import copy
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from workshop_site.lab.capture import Source, find_source

__all__ = ["Confinement", "DatabaseBlocked", "Write", "learner", "statement_kind"]

#: Statements that manage a connection or a transaction, not the data: not queries.
_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"})
WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_WRITE_ACTIONS = {
    sqlite3.SQLITE_INSERT: "INSERT INTO",
    sqlite3.SQLITE_UPDATE: "UPDATE",
    sqlite3.SQLITE_DELETE: "DELETE FROM",
    sqlite3.SQLITE_CREATE_TABLE: "CREATE TABLE",
    sqlite3.SQLITE_CREATE_INDEX: "CREATE INDEX",
    sqlite3.SQLITE_DROP_TABLE: "DROP TABLE",
    sqlite3.SQLITE_DROP_INDEX: "DROP INDEX",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
}

_depth = 0  # how many calls of the learner's code are running, in the graded thread


@contextmanager
def learner() -> Iterator[None]:
    """The block is the learner's code: writes made by the function's connection count
    as the learner's (see :class:`Confinement`)."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1


class DatabaseBlocked(Exception):
    """A connection other than the grading data's was used while a check ran."""


@dataclass(frozen=True)
class Write:
    """A write the learner's code made, or tried, during a run."""

    sql: str  # the statement, or "DELETE FROM shop_review" when only that is known
    source: Source | None = None  # the learner's line, when known
    thread: str = ""  # another thread's name: the write was refused there

    def __str__(self) -> str:
        text = " ".join(self.sql.split())
        return text if len(text) <= 90 else text[:89] + "…"


def statement_kind(sql: str) -> str:
    """The statement's first keyword, upper case ("SELECT", "DELETE"...)."""
    text = sql.lstrip(" \t\r\n(")
    end = 0
    while end < len(text) and (text[end].isalpha() or text[end] == "_"):
        end += 1
    return text[:end].upper()


def is_query(sql: str) -> bool:
    """A statement that reads or changes data (not BEGIN, SAVEPOINT, PRAGMA..., nor the
    ``SELECT QUOTE(...)`` Django's SQLite backend runs to log the last query)."""
    return not sql.startswith(("--", "SELECT QUOTE(")) and statement_kind(sql) not in _CONTROL


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return a == b


def _file_of(database: Any) -> str:
    text = os.fsdecode(database) if isinstance(database, str | bytes | os.PathLike) else ""
    if text.startswith("file:"):
        text = text[5:].split("?", 1)[0]
    return text


def _from_django() -> bool:
    """Is the ``sqlite3.connect`` being audited Django's own (``get_new_connection``)?"""
    frame: Any = sys._getframe(2)
    for _ in range(12):
        if frame is None:
            return False
        code = frame.f_code
        if code.co_name == "get_new_connection" and "sqlite3" in code.co_filename:
            return True
        frame = frame.f_back
    return False


class Confinement:
    """One run's confinement to the grading copy ``path`` (see the module's docstring).

    ``main`` is the function's own connection (to ``path``, in a transaction the grader
    rolls back), already connected.
    """

    _active: ClassVar[Confinement | None] = None
    _hooked: ClassVar[bool] = False

    def __init__(self, path: Path, main: BaseDatabaseWrapper, *, settings: dict[str, Any]) -> None:
        self.path = str(path)
        self.main = main
        self.settings = settings
        self.traced = 0  # queries SQLite ran, on every watched connection
        self.writes: list[Write] = []
        self.blocked: list[str] = []  # what was refused: "sqlite3.connect(...)" ...
        self.closed = False
        self._lock = threading.Lock()
        self._seconds: list[BaseDatabaseWrapper] = []
        self._lesson: dict[str, Any] = {}
        self._folder = ""

    # -- entering and leaving ---------------------------------------------------------

    def __enter__(self) -> Confinement:
        from workshop_site.lab.workspace import workspace

        self._folder = str(workspace())
        self._lesson = connections.settings[DEFAULT_DB_ALIAS]
        connections.settings[DEFAULT_DB_ALIAS] = copy.deepcopy(self.settings)
        connection_created.connect(self._created, weak=False)
        # Django runs validate_no_broken_transaction() before every statement, on every
        # connection: the place to refuse one that is not the grading data's.
        self._validate = BaseDatabaseWrapper.validate_no_broken_transaction
        BaseDatabaseWrapper.validate_no_broken_transaction = _guarded(self._validate)  # type: ignore[method-assign]
        _install_hook()
        self._watch_main()
        Confinement._active = self
        return self

    def __exit__(self, *exc: object) -> None:
        Confinement._active = None
        self.closed = True
        connection_created.disconnect(self._created)
        BaseDatabaseWrapper.validate_no_broken_transaction = self._validate  # type: ignore[method-assign]
        connections.settings[DEFAULT_DB_ALIAS] = self._lesson
        raw = self.main.connection
        if raw is not None:
            try:
                raw.set_trace_callback(None)
            except sqlite3.Error:
                pass
        self._close_seconds()

    def _close_seconds(self) -> None:
        # A thread's connection opened during the run would keep pointing at the grading
        # copy: closed now (it refuses everything anyway), and pointed back at the
        # lesson's database when that is SQLite too, so that the thread's next query
        # opens the lesson's own.
        lesson_is_sqlite = self._lesson.get("ENGINE") == self.settings["ENGINE"]
        for wrapper in self._seconds:
            try:
                wrapper.inc_thread_sharing()
                try:
                    wrapper.close()
                finally:
                    wrapper.dec_thread_sharing()
            except Exception:  # in use by its thread: its authorizer refuses everything
                continue
            if lesson_is_sqlite:
                wrapper.settings_dict = copy.deepcopy(self._lesson)

    # -- the function's own connection --------------------------------------------------

    def _watch_main(self) -> None:
        raw = self.main.connection
        if raw is not None:
            raw.set_trace_callback(self._main_statement)

    def _main_statement(self, sql: str) -> None:
        if not is_query(sql):
            return
        self.traced += 1
        if _depth and statement_kind(sql) in WRITES:
            self.writes.append(Write(sql, find_source()))

    # -- second connections ---------------------------------------------------------------

    def _created(self, sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
        if connection is self.main:  # reconnected (the learner closed it): watch it again
            self._watch_main()
            return
        if connection.vendor != "sqlite" or not _same_file(
            str(connection.settings_dict.get("NAME", "")), self.path
        ):
            return
        raw = connection.connection
        raw.set_trace_callback(self._second_statement)
        raw.set_authorizer(self._authorize)
        with self._lock:
            self._seconds.append(connection)

    def _second_statement(self, sql: str) -> None:
        if not self.closed and is_query(sql):
            with self._lock:
                self.traced += 1

    def _authorize(self, action: int, arg1: Any, arg2: Any, database: Any, source: Any) -> int:
        if self.closed:
            return sqlite3.SQLITE_DENY
        verb = _WRITE_ACTIONS.get(action)
        if verb is None or database == "temp":
            return sqlite3.SQLITE_OK
        write = Write(f"{verb} {arg1}", thread=threading.current_thread().name)
        with self._lock:
            if write not in self.writes:
                self.writes.append(write)
        return sqlite3.SQLITE_DENY

    # -- what is refused --------------------------------------------------------------------

    def refuse(self, what: str) -> DatabaseBlocked:
        with self._lock:
            self.blocked.append(what)
        return DatabaseBlocked(
            f"{what} was refused: while a check runs, your code reaches the grading data "
            "only, through Django's connection (`django.db.connection`) — in its own thread or "
            "in threads it starts"
        )

    def allows(self, wrapper: BaseDatabaseWrapper) -> bool:
        return wrapper is self.main or (
            wrapper.vendor == "sqlite"
            and _same_file(str(wrapper.settings_dict.get("NAME", "")), self.path)
        )

    def audit_connect(self, database: Any) -> None:
        name = _file_of(database)
        if not name or name == ":memory:":
            return
        inside = os.path.realpath(name).startswith(os.path.realpath(self._folder) + os.sep)
        lesson = _file_of(self._lesson.get("NAME", ""))
        if _same_file(name, self.path):
            if not _from_django():
                raise self.refuse(f"`sqlite3.connect({name!r})`")
        elif inside or (lesson and _same_file(name, lesson)):
            raise self.refuse(f"`sqlite3.connect({name!r})`")


# -- the guard on Django's connections, and the audit hook ---------------------------------


def _guarded(original: Callable[[BaseDatabaseWrapper], None]) -> Callable[..., None]:
    def validate_no_broken_transaction(self: BaseDatabaseWrapper) -> None:
        active = Confinement._active
        if active is not None and not active.allows(self):
            raise active.refuse(
                f"a query on a connection opened before the check "
                f"(thread {threading.current_thread().name})"
            )
        original(self)

    validate_no_broken_transaction.guarded = True  # type: ignore[attr-defined]
    return validate_no_broken_transaction


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "sqlite3.connect":
        active = Confinement._active
        if active is not None and args:
            active.audit_connect(args[0])


def _install_hook() -> None:
    # An audit hook cannot be removed, by the grader or by the learner's code: installed
    # once, it does nothing while no check runs.
    if not Confinement._hooked:
        sys.addaudithook(_audit)
        Confinement._hooked = True
