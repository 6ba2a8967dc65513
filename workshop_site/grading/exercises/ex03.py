"""Lesson 03 (the N+1 problem and ``select_related``): join the foreign keys you read.

Transfer: the lesson joins ``customer.address``, ``order.customer``, ``listing.product``
and ``product__brand``; these start from other models and take other paths — a path
through the order (03.1), two relations side by side (03.2), and a second hop hidden in
a property of ``shop/models.py`` (03.3). Each naive version (in
``solutions/03_n_plus_one_solutions.ipynb``) makes one query per row and per relation;
the classic wrong fix joins one relation of two, and the other still costs a query per
row, which the diagnosis names.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.models import Order, OrderLine, Review

_ONE_QUERY = (
    "A foreign key can come in the same query as the rows that point to it: "
    "`select_related` joins it (`prefetch_related` and `FETCH_PEERS` take one more query)."
)

EXERCISES = [
    Exercise(
        id="03.1",
        title="Who ordered what",
        returns=list,
        expects="a list of (order id, customer name, quantity) tuples, one per order line",
        rows=Rows(
            "lines of pending orders",
            lambda: OrderLine.objects.filter(order__status=Order.Status.PENDING).count(),
        ),
        checks=(
            Result(),
            Scaling(advice="Each hop (line → order → customer) is a foreign key."),
            Budget(queries=1, fix=_ONE_QUERY),
        ),
        hints=(
            "Record the naive function: how many similar groups do you see, and which "
            "relation does each one load?",
            "`line.order` and then `order.customer`: two foreign keys in a row. Joining "
            "the first one only leaves one query per line for the second.",
            '`select_related("order__customer")` follows both hops in one query.',
        ),
    ),
    Exercise(
        id="03.2",
        title="The moderation queue",
        returns=list,
        expects="a list of (rating, product title, author name) tuples, one per low review",
        rows=Rows("1- and 2-star reviews", lambda: Review.objects.filter(rating__lte=2).count()),
        checks=(
            Result(),
            Scaling(advice="A review reads two relations: count the groups of similar queries."),
            Budget(queries=1, fix=_ONE_QUERY),
        ),
        hints=(
            "Record the naive function: two groups of similar queries, one per review each. "
            "Which relation does each group load?",
            "`review.product` and `review.customer` are two foreign keys of the same review, "
            "side by side (not a path): both can come in the reviews' own query.",
            '`select_related("product", "customer")`: one query, with two JOINs.',
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
