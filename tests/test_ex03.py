"""Lesson 03's exercises: each grader rejects the naive answer, the classic wrong fix and a
fast wrong answer, with a message that names the problem, and accepts the reference and
another right answer.

Transfer (issue 21): ``LESSON_PASTES`` maps each exercise to the lesson 03 cells closest
to it — their ``select_related`` pasted into the exercise's naive function, changing
nothing else — and a test shows that none of them passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import FETCH_PEERS
from exercise_asserts import fails, passes
from lesson_pastes import Pastes, assert_paste_fails, cases
from recording_cells import fixes_shown, shown_before_a_hint

from workshop_site.grading.references import ref03
from workshop_site.shop.models import Order, OrderLine, Review

pytestmark = pytest.mark.usefixtures("grading_sandbox")

ROOT = Path(__file__).resolve().parent.parent


# -- 03.1 ------------------------------------------------------------------------------


def _pending_lines():
    return OrderLine.objects.filter(order__status=Order.Status.PENDING)


def _who(lines):
    return [(line.order_id, line.order.customer.name, line.quantity) for line in lines]


def order_lines_naive():
    return _who(_pending_lines())


def order_lines_first_hop_only():
    return _who(_pending_lines().select_related("order"))


def order_lines_values():
    return list(_pending_lines().values_list("order_id", "order__customer__name", "quantity"))


def order_lines_peers():
    return _who(_pending_lines().fetch_mode(FETCH_PEERS))


def order_lines_paid_instead():
    # Adversarial: one query, the right shape, the wrong orders.
    lines = OrderLine.objects.filter(order__status=Order.Status.PAID)
    return _who(lines.select_related("order__customer"))


def test_03_1_accepts_the_reference_and_a_values_list_join():
    passes("03.1", ref03.order_lines)
    passes("03.1", order_lines_values)


def test_03_1_rejects_the_naive_two_hop_n_plus_one():
    fails("03.1", order_lines_naive, "scaling", "lines of pending orders", "one per")


def test_03_1_rejects_joining_the_first_hop_only():
    fails(
        "03.1",
        order_lines_first_hop_only,
        "scaling",
        "reads order_line.order.customer",
        "Each hop (line → order → customer) is a foreign key.",
    )


def test_03_1_rejects_fetch_peers_over_the_budget():
    fails("03.1", order_lines_peers, "budget", "3 queries", "the budget is 1")


def test_03_1_rejects_the_lines_of_other_orders():
    fails("03.1", order_lines_paid_instead, "result")


# -- 03.2 ------------------------------------------------------------------------------


def _low():
    return Review.objects.filter(rating__lte=2)


def _queue(reviews):
    return [(r.rating, r.product.title, r.customer.name) for r in reviews]


def queue_naive():
    return _queue(_low())


def queue_product_only():
    return _queue(_low().select_related("product"))


def queue_values():
    return list(_low().values_list("rating", "product__title", "customer__name"))


def queue_one_star_only():
    # Adversarial: joined, one query, but only half of the statement's ratings.
    return _queue(Review.objects.filter(rating=1).select_related("product", "customer"))


def test_03_2_accepts_the_reference_and_a_values_list_join():
    passes("03.2", ref03.moderation_queue)
    passes("03.2", queue_values)


def test_03_2_rejects_the_naive_queue_naming_both_relations():
    fails("03.2", queue_naive, "scaling", "1- and 2-star reviews", "reads review.product")


def test_03_2_rejects_one_relation_of_two():
    fails("03.2", queue_product_only, "scaling", "reads review.customer")


def test_03_2_rejects_the_one_star_reviews_only():
    fails("03.2", queue_one_star_only, "result")


# -- 03.3 ------------------------------------------------------------------------------


def apologies_naive():
    return [review.customer.mailing_label for review in Review.objects.filter(rating=1)]


def apologies_customer_only():
    reviews = Review.objects.filter(rating=1).select_related("customer")
    return [review.customer.mailing_label for review in reviews]


def apologies_from_customers():
    # Another right answer: the same labels, one per 1-star review, from the customers'
    # side (a customer with two 1-star reviews gets two letters, as in the reference).
    reviews = Review.objects.filter(rating=1).select_related("customer__address")
    customers = [review.customer for review in reviews]
    return [
        f"{c.name}\n{c.address.street}\n{c.address.postcode} {c.address.city}" for c in customers
    ]


def test_03_3_accepts_the_reference_and_another_right_answer():
    passes("03.3", ref03.apology_letters)
    passes("03.3", apologies_from_customers)


def test_03_3_rejects_the_naive_answer():
    fails("03.3", apologies_naive, "scaling", "1-star reviews", "one per review")


def test_03_3_rejects_joining_the_customer_only_and_points_at_the_property():
    fails(
        "03.3",
        apologies_customer_only,
        "scaling",
        "shop/models.py:",
        "(in mailing_label) reads review.customer.address",
        "count the foreign keys",
    )


# -- the lesson pasted: no exercise is solved by copying a lesson cell -----------------


def pasted_03b_on_lines():
    # 03.b's answer, `select_related("customer")`, on the order lines.
    return _who(_pending_lines().select_related("customer"))


def pasted_packing_list_on_lines():
    # Section 6's `OrderLine.objects.select_related("listing__product")`.
    return _who(_pending_lines().select_related("listing__product"))


def pasted_03d_on_queue():
    # 03.d's answer, `select_related("product__brand")`, on the moderation queue.
    return _queue(_low().select_related("product__brand"))


def pasted_template_fix_on_queue():
    # Section 8's template reads `r.customer.name`: its fix joins the customer.
    return _queue(_low().select_related("customer"))


def pasted_03g_on_apologies():
    # 03.g: `mailing_label` reads `address`; the letters' fix, `select_related("address")`.
    reviews = Review.objects.filter(rating=1).select_related("address")
    return [review.customer.mailing_label for review in reviews]


def pasted_template_fix_on_apologies():
    return apologies_customer_only()


#: exercise → (the lesson's code, as it is in lesson 03's cells or its activities'
#: answers; the answer that pastes it; what the grader says).
LESSON_PASTES: Pastes = {
    "03.1": [
        ('select_related("customer")', pasted_03b_on_lines, "raised"),
        ('select_related("listing__product")', pasted_packing_list_on_lines, "scaling"),
    ],
    "03.2": [
        ('select_related("product__brand")', pasted_03d_on_queue, "scaling"),
        ("r.customer.name", pasted_template_fix_on_queue, "scaling"),
    ],
    "03.3": [
        ('select_related("address")', pasted_03g_on_apologies, "raised"),
        ('select_related("customer")', pasted_template_fix_on_apologies, "scaling"),
    ],
}


@pytest.mark.parametrize(
    ("exercise", "lesson_code", "pasted", "kind"),
    cases(LESSON_PASTES),
    ids=lambda value: getattr(value, "__name__", None),
)
def test_pasting_the_closest_lesson_cell_does_not_pass(exercise, lesson_code, pasted, kind):
    assert_paste_fails("03_n_plus_one", exercise, lesson_code, pasted, kind)


def test_every_exercise_has_its_lesson_pastes():
    assert sorted(LESSON_PASTES) == ["03.1", "03.2", "03.3"]


def test_the_exercise_notebook_shows_no_fix_before_a_hint(seeded):
    shown = shown_before_a_hint(ROOT / "solutions" / "03_n_plus_one_solutions.ipynb")
    assert "similar queries" in shown  # the problem, named
    assert fixes_shown(shown) == [], shown
