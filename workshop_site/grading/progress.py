"""The learner's progress: every check, hint and solution shown, one JSON line each.

The file is ``progress.jsonl`` in the workspace (``WORKSHOP_PROGRESS`` names another),
append-only so that two kernels writing at once do not lose lines, and plain enough for
an instructor's report to read from learners' home folders while a class runs.

A line can still be cut short (a kernel killed while writing, a full disk). Each append
ends such a line first, under a lock, so the next record starts on a line of its own; a
reader skips what it cannot decode or parse, counts it and says so once.
"""

from __future__ import annotations

import dataclasses
import getpass
import html
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workshop_site.grading.renamed import current_id, retired_note
from workshop_site.lab.boot import require_started
from workshop_site.lab.file_lock import locked
from workshop_site.lab.workspace import workspace

__all__ = [
    "ENV",
    "progress_file",
    "record",
    "read_events",
    "read_progress",
    "ProgressRead",
    "ExerciseStatus",
    "ActivityStatus",
    "ACTIVITY_EVENT",
    "summarize",
    "summarize_activities",
    "declared_activities",
    "ProgressTable",
    "progress",
]

ENV = "WORKSHOP_PROGRESS"
#: The event a "your turn" activity records (``workshop_site.grading.activities``).
ACTIVITY_EVENT = "activity"
_ATTEMPTS = frozenset({"pass", "fail"})  # a stub ("todo") or an "error" is no attempt


def progress_file() -> Path:
    """Where this learner's progress is kept."""
    override = os.environ.get(ENV)
    return Path(override) if override else workspace() / "progress.jsonl"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        return ""


def _ends_a_line(fd: int) -> bool:
    if os.fstat(fd).st_size == 0:
        return True
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1) == b"\n"


def record(event: dict[str, Any]) -> bool:
    """Append ``event`` (with the time and user); ``False`` if it could not be written
    whole. Text that cannot be written as UTF-8 (a lone surrogate in an exception's
    message) is replaced, never an error."""
    line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": _user(), **event}
    try:
        data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode(
            "utf-8", errors="replace"
        )
        path = progress_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except (OSError, ValueError):
        return False
    try:
        with locked(fd):
            if not _ends_a_line(fd):
                data = b"\n" + data  # end the line a crash cut short, or lose this one
            while data:
                data = data[os.write(fd, data) :]
    except OSError:  # a full disk: the next append ends whatever this one left
        return False
    finally:
        os.close(fd)
    return True


@dataclass(frozen=True)
class ProgressRead:
    """What a progress file held: its events, and how many lines had to be skipped."""

    path: Path
    events: list[dict[str, Any]]
    damaged: int = 0

    def problem(self) -> str:
        """One sentence about the damaged lines, or ""."""
        if not self.damaged:
            return ""
        lines = "line" if self.damaged == 1 else "lines"
        return (
            f"{self.damaged} damaged {lines} in {self.path} skipped (cut short by a crash or "
            f"a full disk, or not text); the other {len(self.events)} records are read."
        )


