"""Lesson 06 (loading less): an export that does not build model instances, and a list
page that does not select the description. Both on code the lesson did not show.

06.1 exports every order line (order, date, customer, product, quantity, unit price): four
tables away from the line, through foreign keys. The naive export joins them with
``select_related`` (one query, nothing grows) and so loads every product's kilobytes of
description, once per line. It is graded on memory: the learner's export and the
reference run in the same check under tracemalloc, and the peak may be at most 3× the
reference's. ``values_list`` (or ``values``) with ``"listing__product__title"`` and
friends passes; model instances with their descriptions need many times more
(tests/test_ex06.py measures the ratio at both grading sizes: it grows with the rows).

06.2 returns a queryset the page renders (``use``); the grader reads the SELECT list of
every query for ``shop_product.description``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.template import Context, Template

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, MemoryRatio, Result, Scaling, Shape
from workshop_site.shop.models import OrderLine, Product

__all__ = ["CATALOGUE_TEMPLATE", "EXERCISES", "catalogue_page"]

#: The catalogue page (exercise 06.2): every public product, linked to its page, with its
#: brand.
CATALOGUE_TEMPLATE = (
    "{% for product in products %}"
    '<li><a href="{{ product.get_absolute_url }}">{{ product.title }}</a> '
    "· {{ product.brand.name }}</li>\n"
    "{% endfor %}"
)


def catalogue_page(products: Iterable[Product]) -> list[str]:
    """The catalogue page rendered from ``products``, one line per product."""
    return Template(CATALOGUE_TEMPLATE).render(Context({"products": products})).splitlines()


def _empty_fields(expected: object, got: object) -> bool:
    """Does the page show an empty link or brand (what the template makes of a dict)?"""
    lines = got if isinstance(got, list) else []
    return any('href=""' in str(line) or str(line).rstrip().endswith("· </li>") for line in lines)


EXERCISES = [
    Exercise(
        id="06.1",
        title="The accounting export of every order line",
        returns=str,
        expects="the CSV text (a str), header line first, one line per order line by id",
        rows=Rows("order lines", lambda: OrderLine.objects.count()),
        time_limit=10.0,  # the naive export builds five model instances per line
        checks=(
            Result(),
            Scaling(),
            Budget(queries=1),
            MemoryRatio(
                at_most=3,
                advice=(
                    "Look at the SQL's column list: what does each row bring, for the 6 "
                    "values a line of the CSV writes?"
                ),
                fix=(
                    "An export needs 6 values per line, not a model instance per line, "
                    "order, customer, listing and product (each product with its kilobytes "
                    "of description): `values_list(...)` (or `values(...)`) follows foreign "
                    'keys with `__`: `"order__customer__name"`.'
                ),
            ),
        ),
        hints=(
            "Measure the naive export with `lab.compare({...}, memory=True)`, then read the "
            "column list of its query (`lab.columns_of(q[0].sql)`): which columns does the "
            "CSV never write?",
            "The CSV needs 6 values per line. `values_list` returns exactly those, as "
            "tuples, and `__` crosses each foreign key in the same query.",
            'OrderLine.objects.order_by("id").values_list("order_id", "order__created_at", '
            '"order__customer__name", "listing__product__title", "quantity", "unit_price"), '
            "then `created.date().isoformat()` for the date.",
        ),
    ),
    Exercise(
        id="06.2",
        title="The catalogue page without the descriptions",
        returns=QuerySet,
        expects="a queryset of the public products, for the catalogue page",
        use=catalogue_page,
        rows=Rows("public products", lambda: Product.objects.public().count()),
        checks=(
            Result(
                advice=(
                    "Empty links or brand names: a dict from `values()` has no "
                    "`get_absolute_url` and no `brand.name`, and the template renders "
                    "what it cannot find as nothing."
                ),
                fix="Keep model instances: `only(...)`.",
                advice_when=_empty_fields,
            ),
            Scaling(),
            Budget(queries=1),
            Shape(
                not_selected=("shop_product.description",),
                advice="The page shows the title, the link (`get_absolute_url` reads "
                "`slug`) and the brand's name.",
                fix="`only(...)` those, or `defer` the description.",
            ),
        ),
        hints=(
            "Run `catalogue_page(...)` on the naive queryset inside `lab.queries()` and "
            "read the first query's column list: what does the page never show?",
            "`only()` keeps model instances, so `get_absolute_url` still works, but it "
            'needs `slug`. With `select_related("brand")`, `only()` must keep the brand '
            'too: `"brand__name"` does.',
            '`.select_related("brand").only("title", "slug", "brand__name")` '
            '(or `.defer("description")`).',
        ),
    ),
]
