"""The course as its notebooks describe it: order, titles, minutes, measured run times.

Generated from each notebook's own metadata (``metadata.workshop``), so nothing is typed
twice:

- the course table in README.md and docs/instructor.md (between ``<!-- course:start -->``
  and ``<!-- course:end -->``), with the author's teaching minutes (and the core ones: the
  3-hour track's), exercise minutes and "your turn" activities next to the machine run
  time measured when the test suite ran the notebooks;
- each lesson's sections in docs/instructor.md (between ``<!-- sections:start -->`` and
  ``<!-- sections:end -->``): minutes, core or optional, activities — what the
  schedules are built from;
- the navigation cell at the end of every lesson (previous · index · next).

A lesson's metadata::

    "workshop": {
      "title": "The N+1 problem and select_related",
      "teaching_minutes": 40,          # the sum of its sections' minutes
      "exercise_minutes": 25,
      "sections": [
        {"title": "A welcome letter to every customer", "minutes": 8, "core": true,
         "activities": [{"id": "03.a", "title": "Predict the letters' queries"}]},
        ...
      ]
    }

A section's title is the text of its ``## N. Title`` heading. A lesson split in episodes
is numbered ``09a``, ``09b``...: each episode is a notebook (``09a_indexes.ipynb``) with
its own row, exercises and navigation, in order after ``08`` and before ``10``.

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
from typing import TYPE_CHECKING

from workshop_site.exercise_files import exercises_name, solutions_name

if TYPE_CHECKING:
    import nbformat

__all__ = [
    "Activity",
    "Lesson",
    "Section",
    "Shape",
    "activities",
    "shape",
    "lessons",
    "course_table",
    "navigation",
    "sections_text",
    "update",
    "main",
]

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / "docs" / "notebook-timings.json"
START, END = "<!-- course:start -->", "<!-- course:end -->"
SECTIONS_START, SECTIONS_END = "<!-- sections:start -->", "<!-- sections:end -->"
NAV_TAG = "navigation"
#: The one-page reference, as a lesson notebook links it.
REFERENCE_LINK = "../docs/reference.md"
#: A lesson's file: its number ("03", or "09a" for an episode), then its topic.
_NAME = re.compile(r"^(?P<number>\d\d)(?P<episode>[a-z]?)_\w+\.ipynb$")


@dataclass(frozen=True)
class Activity:
    """A "your turn" activity: its lesson-local id ("03.a") and what it asks."""

    id: str
    title: str
    section: str  # the title of the section it ends


@dataclass(frozen=True)
class Section:
    """A lesson's section: ``## N. Title`` in the notebook."""

    title: str
    minutes: int
    core: bool  # in the 3-hour track
    activities: tuple[Activity, ...] = ()


@dataclass(frozen=True)
class Lesson:
    number: str  # "03", or "09a" for an episode of lesson 09
    path: Path  # notebooks/NN_topic.ipynb
    title: str
    teaching_minutes: int
    exercise_minutes: int
    sections: tuple[Section, ...] = ()
    root: Path = ROOT

    @property
    def exercises(self) -> Path | None:
        path = self.root / "exercises" / exercises_name(self.path.name)
        return path if path.exists() else None

    @property
    def core_minutes(self) -> int | None:
        """Teaching minutes of the core sections (None: no sections in the metadata yet)."""
        if not self.sections:
            return None
        return sum(section.minutes for section in self.sections if section.core)

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(a for section in self.sections for a in section.activities)

    @property
    def episode_of(self) -> str | None:
        """``"09"`` for episode ``"09a"``; None for a lesson in one notebook."""
        return self.number[:2] if len(self.number) > 2 else None


def _sort_key(path: Path) -> tuple[int, str]:
    match = _NAME.match(path.name)
    assert match is not None
    return int(match["number"]), match["episode"]


def lessons(root: Path = ROOT) -> list[Lesson]:
    """Every lesson (and episode) in ``root/notebooks``, in course order."""
    found = []
    paths = [p for p in (root / "notebooks").glob("*.ipynb") if _NAME.match(p.name)]
    for path in sorted(paths, key=_sort_key):
        # The metadata alone, read as JSON: importing nbformat and validating every lesson
        # took 0.6 s of each exercises notebook's first cell (lab.exercises reads this).
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("workshop", {})
        found.append(
            Lesson(
                number=path.name.split("_", 1)[0],
                path=path,
                title=meta["title"],
                teaching_minutes=int(meta["teaching_minutes"]),
                exercise_minutes=int(meta["exercise_minutes"]),
                sections=_sections(meta.get("sections", ()), path),
                root=root,
            )
        )
    return found


