"""Exercise 09b.1: the reviews export in bounded memory. The grader accepts a streamed
export (iterator, or batches by primary key), rejects the plain loop and the default
chunk size on their peak memory, and rejects the lesson's order export pasted as the
answer (another table: another result)."""

from __future__ import annotations

import hashlib

import pytest
from exercise_asserts import fails, passes

from workshop_site.grading.exercises.ex09b import review_line
from workshop_site.grading.references import ref09b
from workshop_site.shop.models import Order, Review

pytestmark = [pytest.mark.usefixtures("grading_sandbox"), pytest.mark.slow]


def _export(rows, line=review_line):
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(line(row).encode())
        count += 1
    return count, digest.hexdigest()


def export_naive():
    return _export(Review.objects.order_by("pk"))


def export_default_iterator():
    return _export(Review.objects.order_by("pk").iterator())


def export_in_pk_batches():
    def batches():
        last = 0
        while batch := list(Review.objects.filter(pk__gt=last).order_by("pk")[:400]):
            yield from batch
            last = batch[-1].pk

    return _export(batches())


def lesson_export_iterator():
    # notebooks/09b_long_jobs.ipynb, section 1: the orders' export, streamed.
    def invoice_line(order):
        return f"{order.pk};{order.customer_id};{order.created_at:%Y-%m-%d};{order.status}\n"

    return _export(Order.objects.order_by("pk").iterator(chunk_size=1_000), invoice_line)


def test_09b_1_accepts_the_iterator_and_primary_key_batches():
    verdict = passes("09b.1", ref09b.export_reviews)
    assert any("peak memory" in figure for figure in verdict.figures)
    passes("09b.1", export_in_pk_batches)


def test_09b_1_rejects_the_plain_loop_on_its_peak_memory():
    fails("09b.1", export_naive, "memory-flat", "reviews")


def test_09b_1_rejects_the_default_chunk_size():
    fails("09b.1", export_default_iterator, "memory-flat")


def test_09b_1_the_lessons_cell_pasted_does_not_pass():
    fails("09b.1", lesson_export_iterator, "result")
