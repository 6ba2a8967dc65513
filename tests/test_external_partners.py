"""external/partners.py: which partner serves a request, and what it answers."""

from __future__ import annotations

import pytest

from workshop_site.external.partners import PARTNERS, answer, route


def _answer(method: str, path: str, query: dict | None = None, body: dict | None = None):
    found = route(method, path)
    assert found is not None, f"no partner serves {method} {path}"
    return answer(found[0], found[1], query or {}, body or {})


@pytest.mark.parametrize(
    ("method", "path", "partner"),
    [
        ("GET", "/stock/12", "stock"),
        ("GET", "/shipping/quote", "shipping"),
        ("GET", "/recommendations/3", "recommendations"),
        ("POST", "/payments", "payment"),
        ("POST", "/mail/send", "mail"),
        ("POST", "/crm/events", "crm"),
    ],
)
def test_each_partner_has_its_route(method, path, partner):
    assert route(method, path)[0] == partner
    assert partner in PARTNERS


def test_a_wrong_method_or_path_has_no_partner():
    assert route("POST", "/stock/12") is None
    assert route("GET", "/stock/12/extra") is None


def test_answers_depend_on_the_request_only():
    one = _answer("GET", "/stock/12").payload
    assert one == _answer("GET", "/stock/12").payload
    assert 0 <= one["available"] < 25
    assert one["listing"] == 12
    quote = _answer("GET", "/shipping/quote", {"postcode": "75011", "items": "2"}).payload
    assert quote["currency"] == "EUR"
    assert 1 <= quote["days"] <= 4
    recommended = _answer("GET", "/recommendations/3", {"limit": "6"}).payload["items"]
    assert len(recommended) <= 6
    assert 3 not in recommended


def test_a_payment_gets_an_id_and_echoes_the_amount():
    result = _answer("POST", "/payments", body={"order": 7, "amount": "12.5"})
    assert result.status == 201
    assert result.payload["id"].startswith("pay_7_")
    assert result.payload["amount"] == "12.50"


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "message"),
    [
        ("GET", "/stock/abc", {}, {}, "listing id must be a whole number, got 'abc'"),
        ("GET", "/shipping/quote", {"postcode": "!"}, {}, "postcode must be 2 to 10"),
        ("POST", "/payments", {}, {"order": 1}, "needs an integer 'order' and a decimal"),
        ("POST", "/payments", {}, {"order": 1, "amount": "-3"}, "amount must be positive"),
        ("POST", "/mail/send", {}, {"to": "a@b.c"}, "an e-mail needs 'to' and 'subject'"),
        ("POST", "/crm/events", {}, {}, "a CRM event needs a 'type'"),
    ],
)
def test_bad_requests_get_a_400_that_says_why(method, path, query, body, message):
    result = _answer(method, path, query, body)
    assert result.status == 400
    assert message in result.payload["error"]
