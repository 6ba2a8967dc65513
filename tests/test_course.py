"""The course table and every lesson's navigation are generated from the notebooks."""

import json

import nbformat
import pytest

from workshop_site import course
from workshop_site.exercise_files import exercises_name


def test_lessons_are_numbered_in_order_without_gaps():
    numbers = sorted({int(lesson.number[:2]) for lesson in course.lessons()})
    assert numbers == list(range(len(numbers)))


def test_readme_and_instructor_guide_tables_are_up_to_date():
    for path, text in course.expected_documents().items():
        assert path.read_text() == text, f"{path.name} is out of date: run `make course`"


def test_every_lesson_ends_with_its_navigation():
    for path, notebook in course.expected_notebooks().items():
        assert nbformat.read(path, as_version=4) == notebook, (
            f"{path.name}: navigation cell missing or out of date: run `make course`"
        )


def test_navigation_links_previous_index_exercises_and_next():
    lessons = course.lessons()
    middle = next(i for i, lesson in enumerate(lessons) if i and lesson.exercises)
    text = course.navigation(middle, lessons)
    assert f"({lessons[middle - 1].path.name})" in text
    assert "(../README.md#the-course)" in text
    assert f"(../exercises/{exercises_name(lessons[middle].path.name)})" in text
    if middle + 1 < len(lessons):
        assert f"({lessons[middle + 1].path.name})" in text
    assert "←" not in course.navigation(0, lessons)


def test_every_lesson_has_a_measured_run_time():
    timings = json.loads(course.TIMINGS.read_text())
    for lesson in course.lessons():
        assert f"notebooks/{lesson.path.name}" in timings, (
            f"{lesson.path.name} has no measured run time: run `make test` then `make timings`"
        )


def _lesson(root, name, title, minutes, sections=None):
    meta = {"title": title, "teaching_minutes": minutes, "exercise_minutes": 10}
    if sections is not None:
        meta["sections"] = sections
    notebook = nbformat.v4.new_notebook(metadata={"workshop": meta})
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    (root / "notebooks").mkdir(exist_ok=True)
    nbformat.write(notebook, root / "notebooks" / name)


def _section(title, minutes, core, *activities):
    return {
        "title": title,
        "minutes": minutes,
        "core": core,
        "activities": [{"id": a, "title": f"do {a}"} for a in activities],
    }


@pytest.fixture
def episodes(tmp_path):
    _lesson(tmp_path, "08_external.ipynb", "External calls", 40)
    _lesson(
        tmp_path,
        "09b_memory.ipynb",
        "Memory in long jobs",
        15,
        [_section("Iterators", 10, True, "09b.a"), _section("Batches", 5, False, "09b.b")],
    )
    _lesson(tmp_path, "09a_indexes.ipynb", "Indexes and plans", 20, [_section("Plans", 20, True)])
    _lesson(tmp_path, "10_checklist.ipynb", "The checklist", 20)
    return tmp_path


def test_episodes_come_in_order_between_their_neighbours(episodes):
    lessons = course.lessons(episodes)
    assert [lesson.number for lesson in lessons] == ["08", "09a", "09b", "10"]
    assert [lesson.episode_of for lesson in lessons] == [None, "09", "09", None]
    text = course.navigation(1, lessons)
    assert "← [08 · External calls](08_external.ipynb)" in text
    assert "[09b · Memory in long jobs](09b_memory.ipynb) →" in text


def test_sections_give_the_core_minutes_and_the_activities(episodes):
    memory = course.lessons(episodes)[2]
    assert memory.core_minutes == 10
    assert [a.id for a in memory.activities] == ["09b.a", "09b.b"]
    assert memory.activities[1].section == "Batches"
    assert course.lessons(episodes)[0].core_minutes is None
    assert [a.id for a in course.activities(episodes)] == ["09b.a", "09b.b"]


def test_the_course_table_shows_core_minutes_and_activities(episodes):
    table = course.course_table(root=episodes, timings_path=episodes / "none.json")
    rows = table.splitlines()
    assert rows[0] == (
        "| # | Lesson | Exercises | Teaching | Core | Exercises | Your turn | Machine run time |"
    )
    assert "| 09b | [Memory in long jobs](notebooks/09b_memory.ipynb) | — | 15 min | 10 min |" in (
        table
    )
    assert "| 08 | [External calls](notebooks/08_external.ipynb) | — | 40 min | — |" in table
    assert "| | **Total** | | **95 min** | **30 min** | **40 min** | **2** |" in table
    assert "not split in sections yet: 08, 10" in table


def test_the_instructor_guide_reads_each_lessons_sections(episodes):
    text = course.sections_text(episodes)
    assert "**09b · Memory in long jobs** — 15 min, 10 min core" in text
    assert "| Iterators | 10 | core | 09b.a do 09b.a |" in text
    assert "| Batches | 5 | optional | 09b.b do 09b.b |" in text
    assert text.endswith("Not split in sections yet: 08, 10.")


def test_a_malformed_section_names_the_notebook(tmp_path):
    _lesson(tmp_path, "03_x.ipynb", "X", 10, [{"title": "No minutes"}])
    with pytest.raises(ValueError, match="03_x.ipynb: section 1 needs a title, minutes and core"):
        course.lessons(tmp_path)


def test_shapes_count_cells_words_and_activities():
    (lesson,) = [x for x in course.lessons() if x.number == "03"]
    found = course.shape(lesson)
    assert found.activities == len(lesson.activities) >= found.activities_needed
    assert found.problems() == []
    long = course.Shape(
        "99", cells=80, code_cells=40, words=2_801, teaching_minutes=60, activities=0
    )
    assert long.problems() == [
        "80 cells (at most 45)",
        "2,801 words of prose (at most 1,500)",
        "0 activities for 60 teaching minutes (at least 4: one per 15)",
    ]
