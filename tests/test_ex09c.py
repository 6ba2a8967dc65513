"""Exercise 09c.1: cancelled orders' units back to stock in one UPDATE. The grader
accepts one UPDATE with F() and a Subquery, rejects the loop on its UPDATE count, a
single UPDATE that adds one line's quantity instead of the sum (data where a listing has
several cancelled lines), and the lesson's restock pasted as the answer."""

from __future__ import annotations

import pytest
from django.db.models import Exists, F, OuterRef, Subquery
from exercise_asserts import fails, passes
from naive_answers import return_to_stock_naive

from workshop_site.grading.references import ref09c
from workshop_site.shop.models import Listing, OrderLine

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def return_one_line_each():
    cancelled = OrderLine.objects.filter(listing=OuterRef("pk"), order__status="cancelled")
    first = cancelled.order_by("pk").values("quantity")[:1]
    return Listing.objects.filter(Exists(cancelled)).update(stock=F("stock") + Subquery(first))


def lesson_restock():
    # notebooks/09c_in_database.ipynb, section 2: the restock cell.
    return Listing.objects.filter(is_active=True, stock__lt=3).update(stock=F("stock") + 5)


def test_09c_1_accepts_one_update_with_a_subquery():
    passes("09c.1", ref09c.return_to_stock)


def test_09c_1_rejects_the_loop_by_its_update_count():
    fails("09c.1", return_to_stock_naive, "updates", "UPDATEs with")


def test_09c_1_rejects_one_lines_quantity_instead_of_the_sum():
    # Fails on its result: the grader's data has listings with several cancelled lines.
    fails("09c.1", return_one_line_each, "result")


def test_09c_1_the_lessons_cell_pasted_does_not_pass():
    fails("09c.1", lesson_restock, "result")