def _event(line: bytes) -> dict[str, Any] | None:
    """The event on one line; None when it cannot be decoded or parsed, or is no event."""
    try:
        event = json.loads(line.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError both are
        return None
    if not isinstance(event, dict) or not isinstance(event.get("exercise"), str):
        return None
    queries = event.get("queries")
    if queries is not None and not (
        isinstance(queries, dict) and all(isinstance(v, int) for v in queries.values())
    ):
        event.pop("queries")
    if not isinstance(event.get("number", 0), int):
        event.pop("number")
    return event


def read_progress(path: Path | None = None) -> ProgressRead:
    """Every event in a progress file, oldest first, skipping (and counting) the lines
    that cannot be read. A file that cannot be opened raises ``OSError``; a missing one
    has no events."""
    path = path or progress_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ProgressRead(path, [])
    events, damaged = [], 0
    for line in data.splitlines():
        if not line.strip():
            continue
        event = _event(line)
        if event is None:
            damaged += 1
        else:
            events.append(event)
    return ProgressRead(path, events, damaged)


_reported: set[tuple[Path, int]] = set()


def read_events(path: Path | None = None) -> list[dict[str, Any]]:
    """Every event in a progress file, oldest first. Damaged lines are skipped, and said so
    once (on stderr); a file that cannot be read has no events, and says why once."""
    path = path or progress_file()
    try:
        found = read_progress(path)
    except OSError as exc:
        _say_once(path, -1, f"could not read your progress in {path}: {exc.strerror or exc}")
        return []
    if found.damaged:
        _say_once(path, found.damaged, found.problem())
    return found.events


def _say_once(path: Path, key: int, message: str) -> None:
    if (path, key) not in _reported:
        _reported.add((path, key))
        print(f"⚠️ progress: {message}", file=sys.stderr)


@dataclass(frozen=True)
class ExerciseStatus:
    """One exercise for one learner: passed, attempted or not tried."""

    exercise: str
    title: str
    status: str  # "passed" | "attempted" | "not tried" | "retired" (no longer in the course)
    attempts: int = 0
    last_status: str = ""  # the last check's: pass, fail, todo, error
    last_reason: str = ""
    last_queries: dict[str, int] | None = None
    hints: int = 0
    solution_seen: bool = False
    last_time: str = ""


def summarize(
    events: Iterable[dict[str, Any]], exercises: Iterable[tuple[str, str]]
) -> list[ExerciseStatus]:
    """Each exercise's status from progress ``events``; ``exercises`` are (id, title)
    pairs in order. An old id counts for the id it has now (``renamed.RENAMED``); ids
    only found in the events (an exercise since removed) come last, as ``retired``.
    Activities ("your turn", ``event: activity``) are not exercises: see
    :func:`summarize_activities`."""
    titles = dict(exercises)
    by_id: dict[str, list[dict[str, Any]]] = {exercise_id: [] for exercise_id in titles}
    for event in events:
        if event.get("event") == ACTIVITY_EVENT:
            continue
        by_id.setdefault(current_id(str(event["exercise"])), []).append(event)
    return [
        _status(key, titles[key], found) if key in titles else _retired(key, found)
        for key, found in by_id.items()
    ]


def _status(exercise_id: str, title: str, events: list[dict[str, Any]]) -> ExerciseStatus:
    checks = [e for e in events if e.get("event") == "check"]
    attempts = [e for e in checks if e.get("status") in _ATTEMPTS]
    passed = any(e.get("status") == "pass" for e in attempts)
    last = checks[-1] if checks else {}
    return ExerciseStatus(
        exercise=exercise_id,
        title=title,
        status="passed" if passed else "attempted" if attempts else "not tried",
        attempts=len(attempts),
        last_status=last.get("status", ""),
        last_reason=last.get("reason", ""),
        last_queries=last.get("queries"),
        hints=max((int(e.get("number", 0)) for e in events if e.get("event") == "hint"), default=0),
        solution_seen=any(e.get("event") == "solution" for e in events),
        last_time=str(events[-1].get("time", "")) if events else "",
    )


def _retired(exercise_id: str, events: list[dict[str, Any]]) -> ExerciseStatus:
    """An exercise this version of the course no longer has: its attempts, kept apart."""
    kept = _status(exercise_id, retired_note(exercise_id), events)
    return dataclasses.replace(kept, status="retired", last_status=kept.status)


@dataclass(frozen=True)
class ActivityStatus:
    """One "your turn" activity for one learner: right, tried or not tried."""

    activity: str
    title: str
    status: str  # "right" | "tried" | "not tried"
    tries: int = 0
    last_answer: str = ""
    last_measured: str = ""


def summarize_activities(
    events: Iterable[dict[str, Any]], activities: Iterable[tuple[str, str]]
) -> list[ActivityStatus]:
    """Each activity's status from progress ``events``; ``activities`` are (id, title)
    pairs in order (an activity found only in the events comes last, untitled)."""
    titles = dict(activities)
    by_id: dict[str, list[dict[str, Any]]] = {activity: [] for activity in titles}
    for event in events:
        if event.get("event") == ACTIVITY_EVENT:
            by_id.setdefault(str(event["exercise"]), []).append(event)
    rows = []
    for key, found in by_id.items():
        tries = [e for e in found if e.get("status") in _ATTEMPTS]
        right = any(e.get("status") == "pass" for e in tries)
        last = tries[-1] if tries else {}
        rows.append(
            ActivityStatus(
                activity=key,
                title=titles.get(key, ""),
                status="right" if right else "tried" if tries else "not tried",
                tries=len(tries),
                last_answer=str(last.get("answer", "")),
                last_measured=str(last.get("measured", "")),
            )
        )
    return rows


_MARKS = {"passed": "✅", "attempted": "❌", "not tried": "·", "retired": "—"}
_ACTIVITY_MARKS = {"right": "✅", "tried": "✏️", "not tried": "·"}


def _detail(row: ExerciseStatus) -> str:
    parts = []
    if row.status == "retired":
        was = {"passed": "passed", "attempted": "attempted"}.get(row.last_status, "")
        parts.append(f"retired: {row.title}" + (f"; you had {was} it" if was else ""))
    if row.attempts:
        parts.append(f"{row.attempts} attempt{'s' if row.attempts != 1 else ''}")
    if row.status == "attempted" and row.last_reason:
        parts.append(f"last: {row.last_reason}")
    if row.hints:
        parts.append(f"{row.hints} hint{'s' if row.hints != 1 else ''}")
    if row.solution_seen:
        parts.append("solution seen")
    return ", ".join(parts)


@dataclass(frozen=True)
class ProgressTable:
    """A table of exercises (passed / attempted / not tried; retired ones apart) and,
    counted separately, the lessons' "your turn" activities."""

    rows: tuple[ExerciseStatus, ...]
    heading: str = "Your progress"
    activities: tuple[ActivityStatus, ...] = ()

    @property
    def current(self) -> tuple[ExerciseStatus, ...]:
        return tuple(row for row in self.rows if row.status != "retired")

    @property
    def retired(self) -> tuple[ExerciseStatus, ...]:
        return tuple(row for row in self.rows if row.status == "retired")

    def _summary(self) -> str:
        rows = self.current
        passed = sum(row.status == "passed" for row in rows)
        tried = sum(row.status == "attempted" for row in rows)
        return f"{passed} of {len(rows)} passed, {tried} attempted"

    def _activities_summary(self) -> str:
        right = sum(a.status == "right" for a in self.activities)
        tried = sum(a.status == "tried" for a in self.activities)
        return (
            f"Your turn (not graded): {right} of {len(self.activities)} activities right, "
            f"{tried} tried"
        )

    def __repr__(self) -> str:
        if not self.rows and not self.activities:
            return f"{self.heading}: no exercises yet."
        lines = [f"{self.heading}: {self._summary()}"]
        width = max((len(row.title) for row in self.current), default=0)
        for row in self.current:
            detail = _detail(row)
            line = f"{_MARKS[row.status]} {row.exercise:<6}{row.title:<{width}}  {row.status:<10}"
            lines.append((line + (f"  ({detail})" if detail else "")).rstrip())
        for row in self.retired:
            lines.append(f"{_MARKS['retired']} {row.exercise:<6}({_detail(row)})")
        if self.activities:
            lines.append(self._activities_summary())
            for activity in self.activities:
                title = f" {activity.title}" if activity.title else ""
                lines.append(
                    f"  {_ACTIVITY_MARKS[activity.status]} {activity.activity}{title}: "
                    f"{activity.status}"
                )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self.rows and not self.activities:
            return f"<p>{html.escape(self.heading)}: no exercises yet.</p>"
        cells = "".join(
            f"<tr><td>{_MARKS[row.status]}</td><td>{html.escape(row.exercise)}</td>"
            f"<td style='text-align:left'>{html.escape(row.title)}</td>"
            f"<td>{html.escape(row.status)}</td>"
            f"<td style='text-align:left'>{html.escape(_detail(row))}</td></tr>"
            for row in self.current
        )
        retired = "".join(
            f"<li>{html.escape(row.exercise)}: {html.escape(_detail(row))}</li>"
            for row in self.retired
        )
        out = (
            f"<p><b>{html.escape(self.heading)}</b>: {html.escape(self._summary())}</p>"
            "<table><tr><th></th><th>exercise</th><th>title</th><th>status</th>"
            f"<th>details</th></tr>{cells}</table>"
        )
        if retired:
            out += "<p>Retired exercises (from an earlier version of the course):</p>"
            out += f"<ul>{retired}</ul>"
        if self.activities:
            items = "".join(
                f"<li>{_ACTIVITY_MARKS[a.status]} {html.escape(a.activity)} "
                f"{html.escape(a.title)}: {html.escape(a.status)}</li>"
                for a in self.activities
            )
            out += f"<p><b>{html.escape(self._activities_summary())}</b></p><ul>{items}</ul>"
        return out


def progress(lesson: str | int | None = None) -> ProgressTable:
    """Your exercises (one lesson's, or all): passed / attempted / not tried; and, apart,
    the lessons' "your turn" activities."""
    require_started("lab.progress()")
    from workshop_site.grading.registry import all_exercises, lesson_exercises, lesson_number

    declared = lesson_exercises(lesson) if lesson is not None else all_exercises().values()
    pairs = [(e.id, e.title) for e in declared]
    events = read_events()
    rows = summarize(events, pairs)
    activities = declared_activities()
    if lesson is not None:
        number = lesson_number(lesson)
        rows = [row for row in rows if row.exercise in dict(pairs)]
        activities = [(a, t) for a, t in activities if _lesson_of(a) in (number, number[:2])]
        heading = f"Lesson {number} exercises"
    else:
        heading = "Your progress"
    found = summarize_activities(events, activities)
    if lesson is not None:
        found = [a for a in found if a.activity in dict(activities)]
    return ProgressTable(tuple(rows), heading, tuple(found))


def _lesson_of(activity_id: str) -> str:
    return activity_id.split(".", 1)[0]


def declared_activities() -> list[tuple[str, str]]:
    """Every activity the lessons' metadata declares (none when the notebooks are not
    next to the package, as in an installed copy)."""
    try:
        from workshop_site.course import activities
    except ImportError:  # pragma: no cover - nbformat missing
        return []
    try:
        return [(a.id, a.title) for a in activities()]
    except (OSError, ValueError, KeyError):
        return []
