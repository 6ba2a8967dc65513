"""The HTTP session the shop's partner client uses: connection reuse and careful retries.

Retries (urllib3 ``Retry``) are safe only where repeating the call cannot do the work
twice. A refused connection sent nothing, so it is retried for every method; a 502/503/504
answer is retried for GETs only, because a POST (a payment) may already have been done.
A read timeout is never retried: a partner that is slow now is slow 50 ms later, and
retrying would multiply the wait the timeout was meant to bound.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

__all__ = [
    "call_bound",
    "IDEMPOTENT",
    "RETRY_STATUSES",
    "partner_session",
    "retry_policy",
    "worst_case",
]

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = (502, 503, 504)


def retry_policy(*, retries: int, backoff: float) -> Retry:
    """The ``Retry`` described in the module docstring."""
    return Retry(
        total=retries,
        connect=retries,
        read=False,  # re-raise the read timeout itself (not a MaxRetryError)
        status=retries,
        other=0,
        allowed_methods=IDEMPOTENT,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        raise_on_status=False,  # the last 503 comes back; raise_for_status() names it
    )


def partner_session(*, api_key: str, retries: int, backoff: float) -> requests.Session:
    """A ``requests.Session`` with the partners' key and the retry policy mounted on http."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api_key}"
    adapter = HTTPAdapter(max_retries=retry_policy(retries=retries, backoff=backoff))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def worst_case(
    timeout: tuple[float, float], *, retries: int, backoff: float, idempotent: bool
) -> float:
    """The longest a call can wait on a partner that answers 503 or sends nothing (seconds).

    Each attempt waits at most connect + read; a GET makes ``1 + retries`` attempts with
    urllib3's backoff between them (none before the first retry, then ``backoff * 2**k``).
    The read timeout bounds the wait *between two bytes*, not the whole answer: a partner
    trickling bytes takes as long as it likes; that is what this figure does not cover (see
    :func:`call_bound`).
    """
    attempts = 1 + retries if idempotent else 1
    sleeps = sum(backoff * 2 ** (k - 1) for k in range(2, attempts))
    return attempts * sum(timeout) + sleeps


def call_bound(
    timeout: tuple[float, float],
    *,
    retries: int,
    backoff: float,
    idempotent: bool,
    deadline: float,
) -> float:
    """The longest a call of the shop's client takes when its answer's body trickles
    (seconds): the answer starts by :func:`worst_case` at the latest; the client stops
    reading at the deadline, after the one read (at most ``read`` seconds) then waiting."""
    silent = worst_case(timeout, retries=retries, backoff=backoff, idempotent=idempotent)
    return max(silent, deadline) + timeout[1]
