"""Lesson 06 (loading less): an export that does not build model instances, and a list
page that does not select the description.

06.1 is graded on memory as well: the learner's export and the reference run in the same
check under tracemalloc, and the peak may be at most 3× the reference's. Full model
instances (each with its kilobytes of description) need many times more; ``values_list``
or ``values`` pass. The grading data has 300 and 1,000 products, not the 10,000 of the
story: a 10,000-customer grading database would make the first check wait many seconds
for it to be built. Memory grows with the rows while a fixed part (the query, the CSV
writer) does not, so an export that loads too much stands out more at 10,000 products than
at 1,000, not less (tests/test_ex06.py measures the ratio at both grading sizes).

06.2 returns a queryset the page renders (``use``); the grader reads the SELECT list of
every query for ``shop_product.description``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.template import Context, Template

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, MemoryRatio, Result, Scaling, Shape
from workshop_site.shop.models import Product

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
        title="A CSV export of every product",
        returns=str,
        expects="the CSV text (a str), header line first, one line per product by id",
        sizes=(300, 1000),
        rows=Rows("products", lambda: Product.objects.count()),
        checks=(
            Result(),
            Scaling(),
            Budget(queries=1),
            MemoryRatio(
                at_most=3,
                advice="Look at the SQL's column list: what does each row bring?",
                fix=(
                    "An export needs 5 values per product, not model instances with their "
                    "kilobytes of description: `values_list(...)` (or `values(...)`) with "
                    '`"brand__name"` follows the foreign key in the same query.'
                ),
            ),
        ),
        hints=(
            "Measure the naive export with `lab.compare({...}, memory=True)`: where does the "
            "memory go? Look at the SQL's column list.",
            "The CSV needs id, title, brand name, slug and creation date. `values_list` "
            "returns exactly those, as tuples; `brand__name` joins the brand.",
            'Product.objects.order_by("id").values_list("pk", "title", "brand__name", '
            '"slug", "created_at"), then `created.date().isoformat()` for the date.',
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
