"""`make site`: the database is prepared once, and the guide links every page pair."""

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from workshop_site.shop.models import Customer
from workshop_site.shop.views_guide import toolbar_guide


@pytest.mark.django_db
def test_prepare_site_seeds_once():
    call_command("prepare_site", size=30, verbosity=0)
    call_command("prepare_site", size=30, verbosity=0)
    assert Customer.objects.count() == 30


@pytest.mark.slow
@pytest.mark.django_db
def test_guide_links_naive_and_optimized_forms_that_render(seeded):
    # The view alone: the site's URLconf also mounts the toolbar, which these settings
    # (the notebooks') leave out; tests/test_browser.py runs the whole site.
    response = toolbar_guide(RequestFactory().get("/guide/")).render()
    assert response.status_code == 200
    pairs = response.context_data["pairs"]
    assert {name for name, _, _ in pairs} >= {"Home", "Product list", "Product detail"}
    for _name, naive, fixed in pairs:
        assert naive.rstrip("/").endswith("naive")
        assert Client().get(naive).status_code == 200
        assert Client().get(fixed).status_code == 200
    assert "similar" in response.content.decode().lower()
