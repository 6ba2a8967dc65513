"""Lesson 06, loading less: ``only``, ``defer``, ``values``, ``values_list`` and their traps.

A product row carries a description of several kilobytes that most pages never show.
Docstrings state the query counts notebook 06's prose claims;
``tests/test_lessons_loading_less.py`` asserts each one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import FETCH_PEERS, Avg, QuerySet
from django.db.models.functions import Length
from django.template import Context, Template

from workshop_site.lab.select_list import columns_of, selected_columns
from workshop_site.shop.models import Product

__all__ = [
    "EXPORT_HEADER",
    "LINKS_TEMPLATE",
    "PAGE",
    "TEASERS_TEMPLATE",
    "average_lengths",
    "brand_lines",
    "brand_lines_fk_deferred",
    "columns_of",
    "export_objects",
    "export_values_list",
    "links_only",
    "links_values",
    "names_deferred",
    "render",
    "selected_columns",
    "summaries",
    "summaries_deferred",
    "summaries_peers",
    "teasers",
    "teasers_deferred",
    "titles_objects",
    "titles_only",
    "titles_values",
    "titles_values_list",
]

#: Products on one page of the examples that show a page.
PAGE = 20

# -- 1: what a row weighs --------------------------------------------------------------


def average_lengths() -> dict[str, float]:
    """Average length (characters) of each text column of ``Product``, by the database."""
    columns = ("title", "slug", "description")
    averages = Product.objects.aggregate(**{c: Avg(Length(c)) for c in columns})
    return {column: averages[column] or 0.0 for column in columns}


# -- 2: four ways to the same list of titles -------------------------------------------


def titles_objects() -> list[str]:
    """1 query, every column, one model instance per row."""
    return [product.title for product in Product.objects.order_by("id")]


def titles_only() -> list[str]:
    """1 query, ``id`` and ``title`` only, still model instances."""
    return [product.title for product in Product.objects.only("title").order_by("id")]


def titles_values() -> list[str]:
    """1 query, ``title`` only, one dict per row."""
    return [row["title"] for row in Product.objects.order_by("id").values("title")]


def titles_values_list() -> list[str]:
    """1 query, ``title`` only, the strings themselves."""
    return list(Product.objects.order_by("id").values_list("title", flat=True))


# -- 3: reading a deferred field -------------------------------------------------------


def _page(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("id")[:PAGE]


def summaries_deferred() -> list[str]:
    """1 + PAGE queries: ``summary`` reads the ``description`` that ``only()`` left out."""
    return [product.summary for product in _page(Product.objects.only("title"))]


def summaries_peers() -> list[str]:
    """2 queries: the first ``summary`` loads every row's description at once (FETCH_PEERS)."""
    products = Product.objects.only("title").fetch_mode(FETCH_PEERS)
    return [product.summary for product in _page(products)]


def summaries() -> list[str]:
    """1 query: load what the loop reads."""
    return [product.summary for product in _page(Product.objects.only("title", "description"))]


def names_deferred() -> list[str]:
    """1 + PAGE queries, hidden in ``Product.__str__``, which returns the deferred title."""
    return [str(product) for product in _page(Product.objects.only("slug"))]


# -- 4: only() and select_related() ----------------------------------------------------


def brand_lines_fk_deferred() -> list[str]:
    """Raises ``FieldError``: ``only("title")`` defers the ``brand`` foreign key that
    ``select_related("brand")`` must follow."""
    products = Product.objects.select_related("brand").only("title")
    return [f"{product.title} by {product.brand.name}" for product in _page(products)]


def brand_lines() -> list[str]:
    """1 query: ``brand__name`` in ``only()`` keeps the foreign key and the brand's name."""
    products = Product.objects.select_related("brand").only("title", "brand__name")
    return [f"{product.title} by {product.brand.name}" for product in _page(products)]


# -- 5: values() gives dicts -----------------------------------------------------------

#: A list page's links: ``get_absolute_url`` is a model method.
LINKS_TEMPLATE = (
    "{% for product in products %}"
    '<a href="{{ product.get_absolute_url }}">{{ product.title }}</a>\n'
    "{% endfor %}"
)


def render(template: str, items: Iterable) -> list[str]:
    """``template`` rendered with ``products=items``, one line per product."""
    return Template(template).render(Context({"products": items})).splitlines()


def links_values() -> list[str]:
    """1 query, and every link empty: a dict has no ``get_absolute_url``, and the template
    language renders what it cannot find as an empty string, silently."""
    return render(LINKS_TEMPLATE, _page(Product.objects.values("title", "slug")))


def links_only() -> list[str]:
    """1 query, working links: ``only()`` keeps model instances, and their methods."""
    return render(LINKS_TEMPLATE, _page(Product.objects.only("title", "slug")))


# -- 6: defer() a field the template shows ---------------------------------------------

#: A teaser list: the template shows the start of each description.
TEASERS_TEMPLATE = (
    "{% for product in products %}"
    "<p><b>{{ product.title }}</b> {{ product.description|truncatewords:12 }}</p>\n"
    "{% endfor %}"
)


def teasers_deferred() -> list[str]:
    """1 + PAGE queries: the view deferred what the template reads."""
    return render(TEASERS_TEMPLATE, _page(Product.objects.defer("description")))


def teasers() -> list[str]:
    """1 query: the template reads the description, so the view loads it."""
    return render(TEASERS_TEMPLATE, _page(Product.objects.all()))


# -- 7: an export ----------------------------------------------------------------------

EXPORT_HEADER = ("id", "title", "brand", "slug", "created")


def _csv(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def export_objects() -> str:
    """1 query: every product as a model instance, description included, for 5 columns."""
    products = Product.objects.select_related("brand").order_by("id")
    return _csv(
        (p.pk, p.title, p.brand.name, p.slug, p.created_at.date().isoformat()) for p in products
    )


def export_values_list() -> str:
    """1 query: the 5 columns as tuples."""
    rows = Product.objects.order_by("id").values_list(
        "pk", "title", "brand__name", "slug", "created_at"
    )
    return _csv(
        (pk, title, brand, slug, created.date().isoformat())
        for pk, title, brand, slug, created in rows
    )
