"""Every claim notebook 06 makes about its examples, on the functions the notebook calls.

The notebook prints its figures live on the default data; these tests pin them on a
seeded test database: the column lists, the order of the four ways by memory, a deferred
field read later (one query per row, two with FETCH_PEERS), only() with select_related,
values() rows without methods, defer() on a field the template shows, and the export.
Memory growing with the rows is measured on the grader's databases of three sizes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError

from workshop_site.grading.sandbox import run
from workshop_site.lab.inspector import diagnose
from workshop_site.lab.probes import peak_memory
from workshop_site.lessons import loading_less as lesson
from workshop_site.shop.models import Product

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200

ALL_COLUMNS = [
    f"shop_product.{name}"
    for name in (
        "id",
        "title",
        "slug",
        "description",
        "brand_id",
        "is_public",
        "created_at",
    )
]


# -- 1: what a row weighs --------------------------------------------------------------


def test_a_product_row_has_every_column_and_a_description_of_kilobytes(seeded):
    assert lesson.selected_columns(Product.objects.all()) == ALL_COLUMNS
    lengths = lesson.average_lengths()
    assert lengths["description"] > 2000
    assert 0 < lengths["title"] < 100
    assert lengths["description"] > 50 * lengths["slug"]


# -- 2: four ways to the titles --------------------------------------------------------


def test_the_four_ways_select_what_the_notebook_prints():
    assert lesson.selected_columns(Product.objects.only("title")) == [
        "shop_product.id",
        "shop_product.title",
    ]
    assert lesson.selected_columns(Product.objects.values("title")) == ["shop_product.title"]
    flat = Product.objects.values_list("title", flat=True)
    assert lesson.selected_columns(flat) == ["shop_product.title"]


FOUR_WAYS = (
    lesson.titles_objects,
    lesson.titles_only,
    lesson.titles_values,
    lesson.titles_values_list,
)


def test_the_four_ways_return_the_same_titles_in_one_query_each(recorded, seeded):
    results = [recorded(fn) for fn in FOUR_WAYS]
    assert all(result == results[0][0] for result, _ in results)
    assert [len(log) for _, log in results] == [1, 1, 1, 1]
    assert len(results[0][0]) == Product.objects.count()


def test_each_way_builds_less_than_the_one_before(seeded):
    peaks = [peak_memory(fn)[1] for fn in FOUR_WAYS]
    assert peaks == sorted(peaks, reverse=True), peaks
    assert peaks[0] > 8 * peaks[1], "objects carry the description; only('title') does not"


@pytest.fixture
def grading_databases(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.mark.slow
def test_memory_grows_in_a_straight_line_with_the_rows(grading_databases):
    """On the grader's databases of 100, 300 and 1,000 products: the same cost per row
    between each pair of sizes (a fixed part aside)."""
    for fn in (*FOUR_WAYS, lesson.export_objects, lesson.export_values_list):
        peaks = [
            run(
                fn,
                size=size,
                accept=lambda value: value,
                cap=10,
                seconds=30,
                memory=True,
            )
            for size in (100, 300, 1000)
        ]
        assert all(peak.problem is None for peak in peaks), fn.__name__
        small, medium, large = (peak.peak_memory for peak in peaks)
        per_row_first, per_row_then = (medium - small) / 200, (large - medium) / 700
        assert 0.8 < per_row_then / per_row_first < 1.25, (
            fn.__name__,
            small,
            medium,
            large,
        )


# -- 3: a deferred field read later ----------------------------------------------------


def test_reading_a_deferred_field_is_one_query_per_row_and_the_inspector_says_so(seeded, recorded):
    summaries, log = recorded(lesson.summaries_deferred)
    assert len(log) == 1 + lesson.PAGE
    (finding,) = diagnose(log)
    assert (finding.relation, finding.kind) == ("Product.description", "deferred")
    assert finding.source.function == "summary"
    assert summaries == lesson.summaries()


def test_fetch_peers_makes_two_queries_and_loads_every_description(recorded, seeded):
    summaries, log = recorded(lesson.summaries_peers)
    assert len(log) == 2
    assert summaries == lesson.summaries()
    assert lesson.columns_of(log[1].sql) == [
        "shop_product.id",
        "shop_product.description",
    ]
    assert len(log[1].params) == lesson.PAGE
    _, fixed = recorded(lesson.summaries)
    assert len(fixed) == 1


def test_str_reads_the_deferred_title(recorded, seeded):
    names, log = recorded(lesson.names_deferred)
    assert len(log) == 1 + lesson.PAGE
    assert names == [p.title for p in Product.objects.order_by("id")[: lesson.PAGE]]


# -- 4: only() with select_related() ---------------------------------------------------


def test_only_without_the_foreign_key_cannot_follow_it(recorded, seeded):
    with pytest.raises(FieldError, match="cannot be both deferred and traversed"):
        lesson.brand_lines_fk_deferred()
    lines, log = recorded(lesson.brand_lines)
    assert len(log) == 1
    assert lesson.columns_of(log[0].sql) == [
        "shop_product.id",
        "shop_product.title",
        "shop_product.brand_id",
        "shop_brand.id",
        "shop_brand.name",
    ]
    first = Product.objects.select_related("brand").order_by("id").first()
    assert lines[0] == f"{first.title} by {first.brand.name}"


# -- 5: values() gives dicts -----------------------------------------------------------


def test_values_rows_have_no_methods_and_the_template_says_nothing(recorded, seeded):
    row = Product.objects.values("title", "slug").first()
    assert isinstance(row, dict)
    with pytest.raises(AttributeError, match="'dict' object has no attribute 'get_absolute_url'"):
        row.get_absolute_url()
    empty, log = recorded(lesson.links_values)
    assert len(log) == 1
    assert len(empty) == lesson.PAGE
    assert all(line.startswith('<a href="">') for line in empty)
    links, log = recorded(lesson.links_only)
    products = Product.objects.order_by("id")[: lesson.PAGE]
    assert len(log) == 1
    assert links == [f'<a href="{p.get_absolute_url()}">{p.title}</a>' for p in products]


def test_get_absolute_url_is_the_product_page(client, seeded):
    product = Product.objects.public().order_by("id").first()
    assert product.get_absolute_url() == f"/products/{product.slug}/"
    assert client.get(product.get_absolute_url()).status_code == 200


# -- 6: defer() a field the template shows ---------------------------------------------


def test_deferring_what_the_template_shows_costs_a_query_per_row(recorded, seeded):
    deferred, log = recorded(lesson.teasers_deferred)
    full, full_log = recorded(lesson.teasers)
    assert (len(log), len(full_log)) == (1 + lesson.PAGE, 1)
    assert deferred == full
    assert len(full) == lesson.PAGE


def test_defer_loads_every_other_column_and_only_names_what_it_loads():
    deferred = lesson.selected_columns(Product.objects.defer("description"))
    assert deferred == [c for c in ALL_COLUMNS if c != "shop_product.description"]
    assert lesson.selected_columns(Product.objects.only("title", "slug")) == ALL_COLUMNS[:3]


# -- 7: the export ---------------------------------------------------------------------


def test_both_exports_write_the_same_csv_in_one_query(recorded, seeded):
    objects, objects_log = recorded(lesson.export_objects)
    values, values_log = recorded(lesson.export_values_list)
    assert objects == values
    assert len(objects_log) == len(values_log) == 1
    lines = values.splitlines()
    assert lines[0] == "id,title,brand,slug,created"
    assert len(lines) == 1 + Product.objects.count()
    first = Product.objects.select_related("brand").order_by("id").first()
    assert lines[1].split(",")[:3] == [str(first.pk), first.title, first.brand.name]


def test_the_export_from_values_list_needs_several_times_less_memory(seeded):
    assert peak_memory(lesson.export_objects)[1] > 5 * peak_memory(lesson.export_values_list)[1]


def test_the_description_is_shown_on_the_product_page_and_never_on_a_card():
    from django.template.loader import get_template

    def source(name: str) -> str:
        return get_template(name).template.source

    assert "product.description" in source("shop/product_detail.html")
    assert "description" not in source("shop/_listing_card.html")
