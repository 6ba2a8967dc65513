"""lab/busy_workers.py (`lab.worker_pool`): a few workers, a few clients, a hanging partner."""

from __future__ import annotations

import pytest
from django.conf import settings

from workshop_site import lab
from workshop_site.lab import local_partners
from workshop_site.lab.setting_swap import swap_setting


@pytest.fixture
def hanging():
    """lab.partners() as a notebook uses it, the recommendation partner hanging 0.4 s."""
    before = settings.PARTNERS
    try:
        partners = lab.partners(hang_limit=0.4)
        partners.configure("recommendations", hang=True)
        yield partners
    finally:
        local_partners._stop()
        local_partners._running.clear()
        swap_setting("PARTNERS", before)


def test_a_hanging_partner_holds_every_worker_and_the_ping_waits_for_one(hanging):
    lines = []
    run = lab.worker_pool(page="naive", workers=1, clients=2, echo=lines.append)
    assert len(run.served) == len(lines) == 3
    assert {served.status for served in run.served} == {200}
    partner_pages = sorted(s.answered for s in run.served if s.path == "/partner/")
    # One worker: the ping, sent while the first request hung, was taken only after it.
    assert run.ping.taken >= partner_pages[0] - 0.05
    assert run.ping.queued > 0.1
    assert list(run.frame().columns) == [
        "page",
        "sent_s",
        "queued_s",
        "answered_s",
        "total_s",
        "status",
    ]


def test_bad_arguments_are_named(hanging):
    with pytest.raises(ValueError, match="page must be one of naive, client"):
        lab.worker_pool(page="fast")
    with pytest.raises(ValueError, match="at least 1"):
        lab.worker_pool(workers=0)
