"""Lesson 06's exercises: each grader rejects the naive answer and the traps (model
instances for an export, a deferred field a method reads, values() dicts in a template,
only() without the foreign key select_related follows) and the lesson's own cell pasted,
each with a message that names it, and accepts the reference and other right answers.
The export's memory ratio is measured at both grading sizes: it grows with the rows.

The lesson cells closest to each exercise, pasted (issue 21: none passes):

- 06.1 ← the ladder's ``values_list`` rung (``test_06_1_rejects_the_lessons_own_cell_pasted``).
- 06.2 ← the ladder's ``+ only`` rung, ``only("title", "brand__name")``, which leaves out
  the slug ``get_absolute_url`` reads
  (``test_06_2_rejects_only_without_the_slug_get_absolute_url_reads``), and the
  ``links`` cell's ``only("title", "slug")`` with the brand joined
  (``test_06_2_rejects_only_without_the_foreign_key_select_related_follows``).
"""

from __future__ import annotations

import csv
import io

import pytest
from exercise_asserts import fails, passes

from workshop_site.grading import grade
from workshop_site.grading.exercises import ex06
from workshop_site.grading.references import ref06
from workshop_site.grading.sandbox import run
from workshop_site.shop.models import OrderLine, Product

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 06.1: the accounting export ------------------------------------------------------

HEADER = ["order", "date", "customer", "product", "quantity", "unit_price"]


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _line_row(line):
    """One CSV row read from an OrderLine instance and its relations."""
    order = line.order
    return (
        order.pk,
        order.created_at.date().isoformat(),
        order.customer.name,
        line.listing.product.title,
        line.quantity,
        line.unit_price,
    )


def export_values_streamed():
    rows = OrderLine.objects.order_by("id").values(
        "order_id",
        "order__created_at",
        "order__customer__name",
        "listing__product__title",
        "quantity",
        "unit_price",
    )
    return _csv(
        (
            r["order_id"],
            r["order__created_at"].date().isoformat(),
            r["order__customer__name"],
            r["listing__product__title"],
            r["quantity"],
            r["unit_price"],
        )
        for r in rows.iterator(chunk_size=500)
    )


def export_only():
    lines = (
        OrderLine.objects.select_related("order__customer", "listing__product")
        .only(
            "quantity",
            "unit_price",
            "order__created_at",
            "order__customer__name",
            "listing__product__title",
        )
        .order_by("id")
    )
    return _csv(_line_row(line) for line in lines)


def export_objects():
    """The exercise's naive export: one query, every column of five tables."""
    lines = OrderLine.objects.select_related("order__customer", "listing__product").order_by("id")
    return _csv(_line_row(line) for line in lines)


def export_product_per_line():
    lines = OrderLine.objects.select_related("order__customer").order_by("id")
    return _csv(_line_row(line) for line in lines)


def export_unformatted_dates():
    rows = OrderLine.objects.order_by("id").values_list(
        "order_id",
        "order__created_at",
        "order__customer__name",
        "listing__product__title",
        "quantity",
        "unit_price",
    )
    return _csv(rows)


def the_lessons_ladder_rung():
    """Lesson 06's closest cell (the ladder's values_list rung), pasted as the answer."""
    rows = Product.objects.order_by("id").values_list("title", "brand__name")
    return [f"{title} by {brand}" for title, brand in rows]


@pytest.mark.slow
def test_06_1_accepts_the_reference_and_streamed_values():
    passes("06.1", ref06.export_lines)
    passes("06.1", export_values_streamed)


@pytest.mark.slow
def test_06_1_rejects_five_model_instances_per_line_even_without_descriptions():
    # only() leaves the descriptions out but still builds a line, an order, a customer, a
    # listing and a product per row: over 3× the tuples' memory (3.1× and 3.8× measured).
    fails("06.1", export_only, "memory-ratio", "peak memory")


@pytest.mark.slow
def test_06_1_rejects_model_instances_on_memory():
    fails(
        "06.1",
        export_objects,
        "memory-ratio",
        "peak memory",
        "at most 3× allowed",
        "values_list(...)",
    )


@pytest.mark.slow
def test_06_1_rejects_a_product_loaded_per_line():
    fails("06.1", export_product_per_line, "scaling", "one per order_line", "order_line.listing")


def test_06_1_rejects_a_different_csv():
    fails("06.1", export_unformatted_dates, "result", "order lines: expected")


def test_06_1_rejects_the_lessons_own_cell_pasted():
    verdict = grade("06.1", the_lessons_ladder_rung, progress=False)
    assert verdict.status == "fail"
    assert "expected the CSV text" in verdict.message


def test_06_1_memory_ratio_of_objects_grows_with_the_rows():
    """At both grading sizes the naive export needs well over 3× the reference's memory,
    and more at the larger: the check is not a close call."""
    ratios = []
    for size in (100, 300):
        objects, values = (
            run(fn, size=size, accept=lambda value: value, cap=10, seconds=30, memory=True)
            for fn in (export_objects, ref06.export_lines)
        )
        ratios.append(objects.peak_memory / values.peak_memory)
    assert 3 < ratios[0] < ratios[1], ratios


# -- 06.2: the catalogue page ----------------------------------------------------------


def _public():
    return Product.objects.public()


def test_06_2_accepts_the_reference_and_defer():
    passes("06.2", ref06.catalogue_products)
    passes("06.2", lambda: _public().select_related("brand").defer("description"))


def test_06_2_rejects_the_description_in_the_column_list():
    fails(
        "06.2",
        lambda: _public().select_related("brand"),
        "shape",
        "`shop_product.description` is still selected, by query 1",
        "`only(...)` those",
    )


@pytest.mark.slow
def test_06_2_rejects_only_without_the_slug_get_absolute_url_reads():
    fails(
        "06.2",
        lambda: _public().select_related("brand").only("title", "brand__name"),
        "scaling",
        "(in get_absolute_url)",
        "which the queryset deferred",
        'only("title", "brand", "brand__name", "slug")',
    )


def test_06_2_rejects_values_whose_links_render_empty():
    fails(
        "06.2",
        lambda: _public().values("title", "slug", "brand__name"),
        "result",
        '<a href="">',
        "a dict from `values()`",
    )


def test_06_2_rejects_only_without_the_foreign_key_select_related_follows():
    fails(
        "06.2",
        lambda: _public().select_related("brand").only("title", "slug"),
        "raised",
        "cannot be both deferred and traversed using select_related",
    )


@pytest.mark.slow
def test_06_2_rejects_a_brand_loaded_per_row():
    fails(
        "06.2",
        lambda: _public().only("title", "slug", "brand__name"),
        "scaling",
        "one per product",
        'select_related("brand")',
    )


def test_the_catalogue_page_renders_links_and_brands(seeded):
    products = Product.objects.select_related("brand").order_by("id")[:3]
    lines = ex06.catalogue_page(products)
    assert lines == [
        f'<li><a href="{p.get_absolute_url()}">{p.title}</a> · {p.brand.name}</li>'
        for p in products
    ]
