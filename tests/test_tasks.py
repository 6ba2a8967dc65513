"""shop/tasks.py: the confirmation e-mail and the CRM sync, as Django tasks."""

from __future__ import annotations

from django.tasks import TaskResultStatus

from workshop_site.shop.models import Order
from workshop_site.shop.tasks import (
    confirmation_email,
    crm_order_event,
    send_order_confirmation,
    sync_order_to_crm,
)


def test_the_tasks_call_the_partners_and_return_their_ids(partners, seeded):
    order = Order.objects.select_related("customer").order_by("pk").first()
    mail = send_order_confirmation.enqueue(order.pk)  # the immediate backend: run now
    crm = sync_order_to_crm.enqueue(order.pk)
    assert mail.status == crm.status == TaskResultStatus.SUCCESSFUL
    assert mail.return_value.startswith("msg_")
    assert crm.return_value.startswith("evt_")
    assert [h.partner for h in partners.hits()] == ["mail", "crm"]
    assert confirmation_email(order)["to"] == order.customer.email
    assert crm_order_event(order) == {
        "type": "order.paid",
        "order": order.pk,
        "customer": order.customer.email,
    }


def test_a_partner_that_does_not_answer_fails_the_task_for_the_queue_to_retry(partners, seeded):
    partners.configure("mail", failure_rate=1.0)
    order = Order.objects.order_by("pk").first()
    result = send_order_confirmation.enqueue(order.pk)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path.endswith("PartnerUnavailable")
