"""Notebook 01's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

#: Run once, after the first cell: helpers the checks below use.
SETUP = """
from workshop_site.lab.plots import growth as _growth


def _rows(frame, variant, column):
    rows = frame[frame.variant == variant].sort_values("rows")
    return rows["rows"].tolist(), rows[column].tolist()
"""

CLAIMS = {
    "titles": [
        Claim(
            "One query for the listings, then one more for **each** listing's product",
            "len(titles) == 20 and len(q) == 21"
            " and [f.relation for f in lab.diagnose(q)] == ['Listing.product']",
            show="len(titles), len(q), lab.diagnose(q)",
        ),
    ],
    "findings": [
        Claim(
            "the relation, the number of queries, the line and the fix",
            "lab.diagnose(q)[0].count == 20 and lab.diagnose(q)[0].source is not None"
            " and str(lab.diagnose(q)[0].fix) == 'select_related(\"product\")'",
            show="lab.diagnose(q)",
        ),
    ],
    "scale": [
        Claim(
            "The naive variant runs one query per listing",
            "_growth(*_rows(df, 'naive', 'queries')).kind == 'linear' and all(df.matches_first)",
            show="df[['variant', 'rows', 'queries']]",
        ),
        Claim(
            "the query count stays at one, whatever the size",
            "_rows(df, 'select_related', 'queries') == ([10, 100, 400], [1, 1, 1])",
        ),
        Claim(
            # A fitted shape is not asserted: at 10-400 rows the fixed cost of a query
            # bends the curve (fitted as linear on one run, as a power of 0.73 on another).
            "Its time grows too",
            "_rows(df, 'select_related', 'wall_time_ms')[1][-1]"
            " > _rows(df, 'select_related', 'wall_time_ms')[1][0]",
            show="_rows(df, 'select_related', 'wall_time_ms')",
        ),
        Claim(
            "but far less steeply",
            "_growth(*_rows(df, 'naive', 'wall_time_ms')).per_row"
            " > 5 * _growth(*_rows(df, 'select_related', 'wall_time_ms')).per_row",
            show="df[['variant', 'rows', 'wall_time_ms']]",
        ),
    ],
    "latency-rows": [
        Claim(
            "The N+1 pays the round trip once per row",
            "worst.wall_time_ms >= worst.queries * 1.0 and worst.queries > 300"
            " and best.queries == 1",
            show="worst.queries, worst.wall_time_ms, best.queries",
        ),
        Claim(
            "see how much of its time is now database time",
            "worst.db_time_ms / worst.wall_time_ms > best.db_time_ms / best.wall_time_ms",
            show="worst.db_time_ms, worst.wall_time_ms, best.db_time_ms, best.wall_time_ms",
        ),
    ],
}

ANSWERS = {
    "01.a": Answers(right="guess = 21", wrong="guess = 1"),
    "01.b": Answers(right='guess = "customer"', wrong='guess = "product"'),
    "01.c": Answers(right="guess = 1", wrong="guess = 301"),
}
