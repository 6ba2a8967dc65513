"""Every exercise refuses the code a learner starts from, and answers that change the
statement's meaning (a filter dropped, an order reversed or dropped, a slice changed).

The naive answers (``tests/naive_answers.py``) fail their exercise, and in an exercise
notebook their first message names the problem, not the fix (issue 21: the fix comes
from ``lab.hint``). The mutants here are written by hand: a filter negated or on another
model, a filter's value changed, and the filters, orders and slices the references take
from code outside their own source (05.1's page, 06.2's ``public()``, 09d.1's
``customer_page()``, 10.1's ``capstone.to_ship_queryset()``). Each must fail at the
grading sizes, or the grading data can't tell the right answer from a wrong one (00.2's
filter, 05.1's order once could not).
The mutants made from the references' source are in test_reference_mutants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import patch

import pytest
from naive_answers import NAIVE

from workshop_site.grading import grade
from workshop_site.grading.exercises import ex05
from workshop_site.grading.exercises.ex09d import PAGE, render_customers
from workshop_site.grading.references import ref05
from workshop_site.grading.registry import all_exercises, get
from workshop_site.lab import capstone
from workshop_site.lab.inspector import mode
from workshop_site.shop.dashboard import TO_SHIP
from workshop_site.shop.models import Customer, Order, Product

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


def _to_ship(base: Callable[[], Any]) -> Callable[[], Any]:
    """10.1's reference on another base queryset (its filter, order and slice are in
    ``capstone.to_ship_queryset``, out of the generic guard's reach)."""

    def answer() -> Any:
        from workshop_site.grading.references import ref10

        with patch.object(capstone, "to_ship_queryset", base):
            return ref10.orders_to_ship()

    return answer


def _paid() -> Any:
    return Order.objects.filter(status=Order.Status.PAID)


def _customers_page(page: Any) -> str:
    return render_customers(page.select_related("address").prefetch_related("orders"))


#: (exercise, what the mutant changes, the mutant): each changes the statement's meaning.
#: Only those test_reference_mutants can't make from the references' source.
MUTANTS: list[tuple[str, str, Callable[[], Any]]] = [
    (
        "00.1",
        "filter negated (exclude)",
        lambda: Order.objects.exclude(status=Order.Status.PENDING).count(),
    ),
    ("00.1", "another model's filter (the lesson's)", lambda: _waiting().count()),
    ("00.2", "order dropped (by id)", lambda: _names(_waiting().order_by("id"))),
    ("05.1", "order reversed", _orders_to_ship(("created_at", "id"))),
    ("05.1", "order dropped (by id)", _orders_to_ship(("id",))),
    (
        "06.2",
        "public() dropped (a filter under another name)",
        lambda: (
            Product.objects.select_related("brand")
            .only("title", "slug", "brand__name")
            .order_by("title", "id")
        ),
    ),
    ("09c.1", "filter changed (pending, not cancelled)", lambda: _return_to_stock("pending")),
    (
        "09d.1",
        "order reversed (customer_page's)",
        lambda: _customers_page(Customer.objects.order_by("-id")[:PAGE]),
    ),
    (
        "09d.1",
        "order dropped (customer_page's)",
        lambda: _customers_page(Customer.objects.all()[:PAGE]),
    ),
    (
        "10.1",
        "filter dropped (to_ship_queryset's)",
        _to_ship(lambda: Order.objects.order_by("created_at")[:TO_SHIP]),
    ),
    (
        "10.1",
        "order reversed (to_ship_queryset's)",
        _to_ship(lambda: _paid().order_by("-created_at")[:TO_SHIP]),
    ),
    ("10.1", "order dropped (to_ship_queryset's)", _to_ship(lambda: _paid()[:TO_SHIP])),
    (
        "10.1",
        "slice's end moved (to_ship_queryset's)",
        _to_ship(lambda: _paid().order_by("created_at")[: TO_SHIP - 1]),
    ),
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
