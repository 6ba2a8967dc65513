"""external/session.py: which calls are retried, and the longest a call can wait."""

from __future__ import annotations

import pytest

from workshop_site.external.session import partner_session, retry_policy, worst_case


def test_only_idempotent_methods_are_retried_on_a_bad_status():
    policy = retry_policy(retries=2, backoff=0.05)
    assert policy.is_retry("GET", 503)
    assert policy.is_retry("GET", 502)
    assert not policy.is_retry("POST", 503)
    assert not policy.is_retry("GET", 500)  # a bug on their side: asking again won't help
    assert policy.read is False  # a read timeout is re-raised, not retried


def test_the_session_carries_the_key_and_the_policy():
    session = partner_session(api_key="k", retries=3, backoff=0.1)
    assert session.headers["Authorization"] == "Bearer k"
    assert session.get_adapter("http://127.0.0.1").max_retries.total == 3


@pytest.mark.parametrize(
    ("retries", "idempotent", "expected"),
    [
        (0, True, 0.7),  # one attempt: connect + read
        (2, False, 0.7),  # a POST is never retried
        (1, True, 1.4),  # two attempts, no sleep before the first retry
        (2, True, 2.1 + 0.1),  # three attempts, then 0.05 * 2 before the second retry
    ],
)
def test_worst_case(retries, idempotent, expected):
    got = worst_case((0.2, 0.5), retries=retries, backoff=0.05, idempotent=idempotent)
    assert got == pytest.approx(expected)
