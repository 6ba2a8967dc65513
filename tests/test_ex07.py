"""Lesson 07's exercises and their check kind: the learner's test must fail on the naive
code and pass on the fixed code. The grader accepts the reference and other right tests,
rejects a test that passes on both, fails on both or crashes — each with its own words —
and leaves the grading data as it was."""

from __future__ import annotations

import pytest
from django.db import connection, models
from django.db.models import Count
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from workshop_site.grading import grade
from workshop_site.grading.integrity import file_digest
from workshop_site.grading.kinds import TellsNaiveFromFixed, registered_kinds
from workshop_site.grading.references import ref07
from workshop_site.grading.registry import get
from workshop_site.grading.sandbox import working_copy
from workshop_site.perf_testing import assert_queries_flat, forbid_lazy_loads
from workshop_site.shop.factories import add_orders, add_reviews, make_customer
from workshop_site.shop.models import Customer, Order, Product

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


# -- 07.1: order summaries ----------------------------------------------------------------


def test_the_reference_passes_with_what_it_measured():
    verdict = graded("07.1", ref07.test_order_summaries_stay_flat)
    assert verdict.passed, repr(verdict)
    assert "fails on the naive `order_summaries` (AssertionError)" in verdict.headline()


def test_counting_by_hand_at_two_sizes_passes_too():
    def test_two_sizes(order_summaries):
        customer = make_customer()
        add_orders(customer, count=1)
        with CaptureQueriesContext(connection) as one:
            order_summaries(customer)
        add_orders(customer, count=20)
        with CaptureQueriesContext(connection) as many:
            order_summaries(customer)
        assert len(one) == len(many) == 2, f"{len(one)} then {len(many)} queries"

    assert graded("07.1", test_two_sizes).passed


def test_assert_num_queries_on_a_busy_customer_passes_too():
    def test_with_a_test_case(order_summaries):
        # One size can do, when the data makes the naive code loop: the busiest customer.
        case = TestCase()
        customer = Customer.objects.annotate(n=Count("orders")).order_by("-n", "id").first()
        with case.assertNumQueries(2):
            order_summaries(customer)

    assert graded("07.1", test_with_a_test_case).passed


def test_one_size_with_a_count_that_matches_both_is_rejected():
    def test_one_size(order_summaries):  # the talk's "what people do"
        customer = make_customer()
        add_orders(customer, count=1)
        with CaptureQueriesContext(connection) as captured:
            order_summaries(customer)
        assert len(captured) == 2

    verdict = rejected(
        "07.1",
        test_one_size,
        "passes on the naive `order_summaries`",
        "calls `order_summaries` once",
    )
    assert verdict.reason == "the test does not tell the naive code from the fixed"


def test_one_size_without_writes_is_told_to_add_rows():
    def test_a_customer_without_orders(order_summaries):
        customer = Customer.objects.filter(orders__isnull=True).order_by("id").first()
        with CaptureQueriesContext(connection) as captured:
            order_summaries(customer)
        assert len(captured) == 1

    rejected("07.1", test_a_customer_without_orders, "calls `order_summaries` once", "add 20 rows")


def test_two_calls_on_the_same_data_are_told_to_add_rows_between():
    def test_twice(order_summaries):
        customer = Customer.objects.filter(orders__isnull=False).order_by("id").first()
        with CaptureQueriesContext(connection) as first:
            order_summaries(customer)
        with CaptureQueriesContext(connection) as second:
            order_summaries(customer)
        assert len(first) == len(second)

    rejected("07.1", test_twice, "2 times on the same data", "add rows between the calls")


def test_a_test_without_an_assertion_is_rejected():
    def test_nothing(order_summaries):
        order_summaries(make_customer())

    rejected("07.1", test_nothing, "misses its N+1", "calls `order_summaries` once")


