"""Work a checkout starts but the customer need not wait for: Django tasks.

``send_order_confirmation.enqueue(order.pk)`` hands the work to the configured backend
(``settings.TASKS``): the immediate backend runs it on the spot, inside ``enqueue()``; the
database backend (django-tasks-db) stores it for a worker process to run. Enqueue inside
``transaction.on_commit`` so a worker never looks for an order that is not committed yet.

A task that raises is recorded as failed by the backend, and a queue can try it again; so
these tasks let :class:`~workshop_site.external.client.PartnerUnavailable` propagate.
"""

from __future__ import annotations

from django.tasks import task

from workshop_site.external import client
from workshop_site.shop.models import Order, Review

__all__ = [
    "confirmation_email",
    "crm_order_event",
    "send_order_confirmation",
    "sync_order_to_crm",
    "sync_review_to_crm",
]


def confirmation_email(order: Order) -> dict[str, str]:
    """The confirmation e-mail of ``order`` (its customer loaded): to, subject, text."""
    return {
        "to": order.customer.email,
        "subject": f"Your order #{order.pk} is confirmed",
        "text": f"Hello {order.customer.name}, thank you for your order #{order.pk}.",
    }


def crm_order_event(order: Order) -> dict[str, object]:
    """What the CRM hears about a paid ``order`` (its customer loaded)."""
    return {"type": "order.paid", "order": order.pk, "customer": order.customer.email}


def _order(order_id: int) -> Order:
    return Order.objects.select_related("customer").get(pk=order_id)


@task
def send_order_confirmation(order_id: int) -> str:
    """E-mail the customer that order ``order_id`` is confirmed: the mail partner's id."""
    return client.send_email(**confirmation_email(_order(order_id)))


@task
def sync_order_to_crm(order_id: int) -> str:
    """Tell the CRM that order ``order_id`` was paid: the CRM's event id."""
    event = crm_order_event(_order(order_id))
    return client.crm_event(str(event.pop("type")), **event)


@task
def sync_review_to_crm(review_id: int) -> str:
    """Tell the CRM that review ``review_id`` was posted: the CRM's event id (exercise 08.4)."""
    review = Review.objects.select_related("customer").get(pk=review_id)
    return client.crm_event("review.posted", review=review.pk, customer=review.customer.email)
