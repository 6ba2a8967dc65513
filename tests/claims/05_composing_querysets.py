"""Notebook 05's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

#: Run once, after the first cell: helpers the checks below use.
SETUP = """
def _rows(frame, variant, column):
    rows = frame[frame.variant == variant].sort_values("rows")
    return rows["rows"].tolist(), rows[column].tolist()


def _one(frame, variant, column):
    return frame[frame.variant == variant][column].iloc[0]
"""

CARD_RELATIONS = ["Listing.product", "Product.brand", "Product.categories", "Product.images"]

CLAIMS = {
    "naive": [
        Claim("**4n + 1**", "len(naive_log) == 4 * 5 + 1", show="len(naive_log)"),
        Claim(
            "Four groups of similar queries, one per relation the card reads",
            f"sorted(f.relation for f in lab.diagnose(naive_log)) == {CARD_RELATIONS!r}",
            show="lab.diagnose(naive_log)",
        ),
    ],
    "fixed": [
        Claim(
            "everything a card shows in **3** queries, whatever the number of cards",
            "len(log) == 3 and optimized == cards_naive(25)",
            show="len(log)",
        ),
    ],
    "scale": [
        Claim(
            "The naive count climbs by four queries per listing",
            "_rows(scale, 'naive', 'queries') == ([10, 30, 100], [41, 121, 401])",
            show="_rows(scale, 'naive', 'queries')",
        ),
        Claim(
            "`optimize_for_list()` stays at 3",
            "_rows(scale, 'optimize_for_list()', 'queries')[1] == [3, 3, 3]"
            " and scale.matches_first.all()",
        ),
    ],
    "chained": [
        Claim("they chain in any order", "len(log) == 3 and chained_cards == cards(25)"),
    ],
    "pages": [
        Claim(
            "record the whole request",
            "page_counts[('/products/naive/', 5)] == 21"
            " and page_counts[('/products/naive/', 25)] == 101"
            " and page_counts[('/products/', 5)] == page_counts[('/products/', 25)] == 3",
            show="page_counts",
        ),
    ],
    "deploy": [
        Claim(
            "One method broke every page built on it, and one test on one page caught it",
            "caught is not None and 'per_page=5: 21 queries' in str(caught)",
            show="caught",
        ),
    ],
    "ratings": [
        Claim(
            "The same ratings in one query instead of three",
            "_one(stats, 'annotate', 'queries') == 1 and _one(stats, 'in Python', 'queries') == 3"
            " and stats.matches_first.all()",
            show="stats",
        ),
        Claim(
            "with no review turned into a Python object",
            "_one(stats, 'annotate', 'peak_memory_kb')"
            " < _one(stats, 'in Python', 'peak_memory_kb') / 3",
            show="stats",
        ),
    ],
    "fixes": [
        Claim(
            "Reviews × images",
            "two_counts.get(pk=product.pk).review_count"
            " == product.reviews.count() * product.images.count() > product.reviews.count()",
        ),
        Claim(
            "Both fixes give the right counts in one query",
            "wrong > 0 and counted_fixes.matches_first.all() and (counted_fixes.queries == 1).all()"
            " and right == fixes['subqueries']()",
            show="wrong, counted_fixes",
        ),
    ],
}

ANSWERS = {
    "05.a": Answers(right="guess = 21", wrong="guess = 6"),
    "05.b": Answers(
        right='listings = Listing.objects.filter(grade="A").optimize_for_list()'
        '.order_by("price", "id")'
    ),
    "05.c": Answers(right="guess = 4", wrong="guess = 3"),
    "05.d": Answers(right="guess = 21", wrong="guess = 3"),
    "05.e": Answers(right="guess = 30", wrong="guess = 6"),
}
