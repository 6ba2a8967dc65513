"""The shop's client for its partners: timeouts on every call, fallbacks where they make sense.

Every call goes through one ``requests.Session`` (connections reused, retries as in
:mod:`workshop_site.external.session`) with the partner's (connect, read) timeout from
``settings.PARTNERS``, inside a ``kind="http"`` monitoring span, so the request's trace
shows each call and its record adds them up in ``external_ms``.

Two kinds of calls:

- *Nice to have* (stock, shipping quote, recommendations): when the partner is slow or
  down, the page still renders with a fallback (the database's stock, a flat shipping
  rate, no recommendations) flagged as such.
- *Must happen* (payment, e-mail, CRM): they raise :class:`PartnerUnavailable` quickly,
  and the caller decides (an order left pending, a task to retry later).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from json import loads as json_loads
from typing import Any

import requests

from workshop_site.external.config import PartnerConfig, partner_config
from workshop_site.external.session import partner_session
from workshop_site.monitoring import span

__all__ = [
    "FLAT_SHIPPING",
    "DeadlinePassed",
    "PartnerClient",
    "PartnerUnavailable",
    "ShippingQuote",
    "StockLevel",
    "authorize_payment",
    "client",
    "crm_event",
    "recommendations",
    "send_email",
    "shipping_quote",
    "stock_level",
]

logger = logging.getLogger(__name__)


class PartnerUnavailable(Exception):
    """A partner did not give a usable answer in time: slow, down, or answering an error."""

    def __init__(self, partner: str, reason: str, *, seconds: float) -> None:
        self.partner, self.reason, self.seconds = partner, reason, seconds
        super().__init__(f"{partner} gave no usable answer after {seconds:.2f} s: {reason}")


@dataclass(frozen=True, slots=True)
class StockLevel:
    listing_id: int
    available: int
    confirmed: bool  # False: the partner did not answer, ``available`` is our own figure


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    price: Decimal
    days: int | None
    estimated: bool  # True: the partner did not answer, this is the flat rate


#: What a checkout charges for shipping when the shipping partner does not answer.
FLAT_SHIPPING = ShippingQuote(price=Decimal("5.90"), days=None, estimated=True)


def _reason(exc: Exception) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, ValueError):
        return "the answer is not JSON"
    return type(exc).__name__


class PartnerClient:
    """Calls to the partners described by ``config`` (see the module docstring)."""

    def __init__(self, config: PartnerConfig) -> None:
        self.config = config
        self.session = partner_session(
            api_key=config.api_key, retries=config.retries, backoff=config.backoff
        )

    def call(
        self,
        partner: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One call to ``partner``: its JSON answer, or :class:`PartnerUnavailable`."""
        url = f"{self.config.url}{path}"
        timeout = self.config.timeout(partner)
        deadline = self.config.deadline(partner)
        began = time.perf_counter()
        with span(f"{method} {partner}", kind="http", url=url, timeout=timeout) as opened:
            try:
                response = self.session.request(
                    method, url, params=params, json=json, timeout=timeout, stream=True
                )
                with response:
                    response.raise_for_status()
                    payload = _json_within(response, began, deadline)
            except (requests.RequestException, ValueError) as exc:
                raise PartnerUnavailable(
                    partner, _reason(exc), seconds=time.perf_counter() - began
                ) from exc
            if opened is not None:
                history = getattr(getattr(response.raw, "retries", None), "history", ())
                opened.attributes.update(status=response.status_code, retries=len(history))
        return payload


class DeadlinePassed(requests.Timeout):
    """The answer was still coming when the call's overall deadline passed."""


def _json_within(response: requests.Response, began: float, deadline: float | None) -> Any:
    """The answer's JSON, read chunk by chunk; past ``deadline`` seconds after ``began``,
    :class:`DeadlinePassed`. Each read still waits at most the read timeout, so the call
    ends by the deadline plus one read timeout, however slowly the bytes come."""
    body = bytearray()
    # read1: whatever one read of the socket brings (iter_content waits for a full chunk).
    # The raw response decodes gzip itself then (vcrpy's replayed one takes no keyword).
    response.raw.decode_content = True
    for chunk in iter(lambda: response.raw.read1(1024), b""):
        body += chunk
        if deadline is not None and time.perf_counter() - began > deadline:
            raise DeadlinePassed(f"no full answer after the {deadline:g} s deadline")
    return json_loads(bytes(body))


@lru_cache(maxsize=8)
def _client_for(config: PartnerConfig) -> PartnerClient:
    return PartnerClient(config)


def client() -> PartnerClient:
    """The client for the current ``settings.PARTNERS`` (one session per configuration)."""
    return _client_for(partner_config())


def _fell_back(error: PartnerUnavailable, fallback: object) -> None:
    logger.warning("%s; using the fallback %r", error, fallback)


# Nice to have: a fallback when the partner does not answer --------------------------


def stock_level(listing_id: int, *, fallback: int) -> StockLevel:
    """Units available for ``listing_id``; ``fallback`` (our own figure) if no answer."""
    try:
        payload = client().call("stock", "GET", f"/stock/{listing_id}")
    except PartnerUnavailable as error:
        _fell_back(error, fallback)
        return StockLevel(listing_id, fallback, confirmed=False)
    return StockLevel(listing_id, int(payload["available"]), confirmed=True)


def shipping_quote(postcode: str, *, items: int = 1) -> ShippingQuote:
    """The shipping partner's quote; :data:`FLAT_SHIPPING` if it does not answer."""
    try:
        payload = client().call(
            "shipping", "GET", "/shipping/quote", params={"postcode": postcode, "items": items}
        )
    except PartnerUnavailable as error:
        _fell_back(error, FLAT_SHIPPING)
        return FLAT_SHIPPING
    return ShippingQuote(Decimal(payload["price"]), int(payload["days"]), estimated=False)


def recommendations(product_id: int, *, limit: int = 4) -> list[int]:
    """Ids of products to suggest with ``product_id``; none if the partner does not answer."""
    try:
        payload = client().call(
            "recommendations", "GET", f"/recommendations/{product_id}", params={"limit": limit}
        )
    except PartnerUnavailable as error:
        _fell_back(error, [])
        return []
    return [int(item) for item in payload["items"]]


# Must happen: raise PartnerUnavailable, the caller decides --------------------------


def authorize_payment(*, order_id: int, amount: Decimal) -> str:
    """Authorize ``amount`` EUR for ``order_id``: the authorization id. Never retried."""
    payload = client().call(
        "payment", "POST", "/payments", json={"order": order_id, "amount": str(amount)}
    )
    return str(payload["id"])


def send_email(*, to: str, subject: str, text: str) -> str:
    """Hand an e-mail to the mail partner: its message id."""
    payload = client().call(
        "mail", "POST", "/mail/send", json={"to": to, "subject": subject, "text": text}
    )
    return str(payload["id"])


def crm_event(kind: str, **data: Any) -> str:
    """Tell the CRM that ``kind`` happened (``order.paid``, ...): its event id."""
    payload = client().call("crm", "POST", "/crm/events", json={"type": kind, **data})
    return str(payload["id"])