def test_a_count_wrong_for_the_fixed_code_is_rejected_with_the_failure():
    def test_too_strict(order_summaries):
        customer = make_customer()
        add_orders(customer, count=1)
        assert_queries_flat(
            lambda: order_summaries(customer), grow=lambda: add_orders(customer), queries=1
        )

    rejected(
        "07.1",
        test_too_strict,
        "fails on the fixed `order_summaries` too",
        "expected 1 queries before growing the data, got 2",
    )


def test_a_crash_is_reported_kindly_with_the_learners_line():
    def test_with_a_typo(order_summaries):
        customer = make_customer()
        order_summaries(customer)
        assert len(customer.oders.all()) == 0

    verdict = rejected(
        "07.1",
        test_with_a_typo,
        "on the fixed `order_summaries`",
        "AttributeError",
        "oders",
        kind="raised",
    )
    assert "not by crashing" in verdict.message
    assert "test_with_a_typo" in verdict.message  # the learner's own line


def test_a_crash_on_the_naive_code_only_is_no_catch():
    def test_crashes_on_naive(order_summaries):
        customer = make_customer()
        add_orders(customer, count=3)
        with CaptureQueriesContext(connection) as captured:
            order_summaries(customer)
        if len(captured) > 2:
            raise RuntimeError("too many")

    rejected(
        "07.1",
        test_crashes_on_naive,
        "on the naive `order_summaries`",
        "RuntimeError",
        kind="raised",
    )


def test_a_test_that_takes_no_argument_is_told_its_signature():
    def test_without_argument():
        pass

    rejected("07.1", test_without_argument, "`def test_…(order_summaries):`")


def test_the_stub_is_not_written_yet():
    def test_stub(order_summaries):
        raise NotImplementedError("write your answer here")

    verdict = graded("07.1", test_stub)
    assert (verdict.status, verdict.kind) == ("todo", "todo"), repr(verdict)


def test_a_test_cannot_tell_the_versions_apart_by_name():
    def test_by_name(order_summaries):
        assert "naive" not in order_summaries.__name__

    rejected("07.1", test_by_name, "misses its N+1", "never calls `order_summaries`")


@pytest.mark.slow
def test_endless_queries_are_stopped_and_reported():
    def test_forever(order_summaries):
        while True:
            Order.objects.count()

    rejected("07.1", test_forever, "stopped after", "not by crashing", kind="query-cap")


# -- 07.2: review lines -------------------------------------------------------------------


def test_the_fetch_raise_reference_passes():
    verdict = graded("07.2", ref07.test_review_lines_load_what_they_read)
    assert verdict.passed, repr(verdict)
    assert "(FieldFetchBlocked)" in verdict.headline()


def test_the_package_helper_for_fetch_raise_passes_too():
    def test_with_the_helper(review_lines):
        with forbid_lazy_loads():
            product = Product.objects.filter(reviews__isnull=False).order_by("id").first()
            review_lines(product)

    assert graded("07.2", test_with_the_helper).passed


def test_two_counts_pass_07_2_too():
    def test_counts(review_lines):
        product = Product.objects.order_by("id").first()
        assert_queries_flat(
            lambda: review_lines(product), grow=lambda: add_reviews(product), queries=1
        )

    assert graded("07.2", test_counts).passed


def test_fetch_raise_on_a_product_without_reviews_is_rejected():
    def test_empty(review_lines):
        product = Product.objects.filter(reviews__isnull=True).order_by("id")
        review_lines(product.fetch_mode(models.FETCH_RAISE).first())

    rejected("07.2", test_empty, "passes on the naive `review_lines`", "a product that has reviews")


def test_fetch_raise_on_a_product_loaded_before_is_rejected():
    def test_mode_on_the_wrong_queryset(review_lines):
        product = Product.objects.filter(reviews__isnull=False).order_by("id").first()
        Product.objects.fetch_mode(models.FETCH_RAISE)  # made, never used
        review_lines(product)

    rejected("07.2", test_mode_on_the_wrong_queryset, "misses its N+1", "FETCH_RAISE")
