"""The instructor's view: one table, learner × exercise → pass / fail / error, with queries.

Two sources, one table:

- :func:`rerun` executes a folder of learners' exercise notebooks headless, each in its
  own kernel with a time limit per cell, and reads what their ``lab.check`` calls
  recorded (each run writes to a progress file of its own);
- :func:`live` reads the progress files learners' kernels are writing right now (on a
  JupyterHub, in their home folders): who is stuck where, without re-running anything.

Learners' notebooks are code: run ``rerun`` as a user who may run it (a container, an
account without your keys), as you would any submitted code.
"""

from __future__ import annotations

import csv
import glob
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import nbformat

from workshop_site.grading.notebooks import checked_ids
from workshop_site.grading.progress import (
    ACTIVITY_EVENT,
    ENV,
    ActivityStatus,
    ExerciseStatus,
    read_events,
    read_progress,
    summarize,
    summarize_activities,
)
from workshop_site.grading.renamed import current_id

__all__ = ["Cell", "Activity", "Report", "rerun", "live", "learner_name"]

# Plain ASCII in the grid: emoji widths differ between terminals and break the columns.
_MARKS = {"pass": "ok", "fail": "FAIL", "not written": "todo", "error": "ERR", "not tried": "-"}
_STUCK_ATTEMPTS = 3


@dataclass(frozen=True)
class Cell:
    """One learner's standing on one exercise."""

    learner: str
    exercise: str
    title: str
    status: str  # pass | fail | not written | error | not tried
    reason: str = ""
    queries: str = ""  # the last check's count per size, "11/31"
    attempts: int = 0
    hints: int = 0
    message: str = ""


@dataclass(frozen=True)
class Activity:
    """A learner's last check, in the live report: what they are on right now."""

    learner: str
    exercise: str = ""  # "" when the learner has checked nothing yet
    status: str = ""
    reason: str = ""
    attempts: int = 0
    time: datetime | None = None

    def line(self, now: datetime, width: int) -> str:
        if not self.exercise:
            return f"  {self.learner:<{width}}  no check yet"
        ago = _ago(now - self.time) if self.time else "at an unknown time"
        mark = _MARKS.get(_CHECK_STATES.get(self.status, ""), self.status)
        text = f"  {self.learner:<{width}}  {self.exercise} {mark} {ago}"
        if self.status != "pass" and self.reason:
            tries = f" ({self.attempts} attempts)" if self.attempts > 1 else ""
            text += f": {self.reason}{tries}"
        return text


_CHECK_STATES = {"pass": "pass", "fail": "fail", "todo": "not written", "error": "error"}


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"


