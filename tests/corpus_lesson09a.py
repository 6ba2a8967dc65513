"""Lesson 09a's cells, as the tests use them: the shipping queue and the indexes the
episode tries (notebooks/09a_indexes.ipynb types the same; its claims are checked in its
own kernel by tests/claims/09a_indexes.py). Creating, timing and reading the plans of
indexes is tooling: ``workshop_site.lab.indexes``, ``lab.index_costs``, ``lab.query_plans``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q

from workshop_site.shop.models import Order

__all__ = [
    "PENDING_INDEX",
    "QUERIES",
    "QUEUE",
    "QUEUE_INDEX",
    "STATUS_INDEX",
    "WRONG_ORDER_INDEX",
    "count_pending",
    "oldest_pending",
    "queue",
]

#: Orders the shipping team takes from the queue at a time.
QUEUE = 20


def queue() -> models.QuerySet[Order]:
    """The oldest pending orders: a filter on ``status``, an order on ``created_at``."""
    return Order.objects.filter(status=Order.Status.PENDING).order_by("created_at")[:QUEUE]


#: The index for the queue: rows with the same status sit together, in date order.
QUEUE_INDEX = models.Index(fields=["status", "created_at"], name="order_status_created_idx")
#: An index on the filtered column only: finds the pending orders, but they need a sort.
STATUS_INDEX = models.Index(fields=["status"], name="order_status_idx")
#: The same two columns the other way round: the date first, so status cannot lead.
WRONG_ORDER_INDEX = models.Index(fields=["created_at", "status"], name="order_created_status_idx")
#: A partial index: only the pending orders, in date order — a tenth of the rows.
PENDING_INDEX = models.Index(
    fields=["created_at"], condition=Q(status="pending"), name="order_pending_created_idx"
)


def oldest_pending() -> list[int]:
    """The ids of the :data:`QUEUE` oldest pending orders (1 query)."""
    return list(queue().values_list("id", flat=True))


def count_pending() -> int:
    """How many orders are pending (1 query): a filter, no ordering, no limit."""
    return Order.objects.filter(status=Order.Status.PENDING).count()


#: The queries lesson 09 times with each index: the queue, and a count of pending orders.
QUERIES: dict[str, Callable[[], Any]] = {
    "20 oldest pending": oldest_pending,
    "count of pending": count_pending,
}
