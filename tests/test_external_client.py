"""external/client.py: the shop's partner calls, replayed from cassettes and run against
the local service when the point is how they fail.

The cassettes under ``tests/cassettes/`` were recorded against the local partner service
and are replayed with ``record_mode="none"``: the service runs (the clients need its
URL) and must receive nothing. To record them again, delete them and run
``WORKSHOP_VCR_RECORD=once pytest tests/test_external_client.py``.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from vcr.errors import CannotOverwriteExistingCassetteException

from workshop_site.external import DEFAULT_API_KEY, client
from workshop_site.external.cassettes import holds_secret, partner_vcr
from workshop_site.external.client import (
    FLAT_SHIPPING,
    PartnerUnavailable,
    ShippingQuote,
    StockLevel,
)
from workshop_site.external.session import call_bound, worst_case
from workshop_site.monitoring import Trace

CASSETTES = Path(__file__).parent / "cassettes"
RECORD_MODE = os.environ.get("WORKSHOP_VCR_RECORD", "none")
recorder = partner_vcr(cassette_dir=CASSETTES, record_mode=RECORD_MODE)


@pytest.fixture
def replayed(partners):
    """The partners' URL is set, and after the test they must have received nothing."""
    yield partners
    if RECORD_MODE == "none":
        assert partners.hits() == [], "a replayed test reached the partner service"


# Answers, from the cassettes -----------------------------------------------------------


def test_stock_level(replayed):
    with recorder.use_cassette("stock_level.yaml"):
        assert client.stock_level(12, fallback=0) == StockLevel(12, 19, confirmed=True)


def test_shipping_quote(replayed):
    with recorder.use_cassette("shipping_quote.yaml"):
        quote = client.shipping_quote("75011", items=2)
    assert quote == ShippingQuote(Decimal("7.75"), 2, estimated=False)


def test_recommendations(replayed):
    with recorder.use_cassette("recommendations.yaml"):
        assert client.recommendations(3, limit=4) == [38, 24, 42, 28]


def test_payment_email_and_crm_return_the_partners_ids(replayed):
    with recorder.use_cassette("order_paid.yaml"):
        payment = client.authorize_payment(order_id=7, amount=Decimal("19.90"))
        message = client.send_email(to="ada@example.com", subject="Order #7", text="Thanks")
        event = client.crm_event("order.paid", order=7, customer="ada@example.com")
    assert payment.startswith("pay_7_")
    assert message.startswith("msg_")
    assert event.startswith("evt_")


