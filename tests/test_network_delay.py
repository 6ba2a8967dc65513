"""lab.latency(ms): at least the requested delay per query, and the state always restored."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from workshop_site import lab
from workshop_site.lab.capture import queries
from workshop_site.lab.network_delay import Latency, current
from workshop_site.shop.models import Customer


@pytest.fixture(autouse=True)
def latency_off():
    """Every test starts and ends with no simulated latency and no leftover wrapper."""
    wrappers = list(connection.execute_wrappers)
    lab.latency.off()
    yield
    lab.latency.off()
    assert connection.execute_wrappers == wrappers


def _delays() -> int:
    return sum(type(w).__name__ == "_Delay" for w in connection.execute_wrappers)


def test_each_query_takes_at_least_the_requested_delay(seeded):
    with lab.latency(5), queries() as q:
        began = time.perf_counter()
        [c.address.city for c in Customer.objects.order_by("id")[:10]]
        wall = time.perf_counter() - began
    assert len(q) == 11
    assert all(query.duration >= 0.005 for query in q), [query.duration for query in q]
    assert wall >= 11 * 0.005
    assert q.latency_ms == 5


def test_latency_switched_on_inside_a_recording_counts_too(seeded):
    with queries() as q:
        Customer.objects.get(pk=1)
        with lab.latency(3):
            Customer.objects.get(pk=2)
    assert q[1].duration >= 0.003
    assert q.latency_ms == 3


def test_without_latency_the_log_says_so(seeded):
    with queries() as q:
        Customer.objects.get(pk=1)
    assert q.latency_ms is None


def test_global_switch_on_and_off(seeded):
    handle = lab.latency(2)
    assert isinstance(handle, Latency)
    assert current() == 2
    assert _delays() == 1
    assert "+2 ms per query" in repr(handle)
    assert "+2 ms/query" in repr(lab.latency)
    lab.latency(0)
    assert current() == 0
    assert _delays() == 0
    lab.latency(4)
    lab.latency.off()
    assert lab.latency.current() == 0
    assert _delays() == 0
    assert "off" in repr(lab.latency)


def test_switching_twice_never_stacks_two_delays(seeded):
    lab.latency(2)
    lab.latency(2)
    with lab.latency(3):
        assert _delays() == 1
        assert current() == 3
    assert _delays() == 1
    assert current() == 2


def test_nested_blocks_restore_in_order_even_on_error(seeded):
    with pytest.raises(RuntimeError, match="boom"):  # noqa: PT012 - nesting is the subject
        with lab.latency(1):
            with lab.latency(7):
                assert current() == 7
                raise RuntimeError("boom")
    assert current() == 0
    assert _delays() == 0


def test_the_delay_sits_outermost_and_leaves_other_wrappers_alone(seeded):
    def other(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other):
        lab.latency(2)  # switched on after another wrapper was pushed...
    # ...so that wrapper's own pop() removed itself, not the delay.
    assert connection.execute_wrappers[0].__class__.__name__ == "_Delay"
    assert other not in connection.execute_wrappers


def test_negative_latency_is_refused():
    with pytest.raises(ValueError, match="latency must be 0 ms or more, got -1"):
        lab.latency(-1)
