"""external/behaviour.py: per-partner delay, failure rate and hang, and the failure draws."""

from __future__ import annotations

import pytest

from workshop_site.external.behaviour import Behaviour, Controls


def test_a_behaviour_refuses_impossible_values():
    with pytest.raises(ValueError, match="delay must be >= 0 seconds, got -1"):
        Behaviour(delay=-1)
    with pytest.raises(ValueError, match="failure_rate must be between 0 and 1, got 1.5"):
        Behaviour(failure_rate=1.5)


def test_unknown_partner_names_the_known_ones():
    controls = Controls(["stock", "payment"])
    with pytest.raises(KeyError, match="no partner 'stok'; the partners are stock, payment"):
        controls.set("stok", delay=1)


def test_scoped_puts_back_what_was_there_even_on_error():
    controls = Controls(["stock"])
    controls.set("stock", delay=0.2)
    with pytest.raises(RuntimeError), controls.scoped("stock", hang=True):  # noqa: PT012
        assert controls.get("stock") == Behaviour(delay=0.2, hang=True)
        raise RuntimeError("the test failed inside the block")
    assert controls.get("stock") == Behaviour(delay=0.2)


def test_a_hanging_partner_waits_the_hang_limit_whatever_its_delay():
    controls = Controls(["stock"])
    controls.set("stock", delay=0.1, hang=True)
    decision = controls.decide("stock", hang_limit=3.0)
    assert (decision.wait, decision.hang, decision.fail) == (3.0, True, False)


def test_failures_follow_the_rate_and_repeat_after_reset():
    controls = Controls(["stock"], seed=5)
    controls.set("stock", failure_rate=0.3)
    first = [controls.decide("stock", hang_limit=1).fail for _ in range(1000)]
    assert 250 < sum(first) < 350
    controls.reset()
    assert controls.get("stock") == Behaviour()
    controls.set("stock", failure_rate=0.3)
    assert [controls.decide("stock", hang_limit=1).fail for _ in range(1000)] == first


def test_rates_zero_and_one_never_and_always_fail():
    controls = Controls(["a", "b"])
    controls.set("b", failure_rate=1.0)
    assert not any(controls.decide("a", hang_limit=1).fail for _ in range(100))
    assert all(controls.decide("b", hang_limit=1).fail for _ in range(100))