def test_a_request_the_cassette_lacks_fails_loudly_instead_of_falling_back(replayed):
    # The fallback catches network errors; a missing recording is a test bug, not an outage.
    with (
        recorder.use_cassette("stock_level.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.stock_level(13, fallback=0)


def test_cassettes_hold_no_api_key():
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert cassettes, f"no cassettes in {CASSETTES}"
    for cassette in cassettes:
        assert not holds_secret(cassette, DEFAULT_API_KEY), f"{cassette.name} holds the key"
        assert holds_secret(cassette, "<partner API key>"), f"{cassette.name}: header not filtered"


# Failures, against the local service ---------------------------------------------------


def test_a_hanging_stock_partner_falls_back_after_the_read_timeout(partners, settings):
    partners.configure("stock", hang=True)  # held 2 s by the service; the timeout is 0.5 s
    level = client.stock_level(12, fallback=4)
    assert level == StockLevel(12, 4, confirmed=False)
    assert partners.in_flight == 1, "the call returned while the partner still hangs"
    assert len(partners.hits("stock")) == 0  # and a read timeout is not retried


def test_a_failing_get_is_retried_then_falls_back(partners, settings):
    partners.configure("shipping", failure_rate=1.0)
    assert client.shipping_quote("75011") == FLAT_SHIPPING
    attempts = 1 + settings.PARTNERS["RETRIES"]
    assert [h.status for h in partners.hits("shipping")] == [503] * attempts


def test_retries_turn_most_failures_of_a_flaky_get_into_answers(partners):
    partners.configure("recommendations", failure_rate=0.5)
    results = [client.recommendations(3) for _ in range(20)]
    failures = [h.status for h in partners.hits("recommendations")].count(503)
    fell_back = results.count([])
    # A call falls back after 3 failed attempts; every other failure was retried away.
    assert failures > 3 * fell_back
    assert fell_back < len(results) / 4


def test_a_failing_payment_is_never_retried(partners):
    partners.configure("payment", failure_rate=1.0)
    with pytest.raises(PartnerUnavailable, match="payment gave no usable answer .*: HTTP 503"):
        client.authorize_payment(order_id=1, amount=Decimal("10"))
    assert len(partners.hits("payment")) == 1


def test_a_hanging_payment_raises_after_its_read_timeout(partners, settings):
    settings.PARTNERS = {**settings.PARTNERS, "TIMEOUTS": {"payment": (0.2, 0.2)}}
    partners.configure("payment", hang=True)
    with pytest.raises(PartnerUnavailable, match=r"timed out \(ReadTimeout\)") as caught:
        client.authorize_payment(order_id=1, amount=Decimal("10"))
    assert caught.value.partner == "payment"
    assert caught.value.seconds < 2.0


def test_a_refused_connection_is_unavailable(settings):
    settings.PARTNERS = {**settings.PARTNERS, "URL": "http://127.0.0.1:9", "RETRIES": 0}
    with pytest.raises(PartnerUnavailable, match="ConnectionError"):
        client.send_email(to="a@example.com", subject="s", text="t")
    assert client.recommendations(1) == []


def test_each_call_is_an_http_span_with_its_status_and_retries(partners):
    partners.configure("shipping", failure_rate=1.0)
    trace = Trace()
    with trace.activate():
        client.stock_level(12, fallback=0)
        client.shipping_quote("75011")
    stock, shipping = (s for s in trace.spans if s.kind == "http")
    assert (stock.name, stock.attributes["status"], stock.attributes["retries"]) == (
        "GET stock",
        200,
        0,
    )
    assert shipping.attributes["error"].startswith("PartnerUnavailable: shipping")
    assert trace.external_time == pytest.approx(stock.duration + shipping.duration)


def test_one_client_per_configuration(partners, settings):
    first = client.client()
    assert client.client() is first
    settings.PARTNERS = {**settings.PARTNERS, "URL": "http://127.0.0.1:9"}
    assert client.client() is not first
    assert client.client().config.url == "http://127.0.0.1:9"


def test_a_partner_without_a_timeout_is_a_setup_error(settings):
    settings.PARTNERS = {**settings.PARTNERS, "TIMEOUTS": {"stock": (1, 1)}}
    with pytest.raises(KeyError, match=r"has no entry for 'crm' \(stock\)"):
        client.crm_event("order.paid")


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_a_trickling_partner_beats_the_read_timeout_but_not_the_deadline(partners):
    # 41 bytes, one every 0.1 s: about 4 s, and never 0.3 s of silence (the read timeout).
    partners.configure("recommendations", trickle=0.1)
    auth = {"Authorization": f"Bearer {partners.api_key}"}
    began = time.perf_counter()
    plain = requests.get(f"{partners.url}/recommendations/1", headers=auth, timeout=(0.2, 0.3))
    plain_seconds = time.perf_counter() - began
    assert plain.status_code == 200
    assert plain_seconds > 2 * 0.5, "the read timeout let the whole answer trickle in"
    began = time.perf_counter()
    assert client.recommendations(1) == []  # the fallback, at the deadline
    cut = time.perf_counter() - began
    assert cut < plain_seconds / 2, f"{cut:.2f} s with the deadline, {plain_seconds:.2f} without"


def test_the_bound_with_a_deadline_covers_a_trickle_and_the_silent_worst_case():
    timeout = (0.2, 0.3)
    silent = worst_case(timeout, retries=2, backoff=0.05, idempotent=True)
    assert silent == pytest.approx(3 * 0.5 + 0.1)  # backoff: none, then 0.05 * 2
    bound = call_bound(timeout, retries=2, backoff=0.05, idempotent=True, deadline=0.5)
    assert bound == pytest.approx(silent + 0.3)
    assert call_bound(
        timeout, retries=0, backoff=0, idempotent=False, deadline=2.0
    ) == pytest.approx(2.3)
