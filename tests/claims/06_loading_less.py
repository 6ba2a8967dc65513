"""Notebook 06's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import AT_END, Answers, Claim

#: Run once, after the first cell: helpers the checks below use.
SETUP = """
def _rung(name, column):
    return ladder.set_index("variant")[column][name]
"""

CLAIMS = {
    AT_END: [
        Claim("the shop's 1,000 products", "Product.objects.count() == 1000"),
    ],
    "weight": [
        Claim(
            "The description is marketing text of several kilobytes",
            "lengths['description'] > 1000 and lengths['description'] > 100 * lengths['title']",
            show="lengths",
        ),
    ],
    "ladder": [
        Claim(
            "The naive loop pays a query per product for its brand",
            "_rung('naive', 'queries') == 300 + 1",
            show="ladder",
        ),
        Claim(
            "`select_related` makes it one query",
            "[_rung(name, 'queries') for name in ('select_related', '+ only', 'values_list')]"
            " == [1, 1, 1] and ladder.matches_first.all()",
            show="ladder",
        ),
        Claim(
            "`values_list()` builds tuples, and is the fastest",
            "_rung('values_list', 'x_fastest') == 1.0"
            " and _rung('values_list', 'peak_memory_kb') == ladder.peak_memory_kb.min()",
            show="ladder",
        ),
        Claim(
            'which adds "× the fastest"',
            "list(ladder.columns).count('x_fastest') == 1 and _rung('naive', 'x_fastest') > 5",
            show="ladder",
        ),
    ],
    "columns": [
        Claim(
            "but each row still carries the description",
            "'shop_product.description'"
            " in lab.selected_columns(Product.objects.select_related('brand'))",
        ),
        Claim(
            "`only()` drops it",
            "'shop_product.description' not in lab.selected_columns("
            "Product.objects.select_related('brand').only('title', 'brand__name'))",
        ),
    ],
    "deferred": [
        Claim(
            "one query per product for its `description`",
            "[(f.relation, f.count) for f in lab.diagnose(deferred_log)]"
            " == [('Product.description', 20)] and len(deferred_log) == 21",
            show="lab.diagnose(deferred_log)",
        ),
    ],
    "peers": [
        Claim(
            "the first read fetches the field for every object of the queryset",
            "peer_counts['+ FETCH_PEERS'] == 2",
            show="peer_counts",
        ),
        Claim(
            "`__str__` hides the same trap",
            "peer_counts[\"str() after only('slug')\"] == 21",
            show="peer_counts",
        ),
    ],
    "fk": [
        Claim(
            "Django refuses",
            "refused is not None and 'deferred and traversed' in str(refused)",
            show="refused",
        ),
    ],
    "links": [
        Claim(
            "In a template that fails **silently**",
            "from_values.count('href=\"\"') == 2 and from_only.count('href=\"/products/') == 2",
            show="from_values, from_only",
        ),
    ],
}

ANSWERS = {
    "06.a": Answers(right="guess = 2", wrong="guess = 7"),
    "06.b": Answers(right="guess = 1001", wrong="guess = 1"),
    "06.c": Answers(
        right='products = Product.objects.only("title", "description").order_by("id")[:20]'
    ),
    "06.d": Answers(right="guess = 21", wrong="guess = 1"),
}
