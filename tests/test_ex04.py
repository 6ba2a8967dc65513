"""Lesson 04's exercises: each grader rejects the naive answer and the classic wrong fix
(select_related on a relation to many rows, the first hop only, .filter() after a
prefetch) with a message that names the problem, rejects fast wrong answers, and accepts
the reference and another right answer.

Transfer (issue 21): ``LESSON_PASTES`` maps each exercise to the lesson 04 cells closest
to it — pasted into the exercise's naive function, changing nothing else — and a test
shows that none of them passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Prefetch
from exercise_asserts import fails, passes
from lesson_pastes import Pastes, assert_paste_fails, cases
from recording_cells import fixes_shown, shown_before_a_hint

from workshop_site.grading.references import ref04
from workshop_site.shop.models import Customer, Order, Product, ProductImage, Review

pytestmark = pytest.mark.usefixtures("grading_sandbox")

ROOT = Path(__file__).resolve().parent.parent


# -- 04.1 ------------------------------------------------------------------------------


def _statements(customers):
    return {c.pk: sorted((o.pk, o.total) for o in c.orders.all()) for c in customers}


def statements_naive():
    return _statements(Customer.objects.all())


def statements_orders_only():
    return _statements(Customer.objects.prefetch_related("orders"))


def statements_select_related():
    return _statements(Customer.objects.select_related("orders"))


def statements_from_orders():
    # Another right answer: the orders with their lines, grouped in Python.
    found = {pk: [] for pk in Customer.objects.values_list("pk", flat=True)}
    for order in Order.objects.prefetch_related("lines"):
        found[order.customer_id].append((order.pk, order.total))
    return {pk: sorted(rows) for pk, rows in found.items()}


def statements_skipping_customers_without_orders():
    # Adversarial: 3 queries, right totals, but a customer with no order gets no statement.
    customers = Customer.objects.filter(orders__isnull=False).distinct()
    return _statements(customers.prefetch_related("orders__lines"))


def test_04_1_accepts_the_reference_and_orders_grouped_in_python():
    passes("04.1", ref04.statements)
    passes("04.1", statements_from_orders)


def test_04_1_rejects_the_naive_statements():
    fails("04.1", statements_naive, "scaling", "customers and orders", "one per order")


def test_04_1_rejects_prefetching_the_orders_only_and_points_at_the_property():
    fails(
        "04.1",
        statements_orders_only,
        "scaling",
        "shop/models.py:",
        "(in total)",
        "`Order.total` is a property",
    )


def test_04_1_explains_why_select_related_raised():
    fails("04.1", statements_select_related, "raised", "your code raised FieldError")


def test_04_1_rejects_leaving_out_the_customers_without_orders():
    fails("04.1", statements_skipping_customers_without_orders, "result")


# -- 04.2 ------------------------------------------------------------------------------


def _cards(products, first_image):
    return [
        (
            p.title,
            p.brand.name,
            first_image(p),
            sorted(c.name for c in p.categories.all()),
        )
        for p in products
    ]


def _first(product):
    images = product.images.all()
    return images[0].url if images else None


def _public():
    return Product.objects.filter(is_public=True)


def cards_naive():
    return _cards(_public(), _first)


def cards_select_related_images():
    return _cards(_public().select_related("brand", "images"), _first)


def cards_prefetch_everything():
    return _cards(_public().prefetch_related("brand", "images", "categories"), _first)


def cards_first_image_only():
    main = Prefetch(
        "images", queryset=ProductImage.objects.filter(position=0), to_attr="main_images"
    )
    products = _public().select_related("brand").prefetch_related(main, "categories")
    return _cards(products, lambda p: p.main_images[0].url if p.main_images else None)


@pytest.mark.slow
def test_04_2_accepts_the_reference_and_a_prefetch_of_the_first_image_only():
    passes("04.2", ref04.product_cards)
    passes("04.2", cards_first_image_only)


@pytest.mark.slow
def test_04_2_rejects_the_naive_cards():
    fails("04.2", cards_naive, "scaling", "public products")


def test_04_2_explains_kindly_why_select_related_on_images_raised():
    fails(
        "04.2",
        cards_select_related_images,
        "raised",
        "reverse foreign key",
        'prefetch_related("images")',
        "here `select_related` can follow `brand`",
    )


def test_04_2_prefetching_a_foreign_key_is_over_budget_and_says_to_join_it():
    fails(
        "04.2",
        cards_prefetch_everything,
        "budget",
        "4 queries",
        "the budget is 3",
        "The brand is a foreign key: `select_related` joins it",
    )


# -- 04.3 ------------------------------------------------------------------------------


def _complaints(customers, reviews):
    return {c.pk: [r.pk for r in reviews(c)] for c in customers}


def _newest_low(customer):
    return customer.reviews.filter(rating__lte=2).order_by("-created_at", "-id")


def complaints_naive():
    return _complaints(Customer.objects.all(), _newest_low)


def complaints_trap():
    return _complaints(Customer.objects.prefetch_related("reviews"), _newest_low)


def complaints_in_python():
    def newest_low(customer):
        low = [r for r in customer.reviews.all() if r.rating <= 2]
        return sorted(low, key=lambda r: (r.created_at, r.pk), reverse=True)

    return _complaints(Customer.objects.prefetch_related("reviews"), newest_low)


def complaints_oldest_first():
    # Adversarial: 2 queries, the right reviews, in the wrong order.
    low = Prefetch(
        "reviews", queryset=Review.objects.filter(rating__lte=2).order_by("created_at", "id")
    )
    return _complaints(Customer.objects.prefetch_related(low), lambda c: c.reviews.all())


def complaints_one_star_only():
    # Adversarial: 2 queries, newest first, but the 2-star reviews left out.
    low = Prefetch(
        "reviews",
        queryset=Review.objects.filter(rating=1).order_by("-created_at", "-id"),
        to_attr="low",
    )
    return _complaints(Customer.objects.prefetch_related(low), lambda c: c.low)


def test_04_3_accepts_the_reference_and_filtering_in_python():
    passes("04.3", ref04.complaints)
    passes("04.3", complaints_in_python)


def test_04_3_rejects_the_naive_answer():
    fails("04.3", complaints_naive, "scaling", "customers", "one per customer")


def test_04_3_rejects_filter_after_prefetch_and_names_the_trap():
    fails(
        "04.3",
        complaints_trap,
        "scaling",
        "calls customer.reviews.filter(...)",
        'ignores the earlier prefetch_related("reviews")',
    )


@pytest.mark.parametrize("wrong", [complaints_oldest_first, complaints_one_star_only])
def test_04_3_rejects_the_wrong_order_or_the_wrong_ratings(wrong):
    fails("04.3", wrong, "result")


# -- the lesson pasted: no exercise is solved by copying a lesson cell -----------------


def pasted_04c_on_statements():
    # 04.c's answer, `prefetch_related("lines")`, on the customers.
    return _statements(Customer.objects.prefetch_related("lines"))


def pasted_authors_on_statements():
    # Section 5's path through a relation, `prefetch_related("reviews__customer")`.
    return _statements(Customer.objects.prefetch_related("reviews__customer"))


def pasted_cards_on_cards():
    # 04.b's product cards queryset, as the lesson writes it.
    products = _public().select_related("brand").prefetch_related("images", "categories", "reviews")
    return _cards(products, _first)


def pasted_gallery_on_cards():
    return _cards(_public().prefetch_related("images"), _first)


def pasted_good_reviews_on_complaints():
    # Section 4's `Prefetch` of the good reviews, on the customers.
    good = Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), to_attr="good")
    return _complaints(Customer.objects.prefetch_related(good), lambda c: c.good)


def pasted_04d_on_complaints():
    # 04.d's answer: the reviews newest first, all of them.
    newest = Prefetch(
        "reviews", queryset=Review.objects.order_by("-created_at", "-id"), to_attr="latest"
    )
    return _complaints(Customer.objects.prefetch_related(newest), lambda c: c.latest)


#: exercise → (the lesson's code, as it is in lesson 04's cells or its activities'
#: answers; the answer that pastes it; what the grader says).
LESSON_PASTES: Pastes = {
    "04.1": [
        ('prefetch_related("lines")', pasted_04c_on_statements, "raised"),
        ('prefetch_related("reviews__customer")', pasted_authors_on_statements, "scaling"),
    ],
    "04.2": [
        ('.prefetch_related("images", "categories", "reviews")', pasted_cards_on_cards, "budget"),
        ('prefetch_related("images")', pasted_gallery_on_cards, "scaling"),
    ],
    "04.3": [
        (
            "queryset=Review.objects.filter(rating__gte=4)",
            pasted_good_reviews_on_complaints,
            "result",
        ),
        ('queryset=Review.objects.order_by("-created_at", ', pasted_04d_on_complaints, "result"),
    ],
}


@pytest.mark.parametrize(
    ("exercise", "lesson_code", "pasted", "kind"),
    cases(LESSON_PASTES),
    ids=lambda value: getattr(value, "__name__", None),
)
def test_pasting_the_closest_lesson_cell_does_not_pass(exercise, lesson_code, pasted, kind):
    assert_paste_fails("04_prefetch_related", exercise, lesson_code, pasted, kind)


def test_every_exercise_has_its_lesson_pastes():
    assert sorted(LESSON_PASTES) == ["04.1", "04.2", "04.3"]


def test_the_exercise_notebook_shows_no_fix_before_a_hint(seeded):
    shown = shown_before_a_hint(ROOT / "solutions" / "04_prefetch_related_solutions.ipynb")
    assert "similar queries" in shown  # the problem, named
    assert fixes_shown(shown) == [], shown
