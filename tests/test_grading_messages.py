"""The grader's messages: in a lesson the problem, where to look and the fix; in an exercise
notebook (exercise mode) the problem and where to look only — the fix comes from
``lab.hint``, whose last step is the fix."""

from __future__ import annotations

from workshop_site.grading.advice import fixes_shown, said
from workshop_site.grading.kinds import Budget
from workshop_site.lab.inspector import mode


def test_a_lesson_message_ends_with_the_fix():
    with mode(exercise=False):
        assert fixes_shown()
        assert said("3 queries", look="Which relation?", fix="Join it.") == (
            "3 queries\nWhich relation?\nJoin it."
        )


def test_an_exercise_message_names_the_problem_and_where_to_look_not_the_fix():
    with mode(exercise=True):
        assert not fixes_shown()
        assert said("3 queries", look="Which relation?", fix="Join it.") == (
            "3 queries\nWhich relation?"
        )


def test_a_check_kind_adds_the_exercises_advice_always_and_its_fix_in_lessons_only():
    budget = Budget(queries=1, advice="Which relation repeats?", fix="`select_related` it.")
    with mode(exercise=False):
        lesson = budget.fail("4 queries", fix="One query is enough.")
    with mode(exercise=True):
        exercise = budget.fail("4 queries", fix="One query is enough.")
    assert not lesson.passed
    assert not exercise.passed
    assert lesson.message == (
        "4 queries\nWhich relation repeats?\nOne query is enough. `select_related` it."
    )
    assert exercise.message == "4 queries\nWhich relation repeats?"
