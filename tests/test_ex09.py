"""Lesson 09's exercises: each grader rejects the naive answer (and the classic half-fix)
on the lesson's own measure — the plan, peak memory, UPDATE statements, a template's
queries — with a message that says what to do, and accepts the reference and another
right answer."""

from __future__ import annotations

import hashlib

import pytest
from django.db import models
from django.db.models import F, Q
from exercise_asserts import fails, passes

from workshop_site.grading.exercises.ex09 import invoice_line, pending_page, render_orders
from workshop_site.grading.references import ref09
from workshop_site.shop.models import Listing, Order

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 09.1: an index the plan uses ------------------------------------------------------------


def test_09_1_accepts_the_composite_index_and_a_partial_one():
    verdict = passes("09.1", ref09.queue_index)
    assert "without an index the database reads every row of shop_order" in verdict.figures[0]
    passes(
        "09.1",
        lambda: models.Index(
            fields=["created_at"], condition=Q(status="pending"), name="pending_by_date"
        ),
    )


def test_09_1_rejects_no_index_on_the_filtered_column():
    fails(
        "09.1",
        lambda: models.Index(fields=["customer", "created_at"], name="by_customer"),
        "index-serves",
        "does not use your index `by_customer`",
        "SCAN shop_order",
    )


def test_09_1_rejects_an_index_that_still_needs_a_sort():
    fails(
        "09.1",
        lambda: models.Index(fields=["status"], name="by_status"),
        "index-serves",
        "still sorts",
        "USE TEMP B-TREE FOR ORDER BY",
    )


def test_09_1_rejects_the_columns_in_the_wrong_order():
    fails(
        "09.1",
        lambda: models.Index(fields=["created_at", "status"], name="by_date_status"),
        "index-serves",
        "reads your index `by_date_status` (created_at, status) from start to end",
        "Put the filtered column first",
    )


def test_09_1_explains_a_value_that_is_no_index():
    fails("09.1", lambda: ["status", "created_at"], "index-serves", "expected a `models.Index")


# -- 09.2: peak memory flat as the orders grow --------------------------------------------------


def _export(orders):
    digest = hashlib.sha256()
    count = 0
    for order in orders:
        digest.update(invoice_line(order).encode())
        count += 1
    return count, digest.hexdigest()


def export_naive():
    return _export(Order.objects.order_by("pk"))


def export_default_iterator():
    return _export(Order.objects.order_by("pk").iterator())


def export_in_pk_batches():
    def batches():
        last = 0
        while batch := list(Order.objects.filter(pk__gt=last).order_by("pk")[:400]):
            yield from batch
            last = batch[-1].pk

    return _export(batches())


@pytest.mark.slow
def test_09_2_accepts_the_iterator_and_primary_key_batches():
    verdict = passes("09.2", ref09.export_orders)
    assert any("peak memory" in figure for figure in verdict.figures)
    passes("09.2", export_in_pk_batches)


@pytest.mark.slow
def test_09_2_rejects_the_plain_loop_on_its_peak_memory():
    verdict = fails("09.2", export_naive, "memory-flat", "with 600 orders", "with 2,400 orders")
    assert "iterator(chunk_size=500)" in verdict.message


@pytest.mark.slow
def test_09_2_rejects_the_default_chunk_size_here_and_says_why():
    fails("09.2", export_default_iterator, "memory-flat", "2,000 rows at a time")


# -- 09.3: one UPDATE ---------------------------------------------------------------------------


def restock_naive():
    count = 0
    for listing in Listing.objects.filter(is_active=True, stock__lt=3):
        listing.stock += 5
        listing.save()
        count += 1
    return count


def restock_bulk_update():
    listings = list(Listing.objects.filter(is_active=True, stock__lt=3))
    for listing in listings:
        listing.stock += 5
    return Listing.objects.bulk_update(listings, ["stock"])


def restock_wrong_amount():
    return Listing.objects.filter(is_active=True, stock__lt=3).update(stock=F("stock") + 3)


def test_09_3_accepts_update_with_f_and_bulk_update():
    passes("09.3", ref09.restock)
    passes("09.3", restock_bulk_update)


def test_09_3_rejects_save_in_a_loop_by_its_update_count():
    fails("09.3", restock_naive, "updates", "UPDATEs with", "one statement per row")


def test_09_3_checks_the_stocks_it_left():
    fails("09.3", restock_wrong_amount, "result")


# -- 09.4: the template's queries ---------------------------------------------------------------


def page_naive():
    return render_orders(pending_page())


def page_prefetch_everything():
    return render_orders(pending_page().prefetch_related("customer", "lines__listing__product"))


def page_half_fixed():
    return render_orders(pending_page().select_related("customer"))


@pytest.mark.slow
def test_09_4_accepts_the_reference_and_prefetching_every_relation():
    passes("09.4", ref09.pending_orders_page)
    passes("09.4", page_prefetch_everything)


@pytest.mark.slow
def test_09_4_rejects_the_naive_page_and_the_half_fix():
    fails("09.4", page_naive, "scaling", "with 50", "prefetch_related(")
    fails("09.4", page_half_fixed, "scaling")
