"""The grader's own test exercise: mailing labels for the welcome letters (result, scaling,
budget), declared here. It was lesson 01's exercise 01.1 until lesson 01 came to grade
measuring rather than fixing (the id is retired from the course); the grader's tests keep
it, with its reference, as the exercise whose every behaviour they know."""

from __future__ import annotations

from workshop_site.grading import Budget, Exercise, Result, Rows, Scaling
from workshop_site.shop.models import Customer

__all__ = ["LABELS", "labels_reference"]


def labels_reference() -> list[str]:
    waiting = Customer.objects.filter(welcome_letter_sent=False).select_related("address")
    return [customer.mailing_label for customer in waiting]


LABELS = Exercise(
    id="01.1",
    title="Mailing labels for the welcome letters",
    reference=labels_reference,
    returns=list,
    expects="a list of mailing labels (strings), one per waiting customer",
    rows=Rows(
        "waiting customers", lambda: Customer.objects.filter(welcome_letter_sent=False).count()
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
)
