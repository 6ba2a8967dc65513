"""lab.partners(): one partner service per kernel, the clients pointed at it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.tasks import task_backends

from workshop_site.external import Behaviour
from workshop_site.lab import local_partners as lab_partners
from workshop_site.lab.setting_swap import swap_setting


@pytest.fixture
def kernel_partners():
    """lab.partners() as a notebook uses it; the service stopped and settings restored after."""
    before = settings.PARTNERS
    try:
        yield lab_partners.partners
    finally:
        lab_partners._stop()
        lab_partners._running.clear()
        swap_setting("PARTNERS", before)


def test_the_same_service_again_healthy_and_pointed_at(kernel_partners):
    first = kernel_partners()
    assert settings.PARTNERS["URL"] == first.url
    first.configure("stock", hang=True)
    again = kernel_partners()
    assert again is first
    assert again.behaviour("stock") == Behaviour()
    again.configure("crm", delay=0.1)
    assert kernel_partners(reset=False).behaviour("crm").delay == 0.1


def test_a_stopped_service_is_started_again_and_the_url_follows(kernel_partners):
    first = kernel_partners(hang_limit=0.5)
    first.stop()
    second = kernel_partners()
    assert second.running
    assert second.hang_limit == 1.0
    assert settings.PARTNERS["URL"] == second.url


def test_swap_setting_resets_what_django_built_from_it():
    before = settings.TASKS
    immediate = task_backends["default"]
    try:
        swap_setting("TASKS", {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
        assert type(task_backends["default"]).__name__ == "DummyBackend"
    finally:
        swap_setting("TASKS", before)
    assert type(task_backends["default"]) is type(immediate)