def _sections(raw: object, path: Path) -> tuple[Section, ...]:
    """The ``sections`` of a notebook's metadata, checked (a clear error names the file)."""
    if not isinstance(raw, list | tuple):
        raise ValueError(f"{path.name}: metadata.workshop.sections must be a list")
    sections = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not {"title", "minutes", "core"} <= item.keys():
            raise ValueError(
                f"{path.name}: section {number} needs a title, minutes and core (true/false)"
            )
        title = str(item["title"])
        found = []
        for activity in item.get("activities", ()):
            if not isinstance(activity, dict) or not {"id", "title"} <= activity.keys():
                raise ValueError(
                    f"{path.name}: an activity of section {title!r} needs an id and a title"
                )
            found.append(Activity(str(activity["id"]), str(activity["title"]), title))
        sections.append(Section(title, int(item["minutes"]), bool(item["core"]), tuple(found)))
    return tuple(sections)


#: The most a lesson notebook holds: cells (navigation included), words of prose (every
#: markdown cell's but the generated navigation's, split on whitespace), and teaching
#: minutes per "your turn" activity.
MAX_CELLS, MAX_WORDS, MINUTES_PER_ACTIVITY = 45, 1_500, 15


@dataclass(frozen=True)
class Shape:
    """How long a lesson notebook is, and how often the learner does something."""

    number: str
    cells: int
    code_cells: int
    words: int
    teaching_minutes: int
    activities: int

    @property
    def activities_needed(self) -> int:
        return -(-self.teaching_minutes // MINUTES_PER_ACTIVITY)  # ceiling

    def problems(self) -> list[str]:
        """What breaks the course's limits, in words (empty: none)."""
        found = []
        if self.cells > MAX_CELLS:
            found.append(f"{self.cells} cells (at most {MAX_CELLS})")
        if self.words > MAX_WORDS:
            found.append(f"{self.words:,} words of prose (at most {MAX_WORDS:,})")
        if self.activities < self.activities_needed:
            found.append(
                f"{self.activities} activities for {self.teaching_minutes} teaching minutes "
                f"(at least {self.activities_needed}: one per {MINUTES_PER_ACTIVITY})"
            )
        return found


def shape(lesson: Lesson) -> Shape:
    """The cells, prose words and activities of ``lesson``'s notebook."""
    import nbformat

    notebook = nbformat.read(lesson.path, as_version=4)
    # The navigation cell is generated (make course), links not prose: its words don't count.
    prose = " ".join(
        c.source
        for c in notebook.cells
        if c.cell_type == "markdown" and NAV_TAG not in c.get("metadata", {}).get("tags", [])
    )
    return Shape(
        number=lesson.number,
        cells=len(notebook.cells),
        code_cells=sum(c.cell_type == "code" for c in notebook.cells),
        words=len(prose.split()),
        teaching_minutes=lesson.teaching_minutes,
        activities=len(lesson.activities),
    )


def activities(root: Path = ROOT) -> list[Activity]:
    """Every "your turn" activity of the course, in course order."""
    return [activity for lesson in lessons(root) for activity in lesson.activities]


def _seconds(timings: dict, folder: str, name: str) -> float | None:
    entry = timings.get(f"{folder}/{name}")
    return None if entry is None else float(entry["total_seconds"])


def course_table(*, link_prefix: str = "", timings_path: Path = TIMINGS, root: Path = ROOT) -> str:
    """A Markdown table of the lessons; links are relative to ``link_prefix``."""
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    rows = [
        "| # | Lesson | Exercises | Teaching | Core | Exercises | Your turn | Machine run time |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    total_teaching = total_exercises = total_core = total_activities = 0
    without_sections = []
    for lesson in lessons(root):
        total_teaching += lesson.teaching_minutes
        total_exercises += lesson.exercise_minutes
        total_activities += len(lesson.activities)
        core = lesson.core_minutes
        if core is None:
            without_sections.append(lesson.number)
        else:
            total_core += core
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
            f"| {'—' if core is None else f'{core} min'} | {lesson.exercise_minutes} min "
            f"| {len(lesson.activities) or '—'} | {measured} |"
        )
    hours = (total_teaching + total_exercises) / 60
    rows.append(
        f"| | **Total** | | **{total_teaching} min** | **{total_core} min** "
        f"| **{total_exercises} min** | **{total_activities}** "
        f"| ({hours:.1f} h of teaching and exercises) |"
    )
    note = (
        "Minutes are the author's estimates (each notebook's metadata). Core: the teaching "
        "minutes of the sections the 3-hour track keeps"
        + (
            f" (\u2014: not split in sections yet: {', '.join(without_sections)})"
            if without_sections
            else ""
        )
        + ". Your turn: the checked activities in the lesson. The machine run "
        "time is the lesson plus its solutions executed headless by the test suite"
        + (f" ({timings['_measured_on']})" if "_measured_on" in timings else "")
        + "; refresh it with `make timings`."
    )
    return "\n".join([*rows, "", note])


def sections_text(root: Path = ROOT) -> str:
    """Each lesson's sections, for the instructor guide: minutes, core or optional, the
    activities that end them."""
    parts = []
    waiting = []
    for lesson in lessons(root):
        if not lesson.sections:
            waiting.append(lesson.number)
            continue
        parts += [
            f"**{lesson.number} · {lesson.title}** — {lesson.teaching_minutes} min, "
            f"{lesson.core_minutes} min core",
            "",
            "| Section | Minutes | Track | Your turn |",
            "|---|---:|---|---|",
        ]
        for section in lesson.sections:
            turns = "; ".join(f"{a.id} {a.title}" for a in section.activities) or "—"
            track = "core" if section.core else "optional"
            parts.append(f"| {section.title} | {section.minutes} | {track} | {turns} |")
        parts.append("")
    if waiting:
        parts.append(f"Not split in sections yet: {', '.join(waiting)}.")
    return "\n".join(parts).strip()


def navigation(index: int, all_lessons: Sequence[Lesson]) -> str:
    """The last cell of lesson ``index``: previous · index · exercises · the one-page
    reference (docs/reference.md, linked from every lesson) · next."""
    lesson = all_lessons[index]
    parts = []
    if index > 0:
        before = all_lessons[index - 1]
        parts.append(f"← [{before.number} · {before.title}]({before.path.name})")
    parts.append("[Course index](../README.md#the-course)")
    if lesson.exercises:
        parts.append(f"[Exercises](../exercises/{lesson.exercises.name})")
    parts.append(f"[Reference]({REFERENCE_LINK})")
    if index + 1 < len(all_lessons):
        after = all_lessons[index + 1]
        parts.append(f"[{after.number} · {after.title}]({after.path.name}) →")
    return "---\n" + " · ".join(parts)


def _replace_between(
    text: str, table: str, *, where: Path, start: str = START, end: str = END
) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"{where}: no {start} ... {end} markers for the course table")
    return pattern.sub(lambda _: f"{start}\n{table}\n{end}", text)


