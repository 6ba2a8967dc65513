"""Lesson 06's exercises: each grader rejects the naive answer and the traps (model
instances for an export, a deferred field a method reads, values() dicts in a template,
only() without the foreign key select_related follows), each with a message that names
it, and accepts the reference and other right answers. The export's memory ratio is
measured at both grading sizes: it grows with the rows."""

from __future__ import annotations

import csv
import io

import pytest
from exercise_asserts import fails, passes

from workshop_site.grading.exercises import ex06
from workshop_site.grading.references import ref06
from workshop_site.grading.sandbox import run
from workshop_site.lessons import loading_less
from workshop_site.shop.models import Product

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 06.1: the CSV export --------------------------------------------------------------


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "title", "brand", "slug", "created"])
    writer.writerows(rows)
    return out.getvalue()


def export_values_streamed():
    rows = Product.objects.order_by("id").values("pk", "title", "brand__name", "slug", "created_at")
    return _csv(
        (r["pk"], r["title"], r["brand__name"], r["slug"], r["created_at"].date().isoformat())
        for r in rows.iterator(chunk_size=500)
    )


def export_only():
    products = (
        Product.objects.select_related("brand")
        .only("title", "slug", "created_at", "brand__name")
        .order_by("id")
    )
    return _csv(
        (p.pk, p.title, p.brand.name, p.slug, p.created_at.date().isoformat()) for p in products
    )


def export_brand_per_row():
    return _csv(
        (p.pk, p.title, p.brand.name, p.slug, p.created_at.date().isoformat())
        for p in Product.objects.order_by("id")
    )


def export_unordered_dates():
    rows = Product.objects.values_list("pk", "title", "brand__name", "slug", "created_at")
    return _csv((pk, title, brand, slug, created) for pk, title, brand, slug, created in rows)


@pytest.mark.slow
def test_06_1_accepts_the_reference_streamed_values_and_only():
    passes("06.1", ref06.export_products)
    passes("06.1", export_values_streamed)
    # only() builds model instances without the description: within 3× of the reference.
    passes("06.1", export_only)


@pytest.mark.slow
def test_06_1_rejects_model_instances_on_memory():
    fails(
        "06.1",
        loading_less.export_objects,
        "memory-ratio",
        "peak memory",
        "with 1,000 products",
        "at most 3× allowed",
        "values_list(...)",
    )


@pytest.mark.slow
def test_06_1_rejects_a_brand_loaded_per_row():
    fails("06.1", export_brand_per_row, "scaling", "one per product", 'select_related("brand")')


def test_06_1_rejects_a_different_csv():
    fails("06.1", export_unordered_dates, "result", "with 300 products")


def test_06_1_memory_ratio_of_objects_grows_with_the_rows():
    """What the exercise's prose says: at 1,000 products the ratio is larger than at 300,
    so grading at 1,000 rather than 10,000 is, if anything, lenient."""
    ratios = []
    for size in (300, 1000):
        objects, values = (
            run(fn, size=size, accept=lambda value: value, cap=10, seconds=30, memory=True)
            for fn in (loading_less.export_objects, ref06.export_products)
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
