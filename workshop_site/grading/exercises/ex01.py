"""Lesson 01 (instruments): measure and diagnose, with ``lab.queries()`` and the inspector.

Graded on what the learner finds, not on a fix (fixes start in lesson 03): how many
queries a function runs at N and N+20 customers (01.3), and which relation and which line
its repeated queries come from (01.4). Both functions hide their queries in a property of
the shop's models (``Customer.mailing_label`` reads ``self.address``; ``Order.total``
reads ``self.lines``), where the lesson's loop read a relation in plain sight.

The grader runs the learner's function on its own data at two sizes, N and N+20
customers: a count typed in from the notebook fails at one of them. 01.1 and 01.2 were
fixes (``select_related``, ``prefetch_related``) before their lessons: retired.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Diagnosis
from workshop_site.shop.models import Customer, Order

#: N and N+20 customers, the talk's two sizes of a query-count test.
N_AND_N_PLUS_20 = (80, 100)

EXERCISES = [
    Exercise(
        id="01.3",
        title="How many queries at N and N+20?",
        returns=dict,
        expects='a dict {"queries": int, "labels": int}',
        sizes=N_AND_N_PLUS_20,
        rows=Rows(
            "waiting customers",
            lambda: Customer.objects.filter(welcome_letter_sent=False).count(),
        ),
        checks=(
            Diagnosis(
                fields=("queries", "labels"),
                where=(
                    (
                        "queries",
                        "count the queries of one call of the naive function, inside your "
                        "function (`with lab.queries() as q:` then `len(q)`), not a number "
                        "typed in",
                    ),
                    ("labels", "how many labels did that call return?"),
                ),
            ),
        ),
        hints=(
            "Inside your function: `with lab.queries() as q:` around one call of "
            "`welcome_letter_labels_naive()`; `len(q)` is the number of queries.",
            "Return both numbers measured in that one call: "
            '`{"queries": len(q), "labels": len(labels)}`. The grader runs it on shops of '
            "80 and 100 customers: a number typed in is right at one size at most.",
            "At N waiting customers the naive function runs N + 1 queries: one for the "
            "customers, one more per label (the address it prints).",
        ),
    ),
    Exercise(
        id="01.4",
        title="Which relation, which line?",
        returns=dict,
        expects='a dict {"relation": "Model.field", "line": int}',
        sizes=N_AND_N_PLUS_20,
        rows=Rows(
            "pending orders",
            lambda: Order.objects.filter(status=Order.Status.PENDING).count(),
        ),
        checks=(
            Diagnosis(
                fields=("relation", "line"),
                where=(
                    (
                        "relation",
                        "record the naive function and read the inspector's similar "
                        "queries: which table do they read, for which model?",
                    ),
                    (
                        "line",
                        "the line of the repeated queries is in the shop's code, not in "
                        "your cell: `q[1].source`",
                    ),
                ),
            ),
        ),
        hints=(
            "Record `pending_order_totals_naive()` with `lab.queries()`, show `q`, and read "
            "*Similar queries*: one group, one query per pending order.",
            "`lab.diagnose(q)` (or `q.findings()`) gives each N+1 as data: `.relation` "
            "names it as `Model.field`; `.source` is the line that ran it, "
            "`.source.lineno` its number.",
            "The loop in your cell only reads `order.total`: the query runs inside that "
            "property, in `shop/models.py`, on the line that reads `self.lines.all()`.",
        ),
    ),
]
