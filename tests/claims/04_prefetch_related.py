"""Notebook 04's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py).

What its prose says about Django without a cell of its own (the parameter limits, the
batches Django makes, ``.exclude()``) is in tests/test_lessons_prefetch.py."""

from claims import AT_END, Answers, Claim

#: Run once, after the first cell (after HELPERS: _count, _rows, _growth): helpers the
#: checks below use.
SETUP = """
import math as _math
from collections import Counter as _Counter


def _raises(fn, kind):
    try:
        fn()
    except kind:
        return True
    return False


def _joined_rows(*relations):
    # What a LEFT JOIN of every product with these relations returns: one row per
    # combination of related rows, and a product with none of one kept once.
    from workshop_site.shop.models import Product, ProductImage, Review

    per = {
        "images": _Counter(ProductImage.objects.values_list("product_id", flat=True)),
        "reviews": _Counter(Review.objects.values_list("product_id", flat=True)),
        "categories": _Counter(
            Product.categories.through.objects.values_list("product_id", flat=True)
        ),
    }
    return sum(
        _math.prod(max(1, per[name][pk]) for name in relations)
        for pk in Product.objects.values_list("pk", flat=True)
    )
"""

CLAIMS = {
    "menu-naive": [
        Claim(
            "one per pizza",
            "len(naive_log) == 1 + Pizza.objects.count() == 1 + len(naive_menu)",
            show="len(naive_log), Pizza.objects.count()",
        ),
        Claim(
            "all join the through table `shop_pizza_toppings`",
            "[f.relation for f in lab.diagnose(naive_log)] == ['Pizza.toppings']"
            " and all('shop_pizza_toppings' in q.sql for q in naive_log[1:])",
            show="lab.diagnose(naive_log)",
        ),
    ],
    "join": [
        Claim(
            "`select_related` follows only relations to **one** row",
            "_raises(lambda: Pizza.objects.select_related('toppings').first(), FieldError)",
        ),
        Claim(
            "each pizza comes back **once per topping**",
            "len(joined) == Pizza.toppings.through.objects.count() > Pizza.objects.count()",
            show="len(joined), Pizza.toppings.through.objects.count()",
        ),
    ],
    "explosion": [
        Claim(
            "Every relation you add multiplies the rows again",
            "Product.objects.count() < explosion[1] < explosion[2] < explosion[3]"
            " and explosion[3] == _joined_rows('images', 'categories', 'reviews')",
            show="explosion",
        ),
        Claim(
            "once per combination of its images, categories and reviews",
            "explosion[2] == _joined_rows('images', 'categories')"
            " and explosion[1] == _joined_rows('images')",
            show="explosion",
        ),
    ],
    "menu-fixed": [
        Claim(
            "then **one** query for the toppings of all those pizzas at once",
            "fixed_menu == naive_menu and len(menu_log) == 2 and ' IN (' in menu_log[1].sql",
            show="len(menu_log)",
        ),
    ],
    "gallery": [
        Claim(
            "Measured on shops of 10, 100 and 300 products",
            "_rows(gallery_runs, 'naive', 'rows')[0] == [10, 100, 300]",
        ),
        Claim(
            "One query per product naive; two at every size with `prefetch_related`",
            "_rows(gallery_runs, 'naive', 'queries')[1] == [11, 101, 301]"
            " and _rows(gallery_runs, 'prefetch_related', 'queries')[1] == [2, 2, 2]"
            " and gallery_runs.matches_first.all()",
            show="gallery_runs[['variant', 'rows', 'queries']]",
        ),
        Claim(
            "Both times grow with the products",
            "all(_rows(gallery_runs, v, 'wall_time_ms')[1][-1]"
            " > _rows(gallery_runs, v, 'wall_time_ms')[1][0] for v in versions)",
            show="gallery_runs[['variant', 'rows', 'wall_time_ms']]",
        ),
        Claim(
            "the naive one far more steeply",
            "_growth(*_rows(gallery_runs, 'naive', 'wall_time_ms')).per_row"
            " > 3 * _growth(*_rows(gallery_runs, 'prefetch_related', 'wall_time_ms')).per_row",
            show="gallery_runs[['variant', 'rows', 'wall_time_ms']]",
        ),
    ],
    "latency": [
        Claim(
            "pays the round trip once per product",
            "at_200.loc['naive', 'queries'] == 201"
            " and at_200.loc['naive', 'wall_time_ms'] >= 201 * 2",
            show="at_200",
        ),
        Claim(
            "the prefetch pays it twice",
            "at_200.loc['prefetch_related', 'queries'] == 2"
            " and at_200.loc['prefetch_related', 'wall_time_ms']"
            " < at_200.loc['naive', 'wall_time_ms'] / 5",
            show="at_200",
        ),
    ],
    "trap": [
        Claim(
            "then every `p.reviews.filter(...)` ran a query of its own",
            "len(trap_log) == 2 + 50 and ' IN (' in trap_log[1].sql",
            show="len(trap_log)",
        ),
        Claim(
            "The fix moves the filter into the prefetch",
            "[f.kind for f in lab.diagnose(trap_log)] == ['prefetch_filtered']",
            show="lab.diagnose(trap_log)",
        ),
    ],
    "good": [
        Claim(
            "an attribute that receives a plain list",
            "fixed_good == trapped and len(good_log) == 2"
            ' and \'"shop_review"."rating" >= \' in good_log[1].sql'
            " and all(isinstance(p.good, list) for p in page.prefetch_related("
            "Prefetch('reviews', queryset=Review.objects.filter(rating__gte=4), to_attr='good')))",
            show="len(good_log)",
        ),
    ],
    "authors": [
        Claim(
            "leaves `review.customer`, a foreign key of each review, loaded one by one",
            "len(author_logs['reviews']) == 2 + Review.objects.filter("
            "product__in=list(page.values_list('pk', flat=True))).count()",
            show="len(author_logs['reviews'])",
        ),
        Claim(
            "(`reviews__customer`: one more query)",
            "len(author_logs['reviews__customer']) == 3",
        ),
        Claim(
            "load the reviews **with** their customer, joined",
            "len(author_logs['Prefetch + select_related']) == 2"
            " and 'INNER JOIN \"shop_customer\"'"
            " in author_logs['Prefetch + select_related'][1].sql",
        ),
    ],
    "iterator": [
        Claim(
            "With a prefetch it needs a `chunk_size`",
            "_raises(lambda: next(streamed.iterator()), ValueError)",
        ),
        Claim(
            "Django prefetches chunk by chunk",
            "chunked == gallery()"
            " and len(chunk_log) == 1 + _math.ceil(Product.objects.count() / 250)"
            " and all(len(q.params) <= 250 for q in chunk_log[1:])",
            show="len(chunk_log), [len(q.params) for q in chunk_log]",
        ),
    ],
    "memory": [
        Claim(
            "when the database could count them",
            "memory.loc['annotate(Count)', 'queries'] == 1"
            " and memory.loc['prefetch_related', 'queries'] == 2"
            " and memory.matches_first.all()",
            show="memory",
        ),
        Claim(
            "A prefetch turns **every** related row into a Python object",
            "memory.loc['prefetch_related', 'peak_memory_kb']"
            " > 2 * memory.loc['annotate(Count)', 'peak_memory_kb']",
            show="memory.peak_memory_kb",
        ),
    ],
    "in-lists": [
        Claim(
            "One query whatever the number of parents",
            "[(n, count, ids) for n, count, ids, *_ in in_lists]"
            " == [(n, 1, n) for n in (500, 1_000, 2_000, 4_000)]",
            show="in_lists",
        ),
        Claim(
            "its time grows with them",
            "in_lists[-1][3] > 2 * in_lists[0][3]",
            show="[(n, wall) for n, _, _, wall, _ in in_lists]",
        ),
    ],
    "batches": [
        Claim(
            "SQLite's limit is set when it is compiled, printed below",
            "connection.vendor != 'sqlite' or limit == connection.connection.getlimit("
            "__import__('sqlite3').SQLITE_LIMIT_VARIABLE_NUMBER)",
        ),
        Claim(
            "prefetch in **batches**",
            "[len(q.params) for q in batch_log] == [1_500, 1_500, 1_000]"
            " and found == reviews_of(4_000) == Review.objects.count()",
            show="[len(q.params) for q in batch_log], found",
        ),
    ],
    AT_END: [
        Claim(
            "and `select_related` adds none",
            "_count(product_cards) == 1 + 3",
            show="_count(product_cards)",
        ),
    ],
}

ANSWERS = {
    "04.a": Answers(right="guess = 101", wrong="guess = 2"),
    "04.b": Answers(right="guess = 4", wrong="guess = 5"),
    "04.c": Answers(
        right='orders = Order.objects.filter(status="pending").prefetch_related("lines")'
        '.order_by("id")',
        wrong='orders = Order.objects.filter(status="pending").select_related("lines")'
        '.order_by("id")',
    ),
    "04.d": Answers(
        right='reviews = Prefetch("reviews", queryset=Review.objects.order_by("-created_at", '
        '"-id"), to_attr="latest")'
    ),
    "04.e": Answers(right="guess = 3", wrong="guess = 2"),
    "04.f": Answers(right="guess = 4", wrong="guess = 3"),
}
