"""Notebook 00's claims, checked in its kernel right after the cell that computes them,
and its activity's right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

CLAIMS = {
    "boot": [
        Claim(
            "It prints how long it took, and how many rows each table has",
            "'Shop ready in' in repr(shop) and f'{shop.seconds:.2f} s' in repr(shop)"
            " and all(f'{count:>8,}' in repr(shop) for count in shop.rows.values())",
            show="repr(shop)",
        ),
    ],
    "first-query": [
        Claim(
            "One `SELECT COUNT(*)` for `count()`, one `SELECT ... LIMIT 3` for the slice",
            "len(q) == 2 and 'COUNT(*)' in q[0].sql and 'LIMIT 3' in q[1].sql",
            show="[query.sql for query in q]",
        ),
    ],
}

ANSWERS = {
    "00.a": Answers(right="guess = 2", wrong="guess = 1"),
}
