"""Lesson 00 (welcome): two warm-ups on the shop's data, one query each.

The lesson counts the customers waiting for their letter; 00.1 asks the same of another
model (the pending orders), 00.2 for sorted, sliced names.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result
from workshop_site.shop.models import Customer, Order

CUSTOMERS = Rows("customers", lambda: Customer.objects.count())


def _newest_customers_written_to() -> None:
    """In the seeded data the newest customers are all still waiting, so an answer that
    forgot the filter returned the right names: here the three newest got their letter."""
    newest = list(Customer.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:3])
    Customer.objects.filter(pk__in=newest).update(welcome_letter_sent=True)


EXERCISES = [
    Exercise(
        id="00.1",
        title="How many orders are pending?",
        returns=int,
        expects="an int: the number of pending orders",
        rows=Rows("orders", lambda: Order.objects.count()),
        checks=(Result(), Budget(queries=1)),
        hints=(
            "An order waiting to be shipped has the status pending: `Order.Status.PENDING` "
            '(the string `"pending"`). Filter the orders on it.',
            '`Order.objects.filter(status="pending")` is the right queryset. Let the '
            "database count the rows instead of loading them into Python.",
            "`.count()` on the queryset runs one `SELECT COUNT(*)` query.",
        ),
    ),
    Exercise(
        id="00.2",
        title="The five newest customers waiting for their letter",
        returns=list,
        expects="a list of 5 names (strings), newest customer first",
        rows=CUSTOMERS,
        checks=(Result(ordered=True), Budget(queries=1)),
        setup=_newest_customers_written_to,
        hints=(
            "Start from the waiting customers, as in 00.1; newest means the latest `created_at`.",
            '`.order_by("-created_at")` sorts newest first; slicing a queryset (`[:5]`) '
            "becomes a `LIMIT` in SQL.",
            'Only the names are needed: `.values_list("name", flat=True)` returns plain '
            "strings; wrap the queryset in `list(...)`.",
        ),
    ),
]