@dataclass
class Report:
    """The table, and how it was made."""

    cells: list[Cell]
    source: str  # "re-ran 20 notebooks in 41.2 s" / "read 20 progress files"
    exercises: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files unread, lines skipped
    #: Each learner's "your turn" activities (not graded: counted apart from exercises).
    activities: dict[str, list[ActivityStatus]] = field(default_factory=dict)
    #: Exercises found in progress files that this version of the course no longer has.
    retired: list[Cell] = field(default_factory=list)
    # The live report's: each learner's last check, most recent first.
    activity: list[Activity] = field(default_factory=list)
    made: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def learners(self) -> list[str]:
        return sorted({cell.learner for cell in self.cells})

    def cell(self, learner: str, exercise: str) -> Cell | None:
        return next(
            (c for c in self.cells if c.learner == learner and c.exercise == exercise), None
        )

    def write_csv(self, path: Path) -> None:
        """One row per learner and exercise."""
        columns = [
            "learner",
            "exercise",
            "title",
            "status",
            "reason",
            "queries",
            "attempts",
            "hints",
            "message",
        ]
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(columns)
            for cell in self.cells:
                writer.writerow([getattr(cell, column) for column in columns])

    def summary(self) -> str:
        """What an instructor reads in a minute: per exercise, the grid, who is stuck."""
        learners = self.learners
        lines = [
            f"Exercises report: {len(learners)} learner{'s' if len(learners) != 1 else ''}, "
            f"{len(self.exercises)} exercises ({self.source})",
            "",
        ]
        width = max((len(title) for _, title in self.exercises), default=0)
        for exercise, title in self.exercises:
            cells = [c for c in self.cells if c.exercise == exercise]
            passed = sum(c.status == "pass" for c in cells)
            failures = Counter(
                c.reason or c.status for c in cells if c.status not in ("pass", "not tried")
            )
            line = f"{exercise} {title:<{width}}  {passed}/{len(cells)} passed"
            if failures:
                reason, count = failures.most_common(1)[0]
                line += f"; most common failure: {reason} ({count})"
            lines.append(line)
        lines += ["", *self._grid(learners), ""]
        lines.append("Legend: " + "  ".join(f"{m} {s}" for s, m in _MARKS.items()))
        stuck = self._stuck()
        if stuck:
            lines += ["", f"Stuck ({_STUCK_ATTEMPTS}+ attempts, not passed yet):", *stuck]
        lines += self._activities_lines()
        if self.retired:
            lines += ["", "Retired exercises (from an earlier version of the course):"]
            lines += [f"  {c.learner} on {c.exercise}: {c.title}" for c in self.retired]
        if self.activity:
            width = max(len(a.learner) for a in self.activity)
            made = self.made.astimezone().strftime("%H:%M:%S")
            lines += ["", f"Now (each learner's last check, at {made}):"]
            lines += [a.line(self.made, width) for a in self.activity]
        if self.problems:
            lines += ["", "Files with problems (the rest of the table is complete):"]
            lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)

    def _grid(self, learners: list[str]) -> list[str]:
        width = max([len("learner"), *(len(name) for name in learners)])
        columns = [max(len(exercise), 4) for exercise, _ in self.exercises]
        head = f"{'learner':<{width}}  " + "  ".join(
            f"{exercise:<{w}}" for (exercise, _), w in zip(self.exercises, columns, strict=True)
        )
        rows = [head.rstrip()]
        for learner in learners:
            marks = []
            for (exercise, _), w in zip(self.exercises, columns, strict=True):
                cell = self.cell(learner, exercise)
                marks.append(f"{_MARKS[cell.status] if cell else '-':<{w}}")
            rows.append((f"{learner:<{width}}  " + "  ".join(marks)).rstrip())
        return rows

    def _activities_lines(self) -> list[str]:
        """Per activity, how many learners got it right; per learner, right/tried."""
        rows = [row for found in self.activities.values() for row in found]
        if not any(row.status != "not tried" for row in rows):
            return []
        lines = ["", "Your-turn activities (not graded):"]
        by_id: dict[str, list[ActivityStatus]] = {}
        for row in rows:
            by_id.setdefault(row.activity, []).append(row)
        width = max(len(f"{key} {found[0].title}") for key, found in by_id.items())
        for key, found in by_id.items():
            right = sum(row.status == "right" for row in found)
            tried = sum(row.status != "not tried" for row in found)
            label = f"{key} {found[0].title}"
            lines.append(f"  {label:<{width}}  {right}/{len(found)} right, {tried} tried")
        for learner, found in sorted(self.activities.items()):
            right = sum(row.status == "right" for row in found)
            tried = sum(row.status != "not tried" for row in found)
            lines.append(f"  {learner}: {right} right of {tried} tried")
        return lines

    def _stuck(self) -> list[str]:
        return [
            f"  {c.learner} on {c.exercise} ({c.attempts} attempts, last: {c.reason})"
            for c in self.cells
            if c.status == "fail" and c.attempts >= _STUCK_ATTEMPTS
        ]


def _titles(ids: Iterable[str]) -> list[tuple[str, str]]:
    from workshop_site.grading.registry import all_exercises

    declared = all_exercises()
    ordered = sorted(set(ids), key=_order)
    return [(i, declared[i].title if i in declared else "") for i in ordered]


