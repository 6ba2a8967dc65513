"""Notebook 10's checklist: each one-line demonstration measures what its line claims.

Comparisons only between figures measured in the same demonstration, with the margins
the notebook's words rely on.
"""

from __future__ import annotations

import re

import pytest

from workshop_site.lab import checklist

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", text)]


@pytest.mark.slow
def test_every_demo_names_its_item_and_lesson(seeded):
    demo = checklist.inspector()
    assert demo.item == "Django Debug Toolbar is installed and used by everyone"
    assert demo.lesson == "01_instruments.ipynb"
    assert demo.item in repr(demo)
    assert "01_instruments.ipynb" in demo._repr_html_()


@pytest.mark.slow
def test_monitoring_names_the_costliest_route(seeded):
    demo = checklist.monitoring(n=60, progress=False)
    assert re.match(r"60 requests: /\S* costs the most server time \(\d+%\)", demo.measured)


@pytest.mark.slow
def test_the_alert_fires_after_the_bad_deploy(seeded):
    demo = checklist.alerting(n=200, progress=False)
    deployed, fired, later = _numbers(demo.measured)[:3]
    assert fired > deployed
    assert later == fired - deployed


def test_the_inspector_shows_the_naive_list_repeating_a_relation(seeded):
    naive, repeats, fixed = _numbers(checklist.inspector().measured)[:3]
    assert naive > fixed == 3
    assert repeats >= 5


@pytest.mark.slow
@pytest.mark.timing
def test_optimized_routes_cost_less_server_time(seeded):
    _, was, now, _ = _numbers(checklist.top_routes(n=100, progress=False).measured)[1:5]
    assert now < was


@pytest.mark.slow
def test_a_timeout_bounds_the_wait_on_a_hanging_partner(seeded):
    demo = checklist.timeouts()
    waited, bounded = _numbers(demo.measured)[:2]
    assert waited >= 0.9
    assert bounded < 0.9
    assert demo.measured.endswith("the flat rate for the page")


@pytest.mark.slow
def test_the_n_plus_20_test_fails_naive_and_passes_optimized(seeded):
    measured = checklist.pinned_page().measured
    assert re.search(r"naive page fails \((\d+) → (\d+) queries\)", measured)
    first, after = map(int, re.search(r"fails \((\d+) → (\d+)", measured).groups())
    assert after > first
    assert re.search(r"optimized page passes \((\d+) → \1 queries\)", measured)


@pytest.mark.slow
def test_queued_tasks_take_the_slow_partners_out_of_the_checkout(seeded):
    demo = checklist.offloaded()
    naive, fixed = _numbers(demo.measured)[1:3]
    assert naive >= 0.6
    assert fixed < naive - 0.4


def test_a_recorded_answer_replays_with_the_partner_stopped(seeded):
    demo = checklist.mocked_offline()
    assert demo.measured.startswith("recorded once (1 request reached the partner)")
    assert "the same quote" in demo.measured


def test_only_two_columns_weigh_much_less(seeded):
    _, full, slim, _ = _numbers(checklist.loading_less().measured)[:4]
    assert full > 3 * slim


@pytest.mark.slow
def test_an_iterator_holds_much_less_than_a_plain_loop(seeded):
    _, plain, streamed = _numbers(checklist.long_job(orders=5_000).measured)[:3]
    assert plain > 3 * streamed


@pytest.mark.slow
@pytest.mark.timing
def test_the_queue_index_is_faster_at_30_000_orders(seeded):
    _, _, without, with_index = _numbers(checklist.indexes(orders=30_000).measured)[:4]
    assert without > 2 * with_index


@pytest.mark.slow
@pytest.mark.timing
def test_filters_applied_once_render_much_faster(seeded):
    _, heavy, light = _numbers(checklist.templates().measured)[:3]
    assert heavy > 3 * light
