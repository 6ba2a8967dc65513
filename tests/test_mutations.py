"""Every exercise refuses the code a learner starts from, and answers that change the
statement's meaning (a filter dropped, an order reversed or dropped, a slice changed).

The naive answers (``tests/naive_answers.py``) fail their exercise, and in an exercise
notebook their first message names the problem, not the fix (issue 21: the fix comes
from ``lab.hint``). The mutants are the reference answers with one part of the
statement taken out: each must fail at the grading sizes, or the grading data can't tell
the right answer from a wrong one (00.2's filter, 05.1's order once could not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count
from naive_answers import NAIVE

from workshop_site.grading import grade
from workshop_site.grading.exercises import ex05
from workshop_site.grading.exercises.ex09b import review_line
from workshop_site.grading.exercises.ex09d import render_customers
from workshop_site.grading.references import ref05
from workshop_site.grading.registry import all_exercises, get
from workshop_site.lab.inspector import mode
from workshop_site.shop.models import Customer, Order

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("grading_sandbox")]


def test_every_exercise_has_a_naive_answer():
    assert sorted(NAIVE) == sorted(all_exercises())


@pytest.mark.parametrize("exercise_id", sorted(NAIVE))
def test_the_naive_answer_fails_and_its_message_keeps_the_fix_for_the_hints(exercise_id):
    with mode(exercise=True):
        verdict = grade(exercise_id, NAIVE[exercise_id], progress=False)
    assert verdict.status == "fail", repr(verdict)
    for check in get(exercise_id).checks:
        if check.fix:
            assert check.fix not in verdict.message, repr(verdict)


def _waiting() -> Any:
    return Customer.objects.filter(welcome_letter_sent=False)


def _names(queryset: Any) -> list[str]:
    return list(queryset.values_list("name", flat=True)[:5])


def _orders_to_ship(order_by: tuple[str, ...]) -> Callable[[], list[Any]]:
    def answer() -> list[Any]:
        paid = ref05.OrderListQuerySet(Order).filter(status=Order.Status.PAID)
        return ex05.shipments(paid.order_by(*order_by).optimize_for_list())

    return answer


def _support(orders: Any, reviews: Any) -> list[Any]:
    customers = Customer.objects.select_related("address").annotate(
        order_count=orders, review_count=reviews
    )
    return [
        (c.name, c.address.city, c.order_count, c.review_count) for c in customers.order_by("id")
    ]


def _reversed_export() -> str:
    """06.1's reference with its order reversed."""
    import csv
    import io

    from workshop_site.shop.models import OrderLine

    rows = OrderLine.objects.order_by("-id").values_list(
        "order_id",
        "order__created_at",
        "order__customer__name",
        "listing__product__title",
        "quantity",
        "unit_price",
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order", "date", "customer", "product", "quantity", "unit_price"])
    for order, created, customer, product, quantity, price in rows:
        writer.writerow([order, created.date().isoformat(), customer, product, quantity, price])
    return out.getvalue()


#: (exercise, what the mutant changes, the mutant): each changes the statement's meaning.
MUTANTS: list[tuple[str, str, Callable[[], Any]]] = [
    ("00.1", "filter dropped", lambda: Order.objects.count()),
    (
        "00.1",
        "filter negated (exclude)",
        lambda: Order.objects.exclude(status=Order.Status.PENDING).count(),
    ),
    ("00.1", "another model's filter (the lesson's)", lambda: _waiting().count()),
    ("00.2", "filter dropped", lambda: _names(Customer.objects.order_by("-created_at"))),
    ("00.2", "order reversed", lambda: _names(_waiting().order_by("created_at"))),
    ("00.2", "order dropped (by id)", lambda: _names(_waiting().order_by("id"))),
    (
        "00.2",
        "slice changed",
        lambda: list(_waiting().order_by("-created_at").values_list("name", flat=True)[:4]),
    ),
    ("05.1", "order reversed", _orders_to_ship(("created_at", "id"))),
    ("05.1", "order dropped (by id)", _orders_to_ship(("id",))),
    ("05.2", "distinct dropped", lambda: _support(Count("orders"), Count("reviews"))),
    ("06.1", "order reversed", lambda: _reversed_export()),
    ("09b.1", "order reversed", lambda: _export_reviews("-pk")),
    ("09c.1", "filter changed (pending, not cancelled)", lambda: _return_to_stock("pending")),
    (
        "09d.1",
        "slice changed",
        lambda: render_customers(
            Customer.objects.order_by("id")[:29]
            .select_related("address")
            .prefetch_related("orders")
        ),
    ),
]


def _export_reviews(order: str) -> tuple[int, str]:
    import hashlib

    from workshop_site.shop.models import Review

    digest = hashlib.sha256()
    count = 0
    for review in Review.objects.order_by(order).iterator(chunk_size=500):
        digest.update(review_line(review).encode())
        count += 1
    return count, digest.hexdigest()


def _return_to_stock(status: str) -> int:
    from django.db.models import Exists, F, OuterRef, Subquery, Sum

    from workshop_site.shop.models import Listing, OrderLine

    lines = OrderLine.objects.filter(listing=OuterRef("pk"), order__status=status)
    units = lines.values("listing").annotate(units=Sum("quantity")).values("units")
    return Listing.objects.filter(Exists(lines)).update(stock=F("stock") + Subquery(units))


@pytest.mark.parametrize(
    ("exercise_id", "change", "mutant"), MUTANTS, ids=[f"{m[0]}: {m[1]}" for m in MUTANTS]
)
def test_a_mutant_of_the_reference_fails(exercise_id, change, mutant):
    verdict = grade(exercise_id, mutant, progress=False)
    assert verdict.status == "fail", f"{exercise_id} with its {change}: {verdict!r}"
    assert verdict.kind == "result", repr(verdict)
