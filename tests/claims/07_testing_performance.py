"""Notebook 07's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

CLAIMS = {
    "one-order": [
        Claim(
            "9 queries for one order", "one_order == {'optimized': 3, 'naive': 9}", show="one_order"
        ),
    ],
    "one-size": [
        Claim("Both pass.", "one_size.wasSuccessful()", show="one_size.report()"),
    ],
    "summaries-counts": [
        Claim(
            "With one order the naive and the fixed versions both run 2 queries",
            "summary_counts[1, 'order_summaries_naive'] == 2"
            " and summary_counts[1, 'order_summaries'] == 2",
            show="summary_counts",
        ),
        Claim(
            "With 21 orders the naive version runs 22",
            "summary_counts[21, 'order_summaries_naive'] == 22"
            " and summary_counts[21, 'order_summaries'] == 2",
            show="summary_counts",
        ),
    ],
    "two-sizes": [
        Claim(
            "The fixed version passes. The naive one, which passed the one-size test, fails now",
            "[outcome for _, outcome, _ in two_sizes.outcomes] == ['ok', 'FAIL']",
            show="two_sizes.report()",
        ),
    ],
    "history-pin": [
        Claim(
            "Caught, with the relation to load and where",
            "pinned.wasSuccessful() and not regressed.wasSuccessful()",
            show="regressed.report()",
        ),
    ],
    "fetch-raise": [
        Claim(
            "reads `review.customer` for each review",
            "'Review.customer' in blocked",
            show="blocked",
        ),
    ],
    "strict-pages": [
        Claim(
            "The naive page stops at its first lazy load — `customer.address`",
            "[o for _, o, _ in strict_pages.outcomes] == ['ERROR', 'ok']"
            " and 'Customer.address' in str(strict_pages.outcomes[0][2])",
            show="strict_pages.report()",
        ),
    ],
    "slips-through": [
        Claim(
            "`FETCH_RAISE` lets it through",
            "len(summaries) == 5 and len(log) == 1 + len(summaries)",
            show="len(summaries), len(log)",
        ),
    ],
    "record": [
        Claim(
            "Three queries, as notebook 05 promised", "recorded.count('db:') == 3", show="recorded"
        ),
    ],
    "record-regressed": [
        Claim(
            "one per listing on the page",
            "len(log) > 3 and records.read_text() == recorded",
            show="len(log)",
        ),
    ],
    "record-rewritten": [
        Claim(
            "The record now lists the categories before the images",
            "(lambda text: text.index('shop_category') < text.index('shop_productimage'))"
            "(records.read_text())",
            show="records.read_text()",
        ),
    ],
}

ANSWERS = {
    "07.a": Answers(right="guess = 22", wrong="guess = 2"),
    "07.b": Answers(right='guess = "fail"', wrong='guess = "pass"'),
    "07.c": Answers(right="guess = 12", wrong="guess = 3"),
    "07.d": Answers(right='guess = "Customer.address"', wrong='guess = "Order.customer"'),
}
