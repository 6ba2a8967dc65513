"""Lesson 07 (tests that pin performance): the learner writes the test.

07.1 and 07.2: the learner's function is a test taking the code under test as its one
argument. The check kind :class:`TellsNaiveFromFixed` runs it on the naive and on the
fixed version (below; lesson 07 shows neither): it must fail on the first and pass on the
second. 07.3: the learner's test records a page with django-perf-rec into the file it is
given; :class:`PinsPageWithRecord` checks the record, then adds a query to the page.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import PinsPageWithRecord, TellsNaiveFromFixed
from workshop_site.shop.models import Brand, OrderLine, Product

# -- the code the learner's tests are run against: naive and fixed, the same result -------

# 07.1: a brand's range, each product with its categories (a many-to-many relation)


def brand_range_naive(brand: Brand) -> list[tuple[str, list[str]]]:
    """1 + N queries: the brand's products, then each product's categories."""
    products = brand.products.order_by("title", "id")
    return [(p.title, sorted(c.name for c in p.categories.all())) for p in products]


def brand_range(brand: Brand) -> list[tuple[str, list[str]]]:
    """2 queries, whatever the number of products: every product's categories in one more."""
    products = Product.objects.filter(brand=brand).prefetch_related("categories")
    products = products.order_by("title", "id")
    return [(p.title, sorted(c.name for c in p.categories.all())) for p in products]


# 07.2: an order's packing list, by the order's id (two hops: listing, then product)


def packing_list_naive(order_id: int) -> list[str]:
    """1 + 2N queries: the lines, then each line's listing and its product."""
    lines = OrderLine.objects.filter(order_id=order_id).order_by("id")
    return [f"{line.quantity} × {line.listing.product.title}" for line in lines]


def packing_list(order_id: int) -> list[str]:
    """1 query: each line's listing and product come in the same row, with two JOINs."""
    lines = OrderLine.objects.filter(order_id=order_id).select_related("listing__product")
    return [f"{line.quantity} × {line.listing.product.title}" for line in lines.order_by("id")]


# -- the exercises -------------------------------------------------------------------------


EXERCISES = [
    Exercise(
        id="07.1",
        title="A test that catches the N+1 in a brand's range",
        rows=Rows("products", lambda: Product.objects.count()),
        read_only=False,  # a test builds its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=brand_range_naive,
                fixed=brand_range,
                name="brand_range",
                data="a brand with products",
                advice="`FETCH_RAISE` cannot see this one: `p.categories.all()` is a related "
                "manager, and fetch modes do not cover those.",
            ),
        ),
        hints=(
            "Start like the talk's test: a brand, and `with lab.queries() as q: "
            "brand_range(brand)`. How many queries? Does the naive version run the same number "
            "on a brand with one product?",
            "`add_listings(count=20)` adds 20 products, all of the first brand "
            '(`Brand.objects.order_by("id").first()`): count on that brand, add them, count '
            "again.",
            "`assert_queries_flat(lambda: brand_range(brand), grow=add_listings, queries=2)` "
            "(from `workshop_site.perf_testing`) does both counts in one line.",
        ),
    ),
    Exercise(
        id="07.2",
        title="A test that forbids the packing list's lazy loads",
        rows=Rows("order lines", lambda: OrderLine.objects.count()),
        read_only=False,  # a test may build its own rows (rolled back with the rest)
        checks=(
            TellsNaiveFromFixed(
                naive=packing_list_naive,
                fixed=packing_list,
                name="packing_list",
                data="an order that has lines",
                failing=("FieldFetchBlocked",),
                advice="`packing_list` takes an order's id and builds its own queryset: there "
                "is no object of yours for a fetch mode to follow.",
            ),
        ),
        hints=(
            "The function loads the lines itself, from an id: handing it an object loaded with "
            "`FETCH_RAISE` is not possible here. What makes every queryset created in a block "
            "raise on a lazy load?",
            "`with forbid_lazy_loads(): packing_list(order_id)` (from "
            "`workshop_site.perf_testing`), on an order that has lines.",
            'An order with lines: `Order.objects.filter(lines__isnull=False).order_by("id")'
            ".first()`. Code that loops over nothing reads nothing lazily.",
        ),
    ),
    Exercise(
        id="07.3",
        title="Pin the category page with a django-perf-rec record",
        rows=Rows("products", lambda: Product.objects.count()),
        checks=(PinsPageWithRecord(url_name="shop:category", marker='"shop_category"."slug"'),),
        hints=(
            "A record is made by running the page inside `with django_perf_rec.record("
            "record_name=..., path=...):`; the first run writes the file, the next ones compare.",
            "Write into the file you are given: `path=str(record_file)`, and request the page "
            'with a test `Client()`: `reverse("shop:category", kwargs={"slug": ...})`.',
            "Leave `PERF_REC` alone in the test: in `overwrite` mode a record never fails, so it "
            "pins nothing.",
        ),
    ),
]