def _order(exercise_id: str) -> tuple[int, tuple[int, ...], str]:
    # "03.10" after "03.2"; an id that is not numbers (from a hand-edited file) last.
    try:
        return (0, tuple(int(part) for part in exercise_id.split(".")), exercise_id)
    except ValueError:
        return (1, (), exercise_id)


def _queries_text(queries: dict[str, int] | None) -> str:
    if not queries:
        return ""
    return "/".join(str(count) for _, count in sorted(queries.items(), key=lambda i: int(i[0])))


def _cell(learner: str, status: ExerciseStatus, *, expected: bool, error: str) -> Cell:
    if status.status == "retired":
        return Cell(learner, status.exercise, status.title, "retired", attempts=status.attempts)
    if status.status == "passed":
        state = "pass"
    elif status.status == "attempted":
        state = "fail"
    elif status.last_status == "todo":
        state = "not written"
    elif status.last_status == "error" or expected:
        # Expected a check and none ran: the notebook stopped before it.
        state = "error"
    else:
        state = "not tried"
    reason = status.last_reason if state in ("fail", "not written", "error") else ""
    message = ""
    if state == "error" and not status.last_status:
        reason, message = "the check did not run", error
    return Cell(
        learner=learner,
        exercise=status.exercise,
        title=status.title,
        status=state,
        reason=reason,
        queries=_queries_text(status.last_queries) if state in ("pass", "fail") else "",
        attempts=status.attempts,
        hints=status.hints,
        message=message,
    )


def _table(
    events: dict[str, list[dict[str, Any]]],
    expected: dict[str, set[str]],
    errors: dict[str, str],
    source: str,
    *,
    every: Iterable[str] = (),
) -> Report:
    from workshop_site.grading.registry import all_exercises

    declared = all_exercises()
    ids = set(every)
    for found in events.values():
        ids.update(
            current_id(str(e["exercise"])) for e in found if e.get("event") != ACTIVITY_EVENT
        )
    for wanted in expected.values():
        ids.update(current_id(i) for i in wanted)
    exercises = _titles(i for i in ids if i in declared)
    cells: list[Cell] = []
    retired: list[Cell] = []
    for learner in sorted(events.keys() | expected.keys()):
        for status in summarize(events.get(learner, []), exercises):
            cell = _cell(
                learner,
                status,
                expected=status.exercise in expected.get(learner, set()),
                error=errors.get(learner, ""),
            )
            (retired if status.status == "retired" else cells).append(cell)
    activities = _activities(events)
    return Report(cells, source, exercises, activities=activities, retired=retired)


def _activities(events: dict[str, list[dict[str, Any]]]) -> dict[str, list[ActivityStatus]]:
    from workshop_site.grading.progress import declared_activities

    declared = declared_activities()
    return {learner: summarize_activities(found, declared) for learner, found in events.items()}


def learner_name(path: Path, folder: Path) -> str:
    """``submissions/alice/01.ipynb`` → alice; ``submissions/bob.ipynb`` → bob."""
    relative = path.relative_to(folder)
    return relative.parts[0] if len(relative.parts) > 1 else path.stem


@dataclass(frozen=True)
class _NotebookResult:
    path: Path
    events: list[dict[str, Any]]
    expected: list[str]
    error: str


def _first_error(notebook: nbformat.NotebookNode) -> str:
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index}: {output.get('ename')}: {output.get('evalue', '')}"[:300]
    return ""


def _grade_notebook(path: Path, timeout: int) -> _NotebookResult:
    """Run one notebook in its own kernel; what its checks recorded. Runs in a worker
    process, which passes its environment (the progress file) to the kernel it starts."""
    from workshop_site.notebook_runner import execute_notebook

    with tempfile.TemporaryDirectory(prefix="grading-") as folder:
        progress = Path(folder) / "progress.jsonl"
        os.environ[ENV] = str(progress)
        try:
            run = execute_notebook(path, timeout=timeout, allow_errors=True, cwd=path.parent)
            notebook, error = run.notebook, _first_error(run.notebook)
        except Exception as exc:  # a cell past the time limit, a dead kernel, bad JSON
            text = str(exc).strip().splitlines()
            error = f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
            try:
                notebook = nbformat.read(path, as_version=4)
            except Exception:
                notebook = nbformat.v4.new_notebook()
        return _NotebookResult(path, read_events(progress), checked_ids(notebook), error)


