"""The course as its notebooks describe it: order, titles, minutes, measured run times.

Generated from each notebook's own metadata (``metadata.workshop``), so nothing is typed
twice:

- the course table in README.md and docs/instructor.md (between ``<!-- course:start -->``
  and ``<!-- course:end -->``), with the author's teaching and exercise minutes next to
  the machine run time measured when the test suite ran the notebooks;
- the navigation cell at the end of every lesson (previous · index · next).

``python -m workshop_site.course`` rewrites both; ``make course`` runs it; a test fails
when they are out of date. ``make timings`` refreshes ``docs/notebook-timings.json`` from
the last test run (``test-artifacts/notebook-timings.json``) first.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from workshop_site.exercise_files import exercises_name, solutions_name

__all__ = ["Lesson", "lessons", "course_table", "navigation", "update", "main"]

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / "docs" / "notebook-timings.json"
START, END = "<!-- course:start -->", "<!-- course:end -->"
NAV_TAG = "navigation"


@dataclass(frozen=True)
class Lesson:
    number: str
    path: Path  # notebooks/NN_topic.ipynb
    title: str
    teaching_minutes: int
    exercise_minutes: int

    @property
    def exercises(self) -> Path | None:
        path = ROOT / "exercises" / exercises_name(self.path.name)
        return path if path.exists() else None


def lessons(root: Path = ROOT) -> list[Lesson]:
    found = []
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        meta = nbformat.read(path, as_version=4).metadata.get("workshop", {})
        found.append(
            Lesson(
                number=path.name[:2],
                path=path,
                title=meta["title"],
                teaching_minutes=int(meta["teaching_minutes"]),
                exercise_minutes=int(meta["exercise_minutes"]),
            )
        )
    return found


def _seconds(timings: dict, folder: str, name: str) -> float | None:
    entry = timings.get(f"{folder}/{name}")
    return None if entry is None else float(entry["total_seconds"])


def course_table(*, link_prefix: str = "", timings_path: Path = TIMINGS) -> str:
    """A Markdown table of the lessons; links are relative to ``link_prefix``."""
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    rows = [
        "| # | Lesson | Exercises | Teaching | Exercises | Machine run time |",
        "|---|---|---|---:|---:|---:|",
    ]
    total_teaching = total_exercises = 0
    for lesson in lessons():
        total_teaching += lesson.teaching_minutes
        total_exercises += lesson.exercise_minutes
        link = f"[{lesson.title}]({link_prefix}notebooks/{lesson.path.name})"
        exercises = (
            f"[exercises]({link_prefix}exercises/{lesson.exercises.name})"
            if lesson.exercises
            else "—"
        )
        run = [
            _seconds(timings, "notebooks", lesson.path.name),
            _seconds(timings, "solutions", solutions_name(lesson.path.name))
            if lesson.exercises
            else 0.0,
        ]
        measured = "not measured" if None in run else f"{sum(s or 0.0 for s in run):.0f} s"
        rows.append(
            f"| {lesson.number} | {link} | {exercises} | {lesson.teaching_minutes} min "
            f"| {lesson.exercise_minutes} min | {measured} |"
        )
    hours = (total_teaching + total_exercises) / 60
    rows.append(
        f"| | **Total** | | **{total_teaching} min** | **{total_exercises} min** "
        f"| ({hours:.1f} h of teaching and exercises) |"
    )
    note = (
        "Minutes are the author's estimates (each notebook's metadata). The machine run "
        "time is the lesson plus its solutions executed headless by the test suite"
        + (f" ({timings['_measured_on']})" if "_measured_on" in timings else "")
        + "; refresh it with `make timings`."
    )
    return "\n".join([*rows, "", note])


def navigation(index: int, all_lessons: Sequence[Lesson]) -> str:
    """The last cell of lesson ``index``: previous · index · exercises · next."""
    lesson = all_lessons[index]
    parts = []
    if index > 0:
        before = all_lessons[index - 1]
        parts.append(f"← [{before.number} · {before.title}]({before.path.name})")
    parts.append("[Course index](../README.md#the-course)")
    if lesson.exercises:
        parts.append(f"[Exercises](../exercises/{lesson.exercises.name})")
    if index + 1 < len(all_lessons):
        after = all_lessons[index + 1]
        parts.append(f"[{after.number} · {after.title}]({after.path.name}) →")
    return "---\n" + " · ".join(parts)


def _replace_between(text: str, table: str, *, where: Path) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{where}: no {START} ... {END} markers for the course table")
    return pattern.sub(lambda _: f"{START}\n{table}\n{END}", text)


def _documents() -> dict[Path, str]:
    return {ROOT / "README.md": "", ROOT / "docs" / "instructor.md": "../"}


def expected_documents() -> dict[Path, str]:
    """What README.md and docs/instructor.md should say, tables regenerated."""
    out = {}
    for path, prefix in _documents().items():
        if path.exists():
            out[path] = _replace_between(
                path.read_text(), course_table(link_prefix=prefix), where=path
            )
    return out


def expected_notebooks() -> dict[Path, nbformat.NotebookNode]:
    """Every lesson with its navigation cell (tagged ``navigation``) regenerated."""
    all_lessons = lessons()
    out = {}
    for index, lesson in enumerate(all_lessons):
        notebook = nbformat.read(lesson.path, as_version=4)
        cells = [c for c in notebook.cells if NAV_TAG not in c.get("metadata", {}).get("tags", [])]
        cell = nbformat.v4.new_markdown_cell(navigation(index, all_lessons))
        cell.metadata["tags"] = [NAV_TAG]
        cell.id = f"navigation-{lesson.number}"
        notebook.cells = [*cells, cell]
        out[lesson.path] = notebook
    return out


def update() -> list[Path]:
    """Rewrite what is out of date; return the files changed."""
    changed = []
    for path, text in expected_documents().items():
        if path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    for path, notebook in expected_notebooks().items():
        if nbformat.read(path, as_version=4) != notebook:
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def refresh_timings(source: Path = ROOT / "test-artifacts" / "notebook-timings.json") -> None:
    """Keep the last test run's timings (merged over the ones already recorded)."""
    import datetime
    import os
    import platform

    if not source.exists():
        raise SystemExit(f"{source} is missing: run `make test` first")
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings.update(json.loads(source.read_text()))
    timings["_measured_on"] = (
        f"{datetime.date.today():%Y-%m-%d}, {os.cpu_count()} CPUs, {platform.system()}"
    )
    TIMINGS.parent.mkdir(exist_ok=True)
    TIMINGS.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--timings" in args:
        refresh_timings()
    for path in update():
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
