"""What the shop's partners answer: deterministic payloads from the request alone.

Each partner is one route on the local service. The answers are computed from the request
(the same listing always has the same stock), so a cassette recorded today replays the
same data tomorrow and tests can assert exact values.

- ``stock``: ``GET /stock/<listing id>`` → units available and the warehouse;
- ``shipping``: ``GET /shipping/quote?postcode=&items=`` → a price in EUR and days;
- ``recommendations``: ``GET /recommendations/<product id>?limit=`` → related product ids;
- ``payment``: ``POST /payments`` → an authorization id (not idempotent: never retried);
- ``mail``: ``POST /mail/send`` → a message id (the confirmation e-mail);
- ``crm``: ``POST /crm/events`` → an event id (the CRM sync).

Every request needs ``Authorization: Bearer <api key>``, as real partners do: the secret
that cassettes must not store.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["METHODS", "PARTNERS", "Answer", "route", "answer"]

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    payload: Payload


class _BadRequest(Exception):
    pass


def _number(text: str, field: str) -> int:
    if not text.isdigit():
        raise _BadRequest(f"{field} must be a whole number, got {text!r}")
    return int(text)


def _mix(*parts: object) -> int:
    """A stable hash (``hash()`` changes between processes)."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def _stock(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    listing = _number(match["id"], "listing id")
    return Answer(
        200,
        {
            "listing": listing,
            "available": _mix("stock", listing) % 25,
            "warehouse": ("Lyon", "Lille", "Nantes")[listing % 3],
        },
    )


def _shipping(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    postcode = query.get("postcode", "")
    if not re.fullmatch(r"[0-9A-Za-z -]{2,10}", postcode):
        raise _BadRequest(f"postcode must be 2 to 10 letters or digits, got {postcode!r}")
    items = _number(query.get("items", "1"), "items")
    price = Decimal("3.90") + Decimal(_mix("ship", postcode) % 300) / 100 + items - 1
    return Answer(
        200,
        {
            "postcode": postcode,
            "price": f"{price:.2f}",
            "currency": "EUR",
            "days": 1 + _mix("days", postcode) % 4,
        },
    )


def _recommendations(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    product = _number(match["id"], "product id")
    limit = min(_number(query.get("limit", "4"), "limit"), 20)
    # Ids below 50 exist in every seeded shop, even the tests' small one.
    items = [1 + _mix("rec", product, k) % 50 for k in range(limit)]
    return Answer(200, {"product": product, "items": [i for i in items if i != product]})


def _payment(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    try:
        amount = Decimal(str(body["amount"]))
        order = int(body["order"])
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise _BadRequest(
            f"a payment needs an integer 'order' and a decimal 'amount': {exc}"
        ) from exc
    if amount <= 0:
        raise _BadRequest(f"amount must be positive, got {amount}")
    return Answer(
        201,
        {
            "id": f"pay_{order}_{_mix('pay', order, amount) % 10**6:06d}",
            "status": "authorized",
            "amount": f"{amount:.2f}",
        },
    )


def _mail(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    if not body.get("to") or not body.get("subject"):
        raise _BadRequest("an e-mail needs 'to' and 'subject'")
    return Answer(
        202, {"id": f"msg_{_mix('mail', body['to'], body['subject']) % 10**8:08d}", "queued": True}
    )


def _crm(match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    if not body.get("type"):
        raise _BadRequest("a CRM event needs a 'type'")
    return Answer(202, {"id": f"evt_{_mix('crm', sorted(body.items())) % 10**8:08d}"})


Handler = Callable[[re.Match, Mapping[str, str], Payload], Answer]

# partner name -> (method, path pattern, handler)
_ROUTES: dict[str, tuple[str, re.Pattern[str], Handler]] = {
    "stock": ("GET", re.compile(r"/stock/(?P<id>[^/]+)"), _stock),
    "shipping": ("GET", re.compile(r"/shipping/quote"), _shipping),
    "recommendations": ("GET", re.compile(r"/recommendations/(?P<id>[^/]+)"), _recommendations),
    "payment": ("POST", re.compile(r"/payments"), _payment),
    "mail": ("POST", re.compile(r"/mail/send"), _mail),
    "crm": ("POST", re.compile(r"/crm/events"), _crm),
}

#: The partners' names.
PARTNERS: tuple[str, ...] = tuple(_ROUTES)
#: Each partner's HTTP method: GETs may be retried, POSTs may not.
METHODS: dict[str, str] = {name: method for name, (method, _, _) in _ROUTES.items()}


def route(method: str, path: str) -> tuple[str, re.Match] | None:
    """The partner serving ``method path``, and the path's match; None if there is none."""
    for name, (verb, pattern, _handler) in _ROUTES.items():
        found = pattern.fullmatch(path)
        if found is not None and verb == method:
            return name, found
    return None


def answer(partner: str, match: re.Match, query: Mapping[str, str], body: Payload) -> Answer:
    """The partner's answer to a well-routed request; 400 with the reason if it is invalid."""
    handler = _ROUTES[partner][2]
    try:
        return handler(match, query, body)
    except _BadRequest as exc:
        return Answer(400, {"error": str(exc)})
