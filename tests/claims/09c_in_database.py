"""Notebook 09c's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

SETUP = """
def _sql(fn):
    with lab.queries() as log:
        fn()
    return [query.sql for query in log]
"""

CLAIMS = {
    "count": [
        Claim(
            "`count()` sends `SELECT COUNT(*)` and gets one number back",
            "len(_sql(pending_count)) == 1 and 'COUNT(*)' in _sql(pending_count)[0]"
            " and pending_count() == pending_count_len()",
        ),
    ],
    "aggregate": [
        Claim(
            "Each pair below returns the same answer",
            "revenue_python() == revenue() and per_status_python() == per_status()",
        ),
    ],
    "restock": [
        Claim(
            '`update()` with `F("stock") + 5` sends one\nstatement',
            "len(update_log) == 1 and len(loop_log) == restocked + 1",
            show="len(loop_log), len(update_log), restocked",
        ),
    ],
    "lost-update": [
        Claim(
            "One sale is lost with `save()`",
            "lost == {'save()': 1, 'F()': 2}",
            show="lost",
        ),
    ],
    "subqueries": [
        Claim(
            "the Python versions run one query per customer",
            "_count(with_pending_python) == Customer.objects.count() + 1"
            " and _count(with_pending) == 1 and with_pending_python() == with_pending()",
        ),
    ],
}

ANSWERS = {
    "09c.a": Answers(right="guess = 1", wrong="guess = 3"),
    "09c.b": Answers(right="guess = 1", wrong="guess = 2"),
    "09c.c": Answers(
        right="return list(Customer.objects.filter(Exists(Review.objects.filter(customer="
        'OuterRef("pk")))).order_by("pk").values_list("pk", flat=True))'
    ),
}
