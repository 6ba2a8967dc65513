"""The instructor guide's checklist table and 3-hour track hold: every item of the talk's
final checklist is graded by exercises that exist, and the 3-hour track reaches all ten
in 180 minutes with exercises that exist."""

import re
from pathlib import Path

import pytest

from workshop_site.grading.registry import all_exercises

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "instructor.md"
EXERCISE_ID = re.compile(r"\b\d\d[a-z]?\.\d\b")


def _table(heading: str) -> list[list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


@pytest.fixture
def exercise_ids(seeded: object) -> set[str]:
    return set(all_exercises())


def test_each_checklist_item_is_graded_by_exercises_that_exist(exercise_ids):
    rows = _table("### The talk's checklist, item by item")
    assert [row[0] for row in rows] == [str(n) for n in range(1, 11)]
    for number, item, _taught, graded in rows:
        ids = EXERCISE_ID.findall(graded)
        assert ids, f"checklist item {number} ({item}) has no graded exercise"
        assert set(ids) <= exercise_ids, f"item {number}: {set(ids) - exercise_ids} do not exist"


def test_the_3_hour_track_reaches_all_ten_items_in_180_minutes(exercise_ids):
    rows = _table("### A 3-hour conference tutorial")
    clocks = [row[0] for row in rows]
    assert clocks[0] == "0:00"
    assert clocks[-1] == "3:00"
    minutes = [int(h) * 60 + int(m) for h, m in (c.split(":") for c in clocks)]
    assert minutes == sorted(minutes)
    reached = {int(n) for row in rows for n in re.findall(r"\d+", row[4])}
    assert reached == set(range(1, 11)), f"items not reached: {set(range(1, 11)) - reached}"
    graded = {i for row in rows for i in EXERCISE_ID.findall(row[3])}
    assert graded <= exercise_ids
    assert any("Break" in row[1] for row in rows)