def rerun(folder: Path, *, jobs: int | None = None, timeout: int = 60) -> Report:
    """Execute every notebook under ``folder`` (``timeout`` seconds per cell at most)."""
    began = time.perf_counter()
    paths = sorted(
        path
        for path in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.relative_to(folder).parts
    )
    jobs = jobs or min(4, os.cpu_count() or 1)
    # "spawn": a fresh interpreter per worker, as on macOS and Windows, with no copied
    # Django connections or threads from this process.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(_grade_notebook, paths, [timeout] * len(paths)))
    events: dict[str, list[dict[str, Any]]] = {}
    expected: dict[str, set[str]] = {}
    errors: dict[str, str] = {}
    for result in results:
        learner = learner_name(result.path, folder)
        events.setdefault(learner, []).extend(result.events)
        expected.setdefault(learner, set()).update(result.expected)
        if result.error and learner not in errors:
            errors[learner] = f"{result.path.name}, {result.error}"
    seconds = time.perf_counter() - began
    source = f"re-ran {len(paths)} notebooks in {seconds:.1f} s"
    return _table(events, expected, errors, source)


def _first_wildcard(pattern: str) -> int | None:
    parts = Path(pattern).parts
    return next((i for i, p in enumerate(parts) if glob.has_magic(p)), None)


def _learner_folders(pattern: str, index: int | None) -> list[str]:
    """The names the first wildcard matches (``/home/*``) whether or not the learner's
    progress file exists yet: a learner who has checked nothing is in the report too."""
    if index is None:
        return []
    parts = Path(pattern).parts
    if index == len(parts) - 1:  # the wildcard is in the file's name
        return []
    return sorted(
        Path(m).name for m in glob.glob(str(Path(*parts[: index + 1]))) if Path(m).is_dir()
    )


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _activity(learner: str, found: list[dict[str, Any]]) -> Activity:
    checks = [e for e in found if e.get("event") == "check"]
    if not checks:
        return Activity(learner)
    last = checks[-1]
    exercise = str(last["exercise"])
    attempts = sum(
        1 for e in checks if e["exercise"] == exercise and e.get("status") in ("pass", "fail")
    )
    return Activity(
        learner,
        exercise,
        str(last.get("status", "")),
        str(last.get("reason", "")),
        attempts,
        _parse_time(last.get("time")),
    )


def live(patterns: Sequence[str]) -> Report:
    """Read learners' progress files matching ``patterns`` (globs); the learner's name is
    the path part the first wildcard matched (``/home/*/...`` → the home folder's name).
    Every folder that wildcard matches is a learner, with or without a progress file yet."""
    events: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    files = 0
    for pattern in patterns:
        index = _first_wildcard(pattern)
        for learner in _learner_folders(pattern, index):
            events.setdefault(learner, [])
        for match in sorted(glob.glob(pattern, recursive=True)):
            path = Path(match)
            parts = path.parts
            learner = parts[index] if index is not None and index < len(parts) else path.stem
            files += 1
            try:
                found = read_progress(path)
            except OSError as exc:  # unreadable, a folder...: the others are still read
                problems.append(f"{path}: not read ({exc.strerror or exc})")
                continue
            events.setdefault(learner, []).extend(found.events)
            if found.damaged:
                problems.append(found.problem())
    from workshop_site.grading.registry import all_exercises

    report = _table(
        events,
        {},
        {},
        f"read {files} progress file{'s' if files != 1 else ''}",
        every=all_exercises(),
    )
    report.problems = problems
    oldest = datetime.min.replace(tzinfo=UTC)
    report.activity = sorted(
        (_activity(learner, found) for learner, found in events.items()),
        key=lambda a: (a.time or oldest, a.learner),
        reverse=True,
    )
    return report
