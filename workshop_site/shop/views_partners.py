"""Checkout: the page that calls the shop's partners, in a naive and a fixed form.

``POST /customers/<id>/checkout/`` with ``listing=<id>`` buys that listing: it checks the
stock, gets a shipping quote, saves the order, has the payment authorized, sends the
confirmation e-mail, tells the CRM and shows recommendations: six partner calls.

- :func:`checkout_naive` makes them one after the other in the request, with no timeout
  (:mod:`workshop_site.external.naive`): the page takes the sum of the partners' times,
  hangs when one hangs and fails when one fails.
- :func:`checkout` uses the shop's client (:mod:`workshop_site.external.client`): every
  call has a timeout, the nice-to-have ones fall back, a payment that does not answer
  leaves the order pending, and the e-mail and CRM sync are Django tasks enqueued once
  the paid order is committed.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from workshop_site.external import client, naive
from workshop_site.external.client import PartnerUnavailable, ShippingQuote, StockLevel
from workshop_site.shop.models import Customer, Listing, Order, OrderLine, Product
from workshop_site.shop.tasks import (
    confirmation_email,
    crm_order_event,
    send_order_confirmation,
    sync_order_to_crm,
)

__all__ = ["checkout", "checkout_naive"]

RECOMMENDATIONS = 4


def _inputs(request: HttpRequest, customer_id: int) -> tuple[Customer, Listing]:
    customer = get_object_or_404(Customer.objects.select_related("address"), pk=customer_id)
    try:
        listing_id = int(request.POST.get("listing", ""))
    except ValueError as exc:
        raise Http404("no such listing") from exc
    listing = Listing.objects.public().select_related("product").filter(pk=listing_id).first()
    if listing is None:
        raise Http404(f"no public listing with id {listing_id}")
    return customer, listing


def _new_order(customer: Customer, listing: Listing) -> Order:
    order = Order.objects.create(
        customer=customer, created_at=timezone.now(), status=Order.Status.PENDING
    )
    OrderLine.objects.create(order=order, listing=listing, quantity=1, unit_price=listing.price)
    return order


def _page(request: HttpRequest, context: dict, *, form: str, status: int = 200) -> TemplateResponse:
    ids = context.pop("recommended_ids", [])
    context["recommended"] = list(Product.objects.public().filter(pk__in=ids).order_by("pk"))
    context.update(form="single", partners_form=form)
    return TemplateResponse(request, "shop/checkout.html", context, status=status)


def _sold_out(
    request: HttpRequest, customer: Customer, listing: Listing, *, form: str
) -> TemplateResponse:
    context = {"order": None, "customer": customer, "listing": listing}
    return _page(request, context, form=form, status=409)


@require_POST
def checkout_naive(request: HttpRequest, customer_id: int) -> TemplateResponse:
    """Six partner calls in a row, no timeout: as slow as all of them, as fragile as each."""
    customer, listing = _inputs(request, customer_id)
    stock = naive.call("stock", "GET", f"/stock/{listing.pk}")
    if stock["available"] < 1:
        return _sold_out(request, customer, listing, form="naive")
    quote = naive.call(
        "shipping", "GET", "/shipping/quote", params={"postcode": customer.address.postcode}
    )
    total = listing.price + Decimal(quote["price"])
    order = _new_order(customer, listing)
    payment = naive.call(
        "payment", "POST", "/payments", json={"order": order.pk, "amount": str(total)}
    )
    order.status = Order.Status.PAID
    order.save(update_fields=["status"])
    naive.call("mail", "POST", "/mail/send", json=confirmation_email(order))
    naive.call("crm", "POST", "/crm/events", json=crm_order_event(order))
    recommended = naive.call(
        "recommendations",
        "GET",
        f"/recommendations/{listing.product_id}",
        params={"limit": RECOMMENDATIONS},
    )
    context = {
        "order": order,
        "customer": customer,
        "listing": listing,
        "stock": StockLevel(listing.pk, int(stock["available"]), confirmed=True),
        "quote": ShippingQuote(Decimal(quote["price"]), int(quote["days"]), estimated=False),
        "total": total,
        "payment_id": payment["id"],
        "recommended_ids": recommended["items"],
    }
    return _page(request, context, form="naive")


@require_POST
def checkout(request: HttpRequest, customer_id: int) -> TemplateResponse:
    """The same checkout with timeouts and fallbacks; e-mail and CRM sync as tasks."""
    customer, listing = _inputs(request, customer_id)
    stock = client.stock_level(listing.pk, fallback=listing.stock)
    if stock.available < 1:
        return _sold_out(request, customer, listing, form="optimized")
    quote = client.shipping_quote(customer.address.postcode)
    total = listing.price + quote.price
    with transaction.atomic():
        order = _new_order(customer, listing)
    # The payment call stays outside any transaction: holding one open while a partner
    # thinks would hold its locks that long.
    try:
        payment_id: str | None = client.authorize_payment(order_id=order.pk, amount=total)
    except PartnerUnavailable:
        payment_id = None  # the order stays pending; the page says so
    else:
        with transaction.atomic():
            order.status = Order.Status.PAID
            order.save(update_fields=["status"])
            # After the commit, or a worker could look for a paid order not yet visible.
            # robust=True: a queue that fails to take the task must not fail the page of
            # an order that is already paid.
            transaction.on_commit(partial(send_order_confirmation.enqueue, order.pk), robust=True)
            transaction.on_commit(partial(sync_order_to_crm.enqueue, order.pk), robust=True)
    context = {
        "order": order,
        "customer": customer,
        "listing": listing,
        "stock": stock,
        "quote": quote,
        "total": total,
        "payment_id": payment_id,
        "recommended_ids": client.recommendations(listing.product_id, limit=RECOMMENDATIONS),
    }
    return _page(request, context, form="optimized")
