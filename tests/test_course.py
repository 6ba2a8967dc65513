"""The course table and every lesson's navigation are generated from the notebooks."""

import json

import nbformat

from workshop_site import course
from workshop_site.exercise_files import exercises_name


def test_lessons_are_numbered_in_order_without_gaps():
    numbers = [int(lesson.number) for lesson in course.lessons()]
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
