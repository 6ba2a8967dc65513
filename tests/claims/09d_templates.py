"""Notebook 09d's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

CLAIMS = {
    "template-queries": [
        Claim(
            "One way to write it",
            "naive_html == fixed_html and len(fixed_log) == 2 and len(template_log) > 100",
            show="len(template_log), len(fixed_log)",
        ),
    ],
    "split": [
        Claim(
            "On SQLite, the course's database, the naive version spends more time in Python",
            "__import__('django.db').db.connection.vendor != 'sqlite'"
            " or split.loc['naive queryset', 'python_ms'] > split.loc['naive queryset', 'db_ms']",
            show="split",
        ),
    ],
    "catalogue": [
        Claim(
            "Three\ntemplates produce the same page",
            "templates.same_html(pages['include per card'](), pages['filters applied once']())",
        ),
        Claim(
            "The filters dominate",
            "3 * costs.set_index('template')['ms']['filters applied once']"
            " < costs.set_index('template')['ms']['inline card'] and len(card_log) == 0",
            show="costs",
        ),
    ],
    "includes": [
        Claim(
            "An `{% include %}`\nin a loop has its own cost",
            "lines_cost['include_us'] > lines_cost['inline_us']",
            show="lines_cost",
        ),
    ],
    "loader": [
        Claim(
            "every request would pay the compile time again",
            "loader['uncached_ms'] > 10 * loader['cached_ms']",
            show="loader",
        ),
    ],
    "fragment": [
        Claim(
            "The hit runs no query",
            "fragment['queries'].iloc[1] == 0 and fragment['queries'].iloc[0] > 100",
            show="fragment",
        ),
    ],
}

ANSWERS = {
    "09d.a": Answers(
        right='orders = pending_page().select_related("customer")'
        '.prefetch_related("lines__listing__product")',
        wrong='orders = pending_page().select_related("customer")',
    ),
    "09d.b": Answers(right="guess = 0", wrong="guess = 1"),
}
