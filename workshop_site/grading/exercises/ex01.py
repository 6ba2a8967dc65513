"""Lesson 01 (instruments): find the hidden queries with ``lab.queries()``, then fix them.

Both functions look innocent: the queries hide in the models' properties
(``Customer.mailing_label`` reads ``self.address``; ``Order.total`` reads ``self.lines``).
The grader's diagnosis points at the line in ``models.py``, as the instruments do.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.models import Customer, Order

EXERCISES = [
    Exercise(
        id="01.1",
        title="Mailing labels for the welcome letters",
        returns=list,
        expects="a list of mailing labels (strings), one per waiting customer",
        rows=Rows(
            "waiting customers",
            lambda: Customer.objects.filter(welcome_letter_sent=False).count(),
        ),
        checks=(Result(), Scaling(), Budget(queries=2)),
        hints=(
            "Run the naive function inside `with lab.queries() as q:` and look at `q`: "
            "which query repeats, and which line runs it?",
            "The repeated query comes from `Customer.mailing_label` in `shop/models.py`: it "
            "reads `self.address`, one query per customer when the address is not loaded.",
            'Load each customer\'s address in the same query: `.select_related("address")` '
            'on the queryset (`prefetch_related("address")` works too, with 2 queries).',
        ),
    ),
    Exercise(
        id="01.2",
        title="Totals of the pending orders",
        returns=dict,
        expects="a dict {order id: total (Decimal)} for every pending order",
        rows=Rows(
            "pending orders",
            lambda: Order.objects.filter(status=Order.Status.PENDING).count(),
        ),
        checks=(Result(), Scaling(), Budget(queries=2)),
        hints=(
            "Record the naive function with `lab.queries()`: how many queries for how many "
            "pending orders?",
            "`Order.total` in `shop/models.py` loops over `self.lines.all()`: one query per "
            "order. The lines are a reverse relation (many lines per order).",
            '`.prefetch_related("lines")` loads every order\'s lines in one more query. Or let '
            'the database add up: `.annotate(amount=Sum(F("lines__unit_price") * '
            'F("lines__quantity")))`.',
        ),
    ),
]
