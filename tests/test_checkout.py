"""shop/views_partners.py: the checkout calls six partners; the naive form suffers their
delays, hangs and failures, the fixed one bounds and survives them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from workshop_site.monitoring import STORE
from workshop_site.shop.models import Customer, Listing, Order

PARTNER_CALLS = ["stock", "shipping", "payment", "mail", "crm", "recommendations"]


@pytest.fixture
def buyer(seeded):
    customer = Customer.objects.select_related("address").order_by("pk").first()
    # A listing the stock partner says is available (its answer depends on the id only).
    listing = Listing.objects.public().order_by("pk")[5]
    return customer, listing


def _checkout(buyer, *, naive: bool, client: Client | None = None):
    customer, listing = buyer
    name = "shop:checkout_naive" if naive else "shop:checkout"
    url = reverse(name, kwargs={"customer_id": customer.pk})
    mark = STORE.mark()
    response = (client or Client()).post(url, {"listing": listing.pk})
    trace = STORE.trace(STORE.records(since=mark)[-1].seq)
    return response, [s.name.split()[1] for s in trace.spans if s.kind == "http"]


def test_naive_checkout_calls_every_partner_in_turn(partners, buyer):
    response, calls = _checkout(buyer, naive=True)
    assert response.status_code == 200
    assert calls == PARTNER_CALLS
    assert [h.partner for h in partners.hits()] == PARTNER_CALLS
    assert Order.objects.order_by("-pk").first().status == Order.Status.PAID
    assert b"Thank you" in response.content
    assert b"You may also like" in response.content


def test_fixed_checkout_sends_the_email_and_crm_sync_after_the_commit(
    partners, buyer, django_capture_on_commit_callbacks
):
    # The test runs in a transaction that never commits: the callbacks are captured, and
    # run when the block ends, after the request.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response, calls = _checkout(buyer, naive=False)
        assert calls == ["stock", "shipping", "payment", "recommendations"]
    assert response.status_code == 200
    assert b"authorized (pay_" in response.content
    assert len(callbacks) == 2
    assert [h.partner for h in partners.hits()][-2:] == ["mail", "crm"]


def test_a_failing_partner_breaks_the_naive_page_but_not_the_fixed_one(partners, buyer):
    partners.configure("payment", failure_rate=1.0)
    naive, _ = _checkout(buyer, naive=True, client=Client(raise_request_exception=False))
    assert naive.status_code == 500
    fixed, calls = _checkout(buyer, naive=False)
    assert fixed.status_code == 200
    assert b"not confirmed yet" in fixed.content
    assert Order.objects.order_by("-pk").first().status == Order.Status.PENDING
    assert "mail" not in calls
    assert "crm" not in calls


@pytest.mark.slow
def test_hanging_partners_fall_back_on_the_fixed_page(partners, buyer):
    for name in ("stock", "shipping", "recommendations"):
        partners.configure(name, hang=True)
    response, _ = _checkout(buyer, naive=False)
    assert response.status_code == 200
    content = response.content.decode()
    assert "flat rate (the shipping partner did not answer in time)" in content
    assert "5.90 €" in content
    assert "our last figure" in content
    assert "You may also like" not in content
    assert partners.in_flight == 3  # it rendered while all three still hang


@pytest.mark.slow
def test_a_sold_out_listing_is_a_409_on_both_forms(partners, seeded):
    customer = Customer.objects.order_by("pk").first()
    # The stock partner's answer for each id is fixed: find one it says is sold out.
    sold_out = next(
        listing
        for listing in Listing.objects.public().order_by("pk")
        if Client()
        .post(
            reverse("shop:checkout", kwargs={"customer_id": customer.pk}),
            {"listing": listing.pk},
        )
        .status_code
        == 409
    )
    response, calls = _checkout((customer, sold_out), naive=True)
    assert response.status_code == 409
    assert calls == ["stock"]
    assert b"Sold out" in response.content


def test_unknown_listing_and_get_are_refused(partners, buyer):
    customer, _ = buyer
    url = reverse("shop:checkout", kwargs={"customer_id": customer.pk})
    assert Client().post(url, {"listing": "nope"}).status_code == 404
    assert Client().post(url, {"listing": "999999"}).status_code == 404
    assert Client().get(url).status_code == 405
    assert partners.hits() == []


def test_the_naive_checkout_takes_at_least_the_sum_of_the_partners_delays(partners, buyer):
    # Notebook 08's first claim, as a lower bound (an upper bound would depend on the machine).
    delays = {"stock": 0.02, "shipping": 0.03, "payment": 0.04, "mail": 0.05, "crm": 0.02}
    delays["recommendations"] = 0.03
    for name, seconds in delays.items():
        partners.configure(name, delay=seconds)
    mark = STORE.mark()
    _checkout(buyer, naive=True)
    record = STORE.records(since=mark)[-1]
    assert record.external_ms >= sum(delays.values()) * 1000
    assert record.duration_ms >= record.external_ms


def test_a_hanging_partner_holds_the_naive_checkout_until_it_lets_go(partners, buyer):
    partners.hang_limit = 0.3
    partners.configure("recommendations", hang=True)
    mark = STORE.mark()
    response, _ = _checkout(buyer, naive=True)
    assert response.status_code == 200  # the partner answered in the end, late
    assert STORE.records(since=mark)[-1].duration_ms >= 300
    assert partners.hits("recommendations")[-1].seconds >= 0.3
