"""The probes the lessons, lab.compare and the grader share: peak memory, a rolled-back
run, timed runs within a budget."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from workshop_site.lab import probes
from workshop_site.lab.probes import (
    best_time,
    frozen_heap,
    peak_memory,
    quiet_gc,
    rolled_back,
    timed_runs,
    traced_peak,
)
from workshop_site.shop.models import Customer


def test_peak_memory_is_what_the_call_allocated_in_bytes():
    value, peak = peak_memory(lambda: bytearray(2_000_000))
    assert len(value) == 2_000_000
    assert 2_000_000 <= peak < 2_200_000


def test_memory_allocated_before_the_block_does_not_count():
    kept = [bytearray(1000) for _ in range(1000)]  # 1 MB alive before the block
    _, peak = peak_memory(lambda: bytearray(10_000))
    assert 10_000 <= peak < 100_000
    assert len(kept) == 1000


def test_tracing_started_elsewhere_is_left_running():
    tracemalloc.start()
    try:
        with traced_peak() as peak:
            bytearray(100_000)
        assert tracemalloc.is_tracing()
        assert peak.bytes >= 100_000
    finally:
        tracemalloc.stop()
    with traced_peak():
        pass
    assert not tracemalloc.is_tracing()


def test_the_peak_is_recorded_when_the_block_raises():
    with pytest.raises(ValueError, match="500000"), traced_peak() as peak:  # noqa: PT012
        data = bytearray(500_000)
        raise ValueError(len(data))
    assert peak.bytes >= 500_000


def test_rolled_back_keeps_no_write(seeded):
    before = Customer.objects.count()
    with rolled_back():
        Customer.objects.all().delete()
        assert Customer.objects.count() == 0
    assert Customer.objects.count() == before


class _Clock:
    """A fake ``perf_counter``: each call of the measured function takes ``costs[i]``."""

    def __init__(self, costs):
        self.now = 0.0
        self.costs = list(costs)
        self.calls = 0

    def perf_counter(self):
        return self.now

    def work(self):
        self.now += self.costs[min(self.calls, len(self.costs) - 1)]
        self.calls += 1
        return self.calls


@pytest.fixture
def clock(monkeypatch):
    def make(*costs):
        fake = _Clock(costs)
        monkeypatch.setattr(probes.time, "perf_counter", fake.perf_counter)
        return fake

    return make


def test_timed_runs_run_once_even_over_the_budget(clock):
    fake = clock(5.0)
    runs = timed_runs(fake.work, repeat=5, budget=0.1)
    assert [(r.value, r.seconds) for r in runs] == [(1, 5.0)]


def test_timed_runs_stop_when_one_more_run_would_pass_the_budget(clock):
    fake = clock(0.05)
    runs = timed_runs(fake.work, repeat=10, budget=0.16)
    # 0.05 + 0.05 (the fastest) fits, then 0.10 + 0.05, then 0.15 + 0.05 does not.
    assert len(runs) == 3


def test_timed_runs_stop_at_repeat(clock):
    fake = clock(0.001)
    assert len(timed_runs(fake.work, repeat=4, budget=10)) == 4
    with pytest.raises(ValueError, match="at least 1"):
        timed_runs(fake.work, repeat=0, budget=1)


def test_best_time_is_the_fastest_run(clock):
    fake = clock(0.3, 0.1, 0.2)
    assert best_time(fake.work, repeat=3, budget=10) == pytest.approx(0.1)


def test_each_run_is_wrapped_by_around_outside_its_time(clock):
    fake = clock(0.01)
    entered = []

    class Around:
        def __enter__(self):
            entered.append(fake.now)
            fake.now += 100  # not counted: outside the run's timing

        def __exit__(self, *exc):
            fake.now += 100

    runs = timed_runs(fake.work, repeat=2, budget=10, around=Around)
    assert [r.seconds for r in runs] == [pytest.approx(0.01)] * 2
    assert len(entered) == 2


@pytest.mark.slow
def test_the_collector_is_paused_during_a_run_and_back_after():
    states = []
    timed_runs(lambda: states.append(gc.isenabled()), repeat=2, budget=10)
    assert states == [False, False]
    assert gc.isenabled()
    with quiet_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_frozen_heaps_nest_and_unfreeze_once():
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with frozen_heap():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    assert gc.get_freeze_count() == 0
