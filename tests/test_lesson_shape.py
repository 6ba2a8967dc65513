"""Every lesson is short episodes of explain → live code → your turn (issue 20).

For each lesson notebook: at most 45 cells and 1,500 words of prose; at least one "your
turn" activity per 15 teaching minutes; sections in its metadata that add up to its
teaching minutes, each a ``## N. Title`` heading, in order, with its activities' cells
inside it; every taught queryset typed in cells (no lesson module imported); claims and
activities checked beside the tests (``tests/claims/<notebook>.py``).

Fast: nothing runs. The notebook tests (test_notebooks.py) execute the claims and try
each activity with a right and a wrong answer in the notebook's kernel.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from claims import (
    ACTIVITY_CALL,
    MARKER,
    activity_cells,
    load,
    names_bound_in_cell,
    names_read_in_cell,
)

from workshop_site import course
from workshop_site.grading.activities import ACTIVITY_ID

#: Lessons not rewritten to the new rhythm yet, with their counts when this list was
#: made: (cells, words, activities). THE one place for exceptions: a lesson helper who
#: rewrites a lesson removes its line, and a test fails while a listed lesson already
#: keeps every rule (remove it) or gets longer than it was (do not).
NOT_YET_REWRITTEN: dict[str, tuple[int, int, int]] = {}

LESSONS = course.lessons()
REWRITTEN = [lesson for lesson in LESSONS if lesson.number not in NOT_YET_REWRITTEN]


def _id(lesson: course.Lesson) -> str:
    return lesson.number


def _normal(text: str) -> str:
    return " ".join(text.replace("#", " ").split())


def _heading_title(text: str) -> str:
    """``## 2. The fix: `select_related``` → ``The fix: select_related``."""
    return re.sub(r"^\d+[a-z]?\.\s*", "", text.strip()).replace("`", "")


def test_the_list_of_exceptions_names_real_lessons():
    assert set(NOT_YET_REWRITTEN) <= {lesson.number for lesson in LESSONS}


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_a_rewritten_lesson_keeps_the_limits(lesson):
    assert course.shape(lesson).problems() == []


@pytest.mark.parametrize("lesson", [x for x in LESSONS if x.number in NOT_YET_REWRITTEN], ids=_id)
def test_a_lesson_not_yet_rewritten_gets_no_longer_and_leaves_the_list_once_it_fits(lesson):
    found = course.shape(lesson)
    cells, words, _ = NOT_YET_REWRITTEN[lesson.number]
    assert found.cells <= cells, f"{lesson.number}: {found.cells} cells, was {cells}"
    assert found.words <= words, f"{lesson.number}: {found.words} words, was {words}"
    if not found.problems() and lesson.sections:
        pytest.fail(f"{lesson.number} keeps every rule now: remove it from NOT_YET_REWRITTEN")


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_sections_add_up_and_are_the_notebooks_headings(lesson):
    assert lesson.sections, f"{lesson.number}: metadata.workshop.sections is empty"
    assert sum(s.minutes for s in lesson.sections) == lesson.teaching_minutes
    assert any(s.core for s in lesson.sections), "the 3-hour track keeps at least one section"
    notebook = nbformat.read(lesson.path, as_version=4)
    headings = [
        _heading_title(line[3:])
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ") and re.match(r"## \d", line)
    ]
    assert headings == [s.title.replace("`", "") for s in lesson.sections]


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_every_section_ends_with_a_your_turn(lesson):
    without = [section.title for section in lesson.sections if not section.activities]
    assert not without, f"{lesson.number}: sections without an activity: {without}"


def _section_of_each_cell(notebook: nbformat.NotebookNode) -> list[int]:
    """The number (1, 2, ...) of the section each cell is in; 0 before the first."""
    current, found = 0, []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.search(r"^## \d", cell.source, re.M):
            current += len(re.findall(r"^## \d", cell.source, re.M))
        found.append(current)
    return found


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_each_activity_is_checked_once_inside_its_section(lesson):
    notebook = nbformat.read(lesson.path, as_version=4)
    cells = activity_cells(notebook)
    declared = [a.id for a in lesson.activities]
    assert sorted(cells) == sorted(declared), "metadata's activities vs the cells' checks"
    assert len(set(declared)) == len(declared)
    sections = _section_of_each_cell(notebook)
    for number, section in enumerate(lesson.sections, start=1):
        for activity in section.activities:
            assert ACTIVITY_ID.match(activity.id), activity.id
            assert activity.id.split(".")[0] == lesson.number
            assert sections[cells[activity.id]] == number, (
                f"{activity.id} is checked in section {sections[cells[activity.id]]}, "
                f"declared in section {number} ({section.title})"
            )
            source = notebook.cells[cells[activity.id]].source
            assert len(ACTIVITY_CALL.findall(source)) == 1, "one activity per cell"
            assert sum(MARKER in line for line in source.splitlines()) == 1, (
                f"{activity.id}: one line marked {MARKER!r}, the one the learner changes"
            )


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_skipping_an_activity_changes_nothing_for_the_cells_after_it(lesson):
    notebook = nbformat.read(lesson.path, as_version=4)
    for activity, index in activity_cells(notebook).items():
        bound = names_bound_in_cell(notebook.cells[index].source)
        later = [c for c in notebook.cells[index + 1 :] if c.cell_type == "code"]
        redefined: set[str] = set()
        for cell in later:
            # A cell that binds a name itself (``guess = ...``) reads its own.
            read = names_read_in_cell(cell.source) - redefined - names_bound_in_cell(cell.source)
            assert not (bound & read), (
                f"{activity}: a later cell reads {sorted(bound & read)}, bound by the "
                "activity's cell: a learner who skips or changes it would break that cell"
            )
            redefined |= names_bound_in_cell(cell.source)


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_the_taught_code_is_in_cells(lesson):
    notebook = nbformat.read(lesson.path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert "workshop_site.lessons" not in cell.source, (
                "a lesson's examples are typed in its cells, not imported"
            )


@pytest.mark.parametrize("lesson", REWRITTEN, ids=_id)
def test_claims_and_answers_match_the_notebook(lesson):
    claims = load(lesson.path)
    assert claims is not None, f"tests/claims/{lesson.path.stem}.py is missing"
    notebook = nbformat.read(lesson.path, as_version=4)
    prose = _normal(" ".join(c.source for c in notebook.cells if c.cell_type == "markdown"))
    tags = {tag for c in notebook.cells for tag in c.get("metadata", {}).get("tags", [])}
    for tag, found in claims.claims.items():
        assert tag == "@end" or tag in tags, f"no cell is tagged {tag!r}"
        for claim in found:
            assert _normal(claim.prose) in prose, (
                f"the prose {claim.prose!r} is not in {lesson.path.name} any more: "
                "update the claim with the notebook"
            )
    assert sorted(claims.answers) == sorted(a.id for a in lesson.activities)
