"""Notebook 03's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

CLAIMS = {
    "letters-naive": [
        Claim("**1 + N**", "len(q) == Customer.objects.count() + 1", show="len(q)"),
        Claim("letter with their address", "len(letters) == Customer.objects.count()"),
        Claim(
            "the one that reads `customer.address`",
            "[f.relation for f in lab.diagnose(q)] == ['Customer.address']",
            show="lab.diagnose(q)",
        ),
        Claim(
            "It names the relation and the fix",
            "str(lab.diagnose(q)[0].fix) == 'select_related(\"address\")'",
        ),
    ],
    "letters-fixed": [
        Claim("Only the queryset changes", "fixed_letters == letters"),
        Claim(
            "One `SELECT` with an `INNER JOIN` on the address table",
            "len(fixed_log) == 1 and 'INNER JOIN \"shop_address\"' in fixed_log[0].sql",
        ),
    ],
    "letters-scale": [
        Claim(
            "The naive count climbs one query per customer",
            "_rows(scale, 'naive', 'queries') == ([10, 100, 1000], [11, 101, 1001])",
            show="_rows(scale, 'naive', 'queries')",
        ),
        Claim(
            "`select_related` stays at one",
            "_rows(scale, 'select_related', 'queries')[1] == [1, 1, 1]",
        ),
        Claim(
            "Its time grows with the customers too",
            "_rows(scale, 'select_related', 'wall_time_ms')[1][-1]"
            " > _rows(scale, 'select_related', 'wall_time_ms')[1][0]",
            show="_rows(scale, 'select_related', 'wall_time_ms')",
        ),
        Claim(
            "but far less steeply",
            "_growth(*_rows(scale, 'naive', 'wall_time_ms')).per_row"
            " > 5 * _growth(*_rows(scale, 'select_related', 'wall_time_ms')).per_row",
            show="scale[['variant', 'rows', 'wall_time_ms']]",
        ),
        Claim(
            "each curve labelled with its measured growth",
            "_growth(*_rows(scale, 'naive', 'queries')).kind == 'linear'"
            " and _growth(*_rows(scale, 'select_related', 'queries')).kind == 'flat'",
        ),
    ],
    "price-list": [
        Claim("the page is **1 + 2N**", "len(hops['naive']) == 1 + 2 * 50"),
        Claim("leaves **1 + N**", "len(hops['one hop']) == 1 + 50"),
        Claim(
            "with two JOINs, in one query",
            "len(hops['both hops']) == 1 and hops['both hops'][0].sql.count('INNER JOIN') == 2",
        ),
    ],
    "latency": [
        Claim("pays the round trip once per customer", "slowest / 300 >= 1.0", show="slowest"),
        Claim(
            "`select_related` pays it once",
            "_rows(remote, 'select_related', 'queries')[1] == [1, 1, 1]"
            " and _rows(remote, 'select_related', 'wall_time_ms')[1][-1] < slowest / 5",
            show="remote[['variant', 'rows', 'queries', 'wall_time_ms']]",
        ),
    ],
    "menu": [
        Claim(
            "then one per category **that has a parent**",
            "len(menu_log) == 1 + with_parent and 0 < with_parent < len(menu)",
            show="len(menu_log), with_parent, len(menu)",
        ),
    ],
    "menu-join": [
        Claim(
            "`LEFT OUTER`: an `INNER JOIN` would drop the categories without a parent",
            "join_of(Category.objects.select_related('parent')) == 'LEFT OUTER'",
        ),
        Claim(
            "and the menu takes one query",
            "_count(lambda: category_menu(Category.objects.select_related('parent')"
            ".order_by('path'))) == 1"
            " and category_menu(Category.objects.select_related('parent').order_by('path'))"
            " == menu",
        ),
    ],
    "everything": [
        Claim(
            "It joins the order, its customer and their address, and the product's brand",
            "set(re.findall(r'JOIN \"(\\w+)\"', str(everything.query))) == {'shop_order',"
            " 'shop_customer', 'shop_address', 'shop_listing', 'shop_product', 'shop_brand'}",
        ),
        Claim(
            "whose packing list only reads each line's product",
            "re.findall(r'JOIN \"(\\w+)\"', str(named.query)) == ['shop_listing', 'shop_product']",
        ),
        Claim(
            "with a `PendingDeprecationWarning`",
            "len(caught) == 1 and issubclass(caught[0].category, PendingDeprecationWarning)"
            " and 'select_related' in str(caught[0].message)",
            show="[(w.category, str(w.message)) for w in caught]",
        ),
        Claim(
            "that Python hides by default",
            "any(action == 'ignore' and category is PendingDeprecationWarning"
            " for action, _, category, _, _ in __import__('warnings').filters)",
        ),
    ],
    "peers": [
        Claim("the N+1 becomes 2 queries", "len(peers_log) == 2 and len(peers) == len(letters)"),
    ],
    "template": [
        Claim(
            "the inspector points at the line that renders",
            "[(f.relation, f.count) for f in lab.diagnose(template_log)]"
            " == [('Review.customer', 20)]",
            show="lab.diagnose(template_log)",
        ),
    ],
}

ANSWERS = {
    "03.a": Answers(right="guess = 1001", wrong="guess = 1"),
    "03.b": Answers(
        right='orders = Order.objects.filter(status="pending").select_related("customer")'
        '.order_by("id")'
    ),
    "03.c": Answers(right="guess = 51", wrong="guess = 1"),
    "03.d": Answers(
        right='reviews = Review.objects.select_related("product__brand").order_by("id")',
        wrong='reviews = Review.objects.select_related("product").order_by("id")',
    ),
    "03.e": Answers(right="guess = 101", wrong="guess = 1"),
    "03.f": Answers(right='guess = "LEFT OUTER"', wrong='guess = "INNER"'),
    "03.g": Answers(right="guess = 6", wrong="guess = 2"),
    "03.h": Answers(right="guess = 3", wrong="guess = 51"),
    "03.i": Answers(right='guess = "address"', wrong='guess = "name"'),
    "03.j": Answers(
        right='low = Listing.objects.filter(stock__lt=3).select_related("product").order_by("id")',
        wrong='low = Listing.objects.filter(stock__lt=3).prefetch_related("product")'
        '.order_by("id")',
    ),
}