def _documents() -> dict[Path, str]:
    return {ROOT / "README.md": "", ROOT / "docs" / "instructor.md": "../"}


def expected_documents() -> dict[Path, str]:
    """What README.md and docs/instructor.md should say, tables regenerated."""
    out = {}
    for path, prefix in _documents().items():
        if path.exists():
            text = _replace_between(path.read_text(), course_table(link_prefix=prefix), where=path)
            if SECTIONS_START in text:
                text = _replace_between(
                    text, sections_text(), where=path, start=SECTIONS_START, end=SECTIONS_END
                )
            out[path] = text
    return out


def expected_notebooks() -> dict[Path, nbformat.NotebookNode]:
    """Every lesson with its navigation cell (tagged ``navigation``) regenerated."""
    import nbformat

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
    import nbformat

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


def shapes_text(root: Path = ROOT) -> str:
    """Each lesson's cells, words and activities against the limits, one line each."""
    lines = []
    for lesson in lessons(root):
        found = shape(lesson)
        problems = "; ".join(found.problems()) or "within the limits"
        lines.append(
            f"{found.number}: {found.cells} cells ({found.code_cells} code), "
            f"{found.words:,} words, {found.activities} activities — {problems}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--shapes" in args:
        print(shapes_text())
        return 0
    if "--timings" in args:
        refresh_timings()
    for path in update():
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
