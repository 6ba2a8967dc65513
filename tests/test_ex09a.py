"""Exercise 09a.1: an index for a product's newest reviews. The grader accepts the
composite index (either direction of the date), rejects the foreign key's own shape and
the columns the other way round, and rejects the lesson's own cell pasted as the answer
(the queue's index is on another table)."""

from __future__ import annotations

import pytest
from django.db import models
from exercise_asserts import fails, passes

from workshop_site.grading import grade
from workshop_site.grading.references import ref09a

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def test_09a_1_accepts_the_product_then_date_index():
    verdict = passes("09a.1", ref09a.reviews_index)
    assert "then sorts" in verdict.figures[0]  # without it: the foreign key's index, a sort
    passes(
        "09a.1",
        lambda: models.Index(fields=["product", "created_at"], name="review_product_date"),
    )


def test_09a_1_rejects_the_foreign_keys_own_shape_it_still_sorts():
    fails(
        "09a.1",
        lambda: models.Index(fields=["product"], name="review_product"),
        "index-serves",
        "still sorts",
    )


def _fails(fn):
    verdict = grade("09a.1", fn, progress=False)
    assert verdict.status == "fail", repr(verdict)
    return verdict


def test_09a_1_rejects_the_date_first():
    verdict = _fails(
        lambda: models.Index(fields=["created_at", "product"], name="review_date_product")
    )
    assert verdict.kind == "index-serves"


def test_09a_1_the_lessons_cell_pasted_does_not_pass():
    # notebooks/09a_indexes.ipynb, section 2: the queue's index, on the orders' columns.
    lesson_cell = models.Index(fields=["status", "created_at"], name="order_status_created_idx")
    _fails(lambda: lesson_cell)


def test_09a_1_explains_a_value_that_is_no_index():
    fails("09a.1", lambda: ["product", "created_at"], "index-serves", "expected a `models.Index")


def test_the_old_09_ids_are_retired_naming_the_episode_exercise_that_replaced_them():
    from workshop_site.grading.registry import all_exercises
    from workshop_site.grading.renamed import RETIRED, current_id

    declared = all_exercises()
    for old in ("09.1", "09.2", "09.3", "09.4"):
        assert current_id(old) == old
        assert old not in declared
        replacement = RETIRED[old].removeprefix("replaced by ").split(",")[0]
        assert replacement in declared, RETIRED[old]
