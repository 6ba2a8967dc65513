"""grading/partner_checks.py: lesson 08's check kinds, on right and wrong answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
import vcr
from django.conf import settings

from workshop_site.external import client
from workshop_site.external.client import FLAT_SHIPPING, ShippingQuote
from workshop_site.grading.exercises.ex08 import POSTCODE
from workshop_site.grading.grader import grade
from workshop_site.grading.kinds.partners import change_recorded_answers

# The references, from the solutions notebook (one source); renamed so pytest does not
# collect the reference test as one of ours.
from workshop_site.grading.references.ref08 import shipping_quote
from workshop_site.grading.references.ref08 import test_shipping_quote as shipping_quote_test

QUOTE = ShippingQuote(Decimal("6.18"), 1, estimated=False)


def graded(exercise_id, fn):
    return grade(exercise_id, fn, progress=False)


def _get(postcode: str, *, timeout: float | tuple[float, float]) -> requests.Response:
    return requests.get(
        f"{settings.PARTNERS['URL']}/shipping/quote",
        params={"postcode": postcode},
        headers={"Authorization": f"Bearer {settings.PARTNERS['API_KEY']}"},
        timeout=timeout,
    )


# 08.1 -----------------------------------------------------------------------------------


def test_the_reference_falls_back_in_time(db):
    verdict = graded("08.1", shipping_quote)
    assert verdict.passed, repr(verdict)
    assert "with the partner hanging (budget 1 s)" in verdict.figures[1]


def test_the_stub_is_not_written_yet(db):
    def stub(postcode):
        raise NotImplementedError("write your answer here")

    verdict = graded("08.1", stub)
    assert verdict.status == "todo"
    assert "not written yet" in verdict.message


@pytest.mark.slow
def test_no_timeout_is_too_slow(db):
    def no_timeout(postcode):
        try:
            response = _get(postcode, timeout=30)  # as good as none: the partner decides
            data = response.json()
            return ShippingQuote(Decimal(data["price"]), int(data["days"]), estimated=False)
        except (requests.RequestException, ValueError, KeyError):
            return FLAT_SHIPPING

    verdict = graded("08.1", no_timeout)
    assert verdict.status == "fail"
    assert verdict.kind == "partner-fallback"
    assert "with the shipping partner hanging, your function took 2." in verdict.message
    assert "(budget 1 s)" in verdict.message
    assert "timeout=(connect, read)" in verdict.message


def test_a_timeout_without_fallback_raises(db):
    def no_fallback(postcode):
        response = _get(postcode, timeout=(0.2, 0.5))
        response.raise_for_status()
        data = response.json()
        return ShippingQuote(Decimal(data["price"]), int(data["days"]), estimated=False)

    verdict = graded("08.1", no_fallback)
    assert "with the shipping partner hanging, your code raised ReadTimeout" in verdict.message
    assert "Catch `requests.RequestException`" in verdict.message


def test_always_the_fallback_is_a_wrong_answer(db):
    verdict = graded("08.1", lambda postcode: FLAT_SHIPPING)
    assert "with the shipping partner answering, your function returned" in verdict.message
    assert "6.18" in verdict.message


def test_a_503_must_fall_back_too(db):
    def ignores_status(postcode):
        try:
            data = _get(postcode, timeout=(0.2, 0.5)).json()
        except requests.RequestException:
            return FLAT_SHIPPING
        return ShippingQuote(Decimal(data["price"]), int(data["days"]), estimated=False)

    verdict = graded("08.1", ignores_status)
    assert "with the shipping partner answering 503, your code raised KeyError" in verdict.message


# 08.2 -----------------------------------------------------------------------------------


def test_the_reference_cassette_test_passes(db):
    verdict = graded("08.2", shipping_quote_test)
    assert verdict.passed, repr(verdict)
    assert verdict.figures[0] == "recorded 1 request(s)"
    changed = "price: '6.18' → '7.18'; days: 1 → 2"
    assert verdict.figures[2] == f"failed when the answer changed ({changed})"


@pytest.mark.slow
def test_a_test_that_asserts_nothing_fails(db):
    def asserts_nothing(cassette, record_mode="none"):
        with vcr.use_cassette(
            str(cassette), record_mode=record_mode, filter_headers=["authorization"]
        ):
            client.shipping_quote(POSTCODE)

    verdict = graded("08.2", asserts_nothing)
    assert verdict.kind == "cassette-test"
    assert (
        "still passes after the recorded answer changed (price: '6.18' → '7.18'" in verdict.message
    )


def test_a_cassette_with_the_key_fails(db):
    def keeps_the_key(cassette, record_mode="none"):
        with vcr.use_cassette(str(cassette), record_mode=record_mode):
            assert client.shipping_quote(POSTCODE) == QUOTE

    verdict = graded("08.2", keeps_the_key)
    assert "stores the partners' API key" in verdict.message


def test_a_mock_records_nothing(db):
    from unittest import mock

    def mocked(cassette, record_mode="none"):
        with mock.patch.object(
            client.PartnerClient, "call", return_value={"price": "1", "days": 1}
        ):
            assert client.shipping_quote(POSTCODE).price == 1

    verdict = graded("08.2", mocked)
    assert "recorded nothing into the cassette it was given (0 request(s)" in verdict.message


def test_a_test_that_needs_the_network_fails_offline(db):
    def always_records(cassette, record_mode="none"):
        # "all" records again every time: the replay reaches for the (stopped) partners.
        with vcr.use_cassette(str(cassette), record_mode="all", filter_headers=["authorization"]):
            assert client.shipping_quote(POSTCODE) == QUOTE

    verdict = graded("08.2", always_records)
    assert verdict.message.startswith("replaying the cassette with the partners stopped")


def test_the_stub_cassette_test_is_not_written_yet(db):
    def stub(cassette, record_mode="none"):
        raise NotImplementedError("write your answer here")

    assert graded("08.2", stub).status == "todo"


def test_change_recorded_answers_rewrites_numbers_and_lengths(tmp_path, partners):
    recorder = vcr.VCR(record_mode="once", filter_headers=["authorization"])
    cassette = tmp_path / "c.yaml"
    with recorder.use_cassette(str(cassette)):
        client.stock_level(12, fallback=0)
    assert change_recorded_answers(cassette) == ["listing: 12 → 13", "available: 19 → 20"]
    with vcr.use_cassette(str(cassette), record_mode="none"):
        assert client.stock_level(12, fallback=0).available == 20


def test_the_declared_quote_is_the_partners(partners):
    assert client.shipping_quote(POSTCODE) == QUOTE
