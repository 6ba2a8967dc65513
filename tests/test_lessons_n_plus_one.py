"""What notebook 03's prose says about Django without a cell of its own: the admin.

The lesson's own claims (1 + N, one JOIN, LEFT OUTER, FETCH_PEERS...) are checked in the
executed notebook's kernel (``tests/claims/03_n_plus_one.py``); these are the facts its
section 6 and 8 state about the admin's ``list_display`` and ``list_select_related``.
"""

from __future__ import annotations

import re

import pytest
from corpus_lesson03 import OrderAdmin, OrderAdminNaive, admin_rows
from django.contrib import admin
from django.db.models import FETCH_PEERS
from django.utils.deprecation import RemovedInDjango2028Warning

from workshop_site.lab.capture import queries
from workshop_site.lab.inspector import diagnose
from workshop_site.shop.models import Order


def _joins(sql: str) -> list[str]:
    return re.findall(r'JOIN "(\w+)"', sql)


def test_a_method_column_hides_an_n_plus_one_and_list_select_related_removes_it(recorded, seeded):
    rows, log = recorded(lambda: admin_rows(OrderAdminNaive))
    fixed_rows, fixed_log = recorded(lambda: admin_rows(OrderAdmin))
    assert rows == fixed_rows
    (finding,) = diagnose(log)
    assert finding.source.function == "customer_name"
    assert len(fixed_log) == len(log) - finding.count


def test_the_admin_joins_a_foreign_key_it_sees_in_list_display(recorded, seeded):
    class Plain(admin.ModelAdmin):
        list_display = ("id", "customer")
        list_display_links = None
        list_per_page = 20

    _, log = recorded(lambda: admin_rows(Plain))
    assert len(log) == 3  # two counts (the paginator's) and the page
    assert "shop_customer" in _joins(log[-1].sql)


def test_list_select_related_true_joins_everything_and_is_deprecated_too(recorded, seeded):
    with pytest.warns(RemovedInDjango2028Warning, match="list_select_related to True"):

        class Everything(OrderAdminNaive):
            list_select_related = True

    _, log = recorded(lambda: admin_rows(Everything))
    assert {"shop_customer", "shop_address"} <= set(_joins(log[-1].sql))


def test_fetch_modes_do_not_batch_related_managers(seeded):
    orders = Order.objects.fetch_mode(FETCH_PEERS)[:10]
    with queries() as log:
        totals = [order.total for order in orders]
    assert len(totals) == 10
    assert len(log) == 1 + 10
