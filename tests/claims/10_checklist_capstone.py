"""Notebook 10's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

CLAIMS = {
    "monitoring": [
        Claim(
            "The table is sorted by server time",
            "stats['total_ms'].is_monotonic_decreasing",
            show="stats['total_ms']",
        ),
    ],
    "alerting": [
        Claim(
            "fires on a bad release and stays quiet\nbefore it",
            "deployed == 100 and rang > deployed and quiet_before",
            show="deployed, rang, quiet_before",
        ),
    ],
    "toolbar": [
        Claim(
            "every query of a page with the line that ran it",
            "max(finding.count for finding in lab.diagnose(page_log)) >= 5",
            show="lab.diagnose(page_log)",
        ),
    ],
    "top-routes": [
        Claim(
            "Count the queries first",
            "top5['queries_per_request_after'].sum() < top5['queries_per_request_before'].sum()",
            show="top5",
        ),
    ],
    "loading-less": [
        Claim("the two columns a list shows", "whole > 3 * two_columns", show="whole, two_columns"),
    ],
    "long-job": [
        Claim(
            "a job's peak memory as\nthe table grows",
            "Order.objects.count() == 5_000 and plain > 3 * streamed",
            show="plain, streamed",
        ),
    ],
    "timeouts": [
        Claim(
            "The local partner lets go after one\nsecond",
            "waited >= 0.9 and bounded < 0.9 and quote.estimated",
            show="waited, bounded, quote",
        ),
    ],
    "pinned": [
        Claim(
            "the page's queries at N orders and at N + 20 must be the same",
            "pinned['shop:order_history_naive'].startswith('fails')"
            " and pinned['shop:order_history'].startswith('passes')",
            show="pinned",
        ),
    ],
    "offloaded": [
        Claim(
            "sent in the request, then queued as tasks",
            "checkout_seconds['shop:checkout_naive'] >= 0.6 and checkout_seconds['shop:checkout']"
            " < checkout_seconds['shop:checkout_naive'] - 0.4",
            show="checkout_seconds",
        ),
    ],
    "mocked": [
        Claim("replayed with the partner stopped", "replayed == live", show="live, replayed"),
    ],
    "assessment": [
        Claim("Nothing is ticked for you", "mine.answered == 0 and len(mine.lines) == 10"),
    ],
    "saved": [
        Claim(
            "`save()` writes it as Markdown",
            "kept.saved_to.read_text(encoding='utf-8') == mine.markdown()",
        ),
    ],
}

ANSWERS = {
    "10.a": Answers(right="guess = 3", wrong="guess = 1"),
    "10.b": Answers(right="guess = 1", wrong="guess = 5"),
    "10.c": Answers(right="guess = False", wrong="guess = True"),
}
