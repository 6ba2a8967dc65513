"""Lesson 07's exercises and their check kind: the learner's test must fail on the naive
code and pass on the fixed code. The grader accepts the reference and other right tests,
rejects a test that passes on both, fails on both or crashes — each with its own words —
and leaves the grading data as it was."""

from __future__ import annotations

import django_perf_rec
import pytest
from django.db import connection, models
from django.db.models import Count
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workshop_site.grading import grade
from workshop_site.grading.integrity import file_digest
from workshop_site.grading.kinds import TellsNaiveFromFixed, registered_kinds
from workshop_site.grading.references import ref07
from workshop_site.grading.registry import get
from workshop_site.grading.sandbox import working_copy
from workshop_site.perf_testing import assert_queries_flat, forbid_lazy_loads
from workshop_site.shop.factories import add_listings, add_orders, make_customer
from workshop_site.shop.models import Brand, Category, Order, Product

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def graded(exercise_id, test):
    verdict = grade(exercise_id, test, progress=False)
    for size in get(exercise_id).sizes:
        target, source = working_copy(size, progress=False)
        assert file_digest(target) == file_digest(source), f"grading data changed at {size}"
    return verdict


def rejected(exercise_id, test, *fragments, status="fail", kind="tells-naive-from-fixed"):
    verdict = graded(exercise_id, test)
    assert (verdict.status, verdict.kind) == (status, kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    return verdict


def test_the_kind_is_registered_from_its_own_module():
    assert registered_kinds()["tells-naive-from-fixed"] is TellsNaiveFromFixed


def _first_brand():
    return Brand.objects.order_by("id").first()


def _brand_with_one_product():
    brand = Brand.objects.create(name="Onlyone", slug="onlyone-phones", country="FR")
    model = Product.objects.order_by("id").first()
    product = Product.objects.create(
        title="The only one",
        slug="the-only-one",
        description="",
        brand=brand,
        created_at=model.created_at,
    )
    product.categories.set(model.categories.all())
    return brand


# -- 07.1: a brand's range ----------------------------------------------------------------


def test_the_reference_passes_with_what_it_measured():
    verdict = graded("07.1", ref07.test_brand_range_stays_flat)
    assert verdict.passed, repr(verdict)
    assert "fails on the naive `brand_range` (AssertionError)" in verdict.headline()


def test_counting_by_hand_at_two_sizes_passes_too():
    def test_two_sizes(brand_range):
        brand = _first_brand()
        with CaptureQueriesContext(connection) as one:
            brand_range(brand)
        add_listings(count=20)
        with CaptureQueriesContext(connection) as many:
            brand_range(brand)
        assert len(one) == len(many) == 2, f"{len(one)} then {len(many)} queries"

    assert graded("07.1", test_two_sizes).passed


def test_assert_num_queries_on_the_largest_brand_passes_too():
    def test_with_a_test_case(brand_range):
        # One size can do, when the data makes the naive code loop: the largest brand.
        case = TestCase()
        brand = Brand.objects.annotate(n=Count("products")).order_by("-n", "id").first()
        with case.assertNumQueries(2):
            brand_range(brand)

    assert graded("07.1", test_with_a_test_case).passed


def test_one_size_with_a_count_that_matches_both_is_rejected():
    def test_one_size(brand_range):  # the talk's "what people do", on a one-product brand
        brand = _brand_with_one_product()
        with CaptureQueriesContext(connection) as captured:
            brand_range(brand)
        assert len(captured) == 2

    verdict = rejected(
        "07.1",
        test_one_size,
        "passes on the naive `brand_range`",
        "calls `brand_range` once",
    )
    assert verdict.reason == "the test does not tell the naive code from the fixed"


def test_one_size_without_writes_is_told_to_add_rows():
    def test_a_brand_without_products(brand_range):
        brand = Brand.objects.create(name="Nobody", slug="nobody-makes-this", country="FR")
        with CaptureQueriesContext(connection) as captured:
            brand_range(brand)
        assert len(captured) == 1

    rejected("07.1", test_a_brand_without_products, "calls `brand_range` once", "add 20 rows")


def test_two_calls_on_the_same_data_are_told_to_add_rows_between():
    def test_twice(brand_range):
        brand = _first_brand()
        with CaptureQueriesContext(connection) as first:
            brand_range(brand)
        with CaptureQueriesContext(connection) as second:
            brand_range(brand)
        assert len(first) == len(second)

    rejected("07.1", test_twice, "2 times on the same data", "add rows between the calls")


def test_a_test_without_an_assertion_is_rejected():
    def test_nothing(brand_range):
        brand_range(_first_brand())

    rejected("07.1", test_nothing, "misses its N+1", "calls `brand_range` once")


def test_a_count_wrong_for_the_fixed_code_is_rejected_with_the_failure():
    def test_too_strict(brand_range):
        brand = _first_brand()
        assert_queries_flat(lambda: brand_range(brand), grow=add_listings, queries=1)

    rejected(
        "07.1",
        test_too_strict,
        "fails on the fixed `brand_range` too",
        "expected 1 queries before growing the data, got 2",
    )


def test_a_crash_is_reported_kindly_with_the_learners_line():
    def test_with_a_typo(brand_range):
        brand = _first_brand()
        brand_range(brand)
        assert len(brand.prodcts.all()) > 0

    verdict = rejected(
        "07.1",
        test_with_a_typo,
        "on the fixed `brand_range`",
        "AttributeError",
        "prodcts",
        kind="raised",
    )
    assert "not by crashing" in verdict.message
    assert "test_with_a_typo" in verdict.message  # the learner's own line


def test_a_crash_on_the_naive_code_only_is_no_catch():
    def test_crashes_on_naive(brand_range):
        brand = _first_brand()
        with CaptureQueriesContext(connection) as captured:
            brand_range(brand)
        if len(captured) > 2:
            raise RuntimeError("too many")

    rejected(
        "07.1",
        test_crashes_on_naive,
        "on the naive `brand_range`",
        "RuntimeError",
        kind="raised",
    )


def test_a_test_that_takes_no_argument_is_told_its_signature():
    def test_without_argument():
        pass

    rejected("07.1", test_without_argument, "`def test_…(brand_range):`")


def test_the_stub_is_not_written_yet():
    def test_stub(brand_range):
        raise NotImplementedError("write your answer here")

    verdict = graded("07.1", test_stub)
    assert (verdict.status, verdict.kind) == ("todo", "todo"), repr(verdict)


def test_a_test_cannot_tell_the_versions_apart_by_name():
    def test_by_name(brand_range):
        assert "naive" not in brand_range.__name__

    rejected("07.1", test_by_name, "misses its N+1", "never calls `brand_range`")


@pytest.mark.slow
def test_endless_queries_are_stopped_and_reported():
    def test_forever(brand_range):
        while True:
            Order.objects.count()

    rejected("07.1", test_forever, "stopped after", "not by crashing", kind="query-cap")


# -- 07.2: the packing list, by the order's id --------------------------------------------


def _order_with_lines():
    return Order.objects.filter(lines__isnull=False).order_by("id").first()


def test_the_forbid_lazy_loads_reference_passes():
    verdict = graded("07.2", ref07.test_packing_list_loads_what_it_reads)
    assert verdict.passed, repr(verdict)
    assert "(FieldFetchBlocked)" in verdict.headline()


def test_a_count_at_one_size_catches_it_but_not_by_the_lazy_load():
    def test_counts(packing_list):
        order = _order_with_lines()
        with CaptureQueriesContext(connection) as captured:
            packing_list(order.pk)
        assert len(captured) == 1

    rejected("07.2", test_counts, "not by `FieldFetchBlocked`", "no object of yours")


def test_forbid_lazy_loads_on_an_order_without_lines_is_rejected():
    def test_empty(packing_list):
        order = Order.objects.create(customer=make_customer(), created_at=timezone.now())
        with forbid_lazy_loads():
            packing_list(order.pk)

    rejected("07.2", test_empty, "passes on the naive `packing_list`", "an order that has lines")


def test_fetch_raise_on_the_order_handed_nowhere_is_rejected():
    def test_mode_on_the_order(packing_list):  # the lesson's FETCH_RAISE cell, on an order
        orders = Order.objects.filter(lines__isnull=False).fetch_mode(models.FETCH_RAISE)
        packing_list(orders.order_by("id").first().pk)

    rejected("07.2", test_mode_on_the_order, "misses its N+1")


# -- 07.3: a django-perf-rec record of the category page ------------------------------------


def _category_url():
    category = Category.objects.public().filter(parent__isnull=False).order_by("id").first()
    return reverse("shop:category", kwargs={"slug": category.slug})


def test_the_record_reference_passes():
    verdict = graded("07.3", ref07.test_category_page_record)
    assert verdict.passed, repr(verdict)
    assert "failed with one more query on the page" in verdict.headline()


def test_a_record_that_overwrites_pins_nothing():
    def test_overwrite(record_file):
        url = _category_url()
        with override_settings(PERF_REC={"MODE": "overwrite"}):
            with django_perf_rec.record(record_name="page", path=str(record_file)):
                Client().get(url)

    rejected("07.3", test_overwrite, "still passes with one more query", "overwrite", kind=_REC)


def test_a_record_of_nothing_is_rejected():
    def test_empty(record_file):
        url = _category_url()
        with django_perf_rec.record(record_name="page", path=str(record_file)):
            pass
        Client().get(url)

    rejected("07.3", test_empty, "the record holds no query", kind=_REC)


def test_a_record_of_another_page_is_rejected():
    def test_product_list(record_file):
        with django_perf_rec.record(record_name="page", path=str(record_file)):
            Client().get(reverse("shop:product_list"))

    rejected("07.3", test_product_list, 'none with `"shop_category"."slug"`', kind=_REC)


def test_a_record_written_elsewhere_is_rejected(tmp_path):
    def test_elsewhere(record_file):
        with django_perf_rec.record(record_name="page", path=str(tmp_path / "mine.perf.yml")):
            Client().get(_category_url())

    rejected("07.3", test_elsewhere, "wrote no record into the file it was given", kind=_REC)


def test_a_record_named_anew_each_run_is_rejected():
    runs = iter(range(100))

    def test_new_name(record_file):
        with django_perf_rec.record(record_name=f"page-{next(runs)}", path=str(record_file)):
            Client().get(_category_url())

    rejected("07.3", test_new_name, "still passes with one more query", kind=_REC)


def test_a_count_alone_is_no_record():
    def test_count(record_file):
        with CaptureQueriesContext(connection) as captured:
            Client().get(_category_url())
        assert len(captured) < 100

    rejected("07.3", test_count, "wrote no record", kind=_REC)


# -- each exercise against the lesson cells closest to it (issue 21: transfer) --------------
# The lesson's cells, pasted as the answer with the argument renamed, must not pass.

_REC = "pins-page-with-record"


def test_lesson_07_section_2_pasted_does_not_pass_07_1():
    def test_as_in_the_lesson(brand_range):  # lesson 07, section 2: order summaries
        customer = make_customer()
        add_orders(customer, count=1)
        summaries = lambda: brand_range(customer)  # noqa: E731
        assert_queries_flat(summaries, grow=lambda: add_orders(customer), queries=2)

    assert not graded("07.1", test_as_in_the_lesson).passed


def test_lesson_07_section_3_pasted_does_not_pass_07_2():
    def test_as_in_the_lesson(packing_list):  # lesson 07, section 3: a product in FETCH_RAISE
        strict = Product.objects.filter(reviews__isnull=False).fetch_mode(models.FETCH_RAISE)
        product = strict.order_by("id").first()
        packing_list(product)

    assert not graded("07.2", test_as_in_the_lesson).passed


def test_lesson_07_section_4_pasted_does_not_pass_07_3():
    def test_as_in_the_lesson(record_file):  # lesson 07, section 4: the product list
        with django_perf_rec.record(record_name="product_list", path=str(record_file)):
            Client().get(reverse("shop:product_list"))

    assert not graded("07.3", test_as_in_the_lesson).passed


def test_the_record_stub_is_not_written_yet():
    def test_category_page_record(record_file):
        raise NotImplementedError("write your answer here")

    verdict = graded("07.3", test_category_page_record)
    assert (verdict.status, verdict.kind) == ("todo", "todo"), repr(verdict)
