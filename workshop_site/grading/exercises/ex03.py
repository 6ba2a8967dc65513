"""Lesson 03 (the N+1 problem and ``select_related``): join the foreign keys you read.

Each exercise's naive version (in ``solutions/03_n_plus_one_solutions.ipynb``) makes one query per
row. The classic wrong fix of 03.2 and 03.3 joins the first hop only, and the second hop
still costs a query per row — in 03.3 from a property in ``shop/models.py``, which the
diagnosis points at.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.models import Customer, Order, OrderLine, Review

_ONE_QUERY = (
    "A foreign key can come in the same query as the rows that point to it: "
    "`select_related` joins it (`prefetch_related` and `FETCH_PEERS` take one more query)."
)

EXERCISES = [
    Exercise(
        id="03.1",
        title="Envelopes for the welcome letters",
        returns=list,
        expects="a list of (name, street, postcode, city) tuples, one per waiting customer",
        rows=Rows(
            "waiting customers",
            lambda: Customer.objects.filter(welcome_letter_sent=False).count(),
        ),
        checks=(
            Result(),
            Scaling(),
            Budget(queries=1, fix=_ONE_QUERY),
        ),
        hints=(
            "Record the naive function with `lab.queries()`: which query repeats, once per "
            "customer, and which line runs it?",
            "`customer.address` is a foreign key: each customer points to one address row.",
            'Add `.select_related("address")` to the queryset: one query, with a JOIN.',
        ),
    ),
    Exercise(
        id="03.2",
        title="The packing list of the pending orders",
        returns=list,
        expects="a list of (order id, product title, quantity) tuples, one per order line",
        rows=Rows(
            "lines of pending orders",
            lambda: OrderLine.objects.filter(order__status=Order.Status.PENDING).count(),
        ),
        checks=(
            Result(),
            Scaling(advice="Each hop (line → listing → product) is a foreign key."),
            Budget(queries=1, fix=_ONE_QUERY),
        ),
        hints=(
            "Record the naive function: how many similar groups do you see, and which "
            "relation does each one load?",
            "`line.listing` and then `listing.product`: two foreign keys in a row. Joining "
            "the first one only leaves one query per line for the second.",
            '`select_related("listing__product")` follows both hops in one query.',
        ),
    ),
    Exercise(
        id="03.3",
        title="Apology letters for the 1-star reviews",
        returns=list,
        expects="a list of mailing labels (strings), one per 1-star review",
        rows=Rows("1-star reviews", lambda: Review.objects.filter(rating=1).count()),
        checks=(
            Result(),
            Scaling(advice="From a review to what `mailing_label` reads, count the foreign keys."),
            Budget(queries=1, fix=_ONE_QUERY),
        ),
        hints=(
            "Join `review.customer`, then record again: a query per review is left. Which "
            "line runs it? (It is not in your function.)",
            "`Customer.mailing_label` in `shop/models.py` is a property that reads "
            "`self.address`: a second hop, from the customer to its address.",
            '`select_related("customer__address")` joins the customer and its address.',
        ),
    ),
]
