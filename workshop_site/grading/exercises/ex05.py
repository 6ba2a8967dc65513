"""Lesson 05 (composing queryset methods): a page's loading strategy in one method.

Each exercise is on a page the lesson did not show:

- 05.1 writes ``optimize_for_list()`` for a page with a chain of relations (orders →
  lines → listing → product → brand); the shop's own ``optimize_for_history()`` stops at
  the product, so reusing it leaves an N+1 on the brand.
- 05.2 writes ``with_activity()`` for the support team's customer list: each customer's
  city, orders and reviews, counted by the database in one query. Two ``Count`` over two
  relations to many rows multiply each other (the lesson's trap, on products; here on
  customers, whose orders and reviews the grading data gives both to many of them).
- 05.3 is a diagnosis (checklist item 3, the Debug Toolbar used by everyone): which page
  of the shop's guide runs the most queries, and which relation repeats on it. The worst
  page is not the lesson's product list: a category's page shows twice as many cards.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling, WorstPage
from workshop_site.shop.models import Customer, Listing, Order

__all__ = [
    "EXERCISES",
    "Shipment",
    "guide_pages",
    "shipments",
]

# -- the exercises' pages (their data: what each page shows) ---------------------------


class Shipment(NamedTuple):
    """One order on the warehouse's "orders to ship" page (exercise 05.1)."""

    order: int
    customer: str
    city: str
    lines: tuple[tuple[int, str, str, str], ...]  # quantity, product, brand, grade
    total: Decimal


def shipments(orders: Iterable[Order]) -> list[Shipment]:
    """The "orders to ship" page: each order's customer and city, its lines with their
    listing's product, brand and grade, and its total (``Order.total`` reads the lines)."""
    return [
        Shipment(
            order=order.pk,
            customer=order.customer.name,
            city=order.customer.address.city,
            lines=tuple(
                sorted(
                    (
                        line.quantity,
                        line.listing.product.title,
                        line.listing.product.brand.name,
                        line.listing.get_grade_display(),
                    )
                    for line in order.lines.all()
                )
            ),
            total=order.total,
        )
        for order in orders
    ]


def guide_pages() -> list[tuple[str, str]]:
    """The pages of the shop's guide (``/guide/`` on the running site), in their naive
    form, the version the team shipped first: ``[(name, url), ...]`` (exercise 05.3)."""
    from workshop_site.shop.views_guide import page_pairs

    return [(name, naive) for name, naive, _ in page_pairs()]


# -- the references -------------------------------------------------------------------


EXERCISES = [
    Exercise(
        id="05.1",
        title="optimize_for_list() for the orders to ship",
        returns=list,
        expects="a list of Shipment rows (the page's `shipments(orders)`), one per paid order",
        rows=Rows("paid orders", lambda: Order.objects.filter(status=Order.Status.PAID).count()),
        checks=(
            Result(ordered=True),  # the page lists them newest first
            Scaling(),
            Budget(
                queries=2,
                fix=(
                    "Two queries are enough: the orders with their customer and address "
                    "(JOINs), then the lines with their listing, product and brand (one "
                    "`Prefetch` whose queryset joins them)."
                ),
            ),
        ),
        hints=(
            "Record `orders_to_ship_naive()` with `lab.queries()`: which relations does "
            "the page read per order, and per line?",
            "Per order: `order.customer.address` (foreign keys: JOIN them) and `order.lines` "
            "(many rows: prefetch). Per line: `line.listing.product.brand`, foreign keys "
            "again — join them inside the prefetch.",
            '`self.select_related("customer__address").prefetch_related(Prefetch("lines", '
            'OrderLine.objects.select_related("listing__product__brand")))`.',
        ),
    ),
    Exercise(
        id="05.2",
        title="The support team's customer list, counted by the database",
        returns=list,
        expects="a list of (name, city, orders, reviews) tuples, one per customer by id",
        rows=Rows("customers", lambda: Customer.objects.count()),
        checks=(
            Result(
                ordered=True,  # "one per customer by id"
                advice=(
                    "Compare a customer's counts with `customer.orders.count()` and "
                    "`customer.reviews.count()`: which ones are wrong, and by how much?"
                ),
            ),
            Scaling(),
            Budget(
                queries=1,
                advice="One query is enough: the counts must come with the customers' own query.",
                fix=(
                    "The address is a JOIN (`select_related`), and the database counts each "
                    "customer's orders and reviews in the same query (`annotate`)."
                ),
            ),
        ),
        hints=(
            "Record `support_list_naive()` with `lab.queries()`: three groups of similar "
            "queries, one per relation read per customer.",
            "The city is a foreign key away: `select_related`. The counts are aggregates: "
            "`annotate(...)` with `Count`. Two `Count`s over two relations to many rows "
            "count every (order, review) pair: check a customer with both.",
            '`self.select_related("address").annotate(order_count=Count("orders", '
            'distinct=True), review_count=Count("reviews", distinct=True))`, or one '
            "subquery per count (lesson 05, section 5).",
        ),
    ),
    Exercise(
        id="05.3",
        title="The worst page of the shop, and its cause",
        expects='the page\'s name and the relation, e.g. ("Home", "Category.children")',
        checks=(WorstPage(pages=guide_pages),),
        rows=Rows("listings", lambda: Listing.objects.count()),
        sizes=(100, 300),
        time_limit=10.0,
        hints=(
            "Open each page of `pages` (the toolbar's SQL panel on `make site`, or "
            "`client.get(url)` inside `lab.queries()` here) and write down its number of "
            "queries: the worst is the largest, at every size.",
            "On the worst page, the largest group of similar queries loads one relation per "
            "row: `lab.diagnose(q)` names it as `Model.field`.",
            "It is not the lesson's product list: the category page shows 20 cards per page "
            "(the list 10), each loading `Listing.product`, `Product.brand`, "
            "`Product.images` and `Product.categories` one query at a time.",
        ),
    ),
]
