"""Every claim notebook 03 makes about its examples, on the functions the notebook calls.

The notebook prints its figures live on the default data; these tests pin the shape of
each one ("1 + N", "1 + 2N", "2 queries", "LEFT OUTER JOIN", the line a query comes from)
on a seeded test database (200 customers: every example has rows to show).
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.exceptions import FieldFetchBlocked
from django.db.models import FETCH_PEERS
from django.utils.deprecation import RemovedInDjango2028Warning

from workshop_site.lab.capture import queries
from workshop_site.lab.inspector import diagnose
from workshop_site.lessons import n_plus_one as lesson
from workshop_site.shop.models import Category, Customer, Listing, Order, Product, Review

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200


def _joins(sql: str) -> list[tuple[str, str]]:
    return re.findall(r'(INNER|LEFT OUTER) JOIN "(\w+)"', sql)


# -- 1-5: the welcome letter ------------------------------------------------------------


@pytest.mark.slow
def test_welcome_letters_naive_is_one_plus_n(recorded, seeded):
    letters, log = recorded(lesson.welcome_letters_naive)
    customers = Customer.objects.count()
    assert len(letters) == customers
    assert len(log) == 1 + customers


def test_the_inspector_names_the_relation_and_the_fix(recorded, seeded):
    _, log = recorded(lesson.welcome_letters_naive)
    (finding,) = diagnose(log)
    assert finding.relation == "Customer.address"
    assert str(finding.fix) == 'select_related("address")'
    assert finding.count == Customer.objects.count()
    assert finding.source.function == "welcome_letters_naive"


@pytest.mark.slow
def test_select_related_makes_one_query_with_an_inner_join(recorded, seeded):
    letters, log = recorded(lesson.welcome_letters)
    assert letters == lesson.welcome_letters_naive()
    assert len(log) == 1
    assert _joins(log[0].sql) == [("INNER", "shop_address")]


# -- 6: two hops -----------------------------------------------------------------------


@pytest.mark.slow
def test_price_list_is_one_plus_2n_then_one_plus_n_then_one(recorded, seeded):
    n = min(lesson.PAGE, Listing.objects.count())
    naive, naive_log = recorded(lesson.price_list_naive)
    one_hop, one_hop_log = recorded(lesson.price_list_one_hop)
    fixed, fixed_log = recorded(lesson.price_list)
    assert len(naive) == n
    assert naive == one_hop == fixed
    assert (len(naive_log), len(one_hop_log), len(fixed_log)) == (1 + 2 * n, 1 + n, 1)
    assert _joins(fixed_log[0].sql) == [("INNER", "shop_product"), ("INNER", "shop_brand")]


# -- 7: select_related() with no argument ----------------------------------------------


@pytest.mark.slow
def test_select_related_without_argument_joins_every_non_null_fk_recursively(recorded, seeded):
    with pytest.warns(RemovedInDjango2028Warning, match="select_related"):
        everything, everything_log = recorded(lesson.packing_list_everything)
    explicit, explicit_log = recorded(lesson.packing_list)
    assert everything == explicit
    assert len(everything_log) == len(explicit_log) == 1
    assert {table for _, table in _joins(everything_log[0].sql)} == {
        "shop_order",
        "shop_customer",
        "shop_address",
        "shop_listing",
        "shop_product",
        "shop_brand",
    }
    assert [table for _, table in _joins(explicit_log[0].sql)] == ["shop_listing", "shop_product"]


# -- 8: a nullable foreign key ---------------------------------------------------------


def test_category_menu_queries_only_for_categories_with_a_parent(recorded, seeded):
    menu, log = recorded(lesson.category_menu_naive)
    with_parent = Category.objects.filter(parent__isnull=False).count()
    assert 0 < with_parent < Category.objects.count()
    assert len(menu) == Category.objects.count()
    assert len(log) == 1 + with_parent


def test_nullable_fk_is_a_left_outer_join_and_not_followed_without_argument(recorded, seeded):
    menu, log = recorded(lesson.category_menu)
    assert menu == lesson.category_menu_naive()
    assert len(log) == 1
    assert _joins(log[0].sql) == [("LEFT OUTER", "shop_category")]
    with pytest.warns(RemovedInDjango2028Warning):
        everything = Category.objects.select_related()
    assert _joins(str(everything.query)) == []


# -- 9: fetch modes --------------------------------------------------------------------


@pytest.mark.slow
def test_fetch_peers_makes_two_queries_without_naming_the_relation(recorded, seeded):
    letters, log = recorded(lesson.welcome_letters_peers)
    assert letters == lesson.welcome_letters_naive()
    assert len(log) == 2
    assert log[1].sql.startswith('SELECT "shop_address"."id"')
    assert " IN (" in log[1].sql


def test_fetch_peers_makes_one_query_per_relation_read(seeded):
    listings = Listing.objects.fetch_mode(FETCH_PEERS).order_by("id")[: lesson.PAGE]
    with queries() as log:
        brands = [listing.product.brand.name for listing in listings]
    assert len(brands) == min(lesson.PAGE, Listing.objects.count())
    assert len(log) == 1 + 2  # the listings, then every product, then every brand


def test_the_fetch_mode_follows_the_objects_it_loads(seeded):
    customers = list(Customer.objects.fetch_mode(FETCH_PEERS))
    assert customers[0].address._state.fetch_mode is FETCH_PEERS


def test_fetch_peers_covers_deferred_fields(recorded, seeded):
    n = min(lesson.PAGE, Product.objects.count())
    naive, naive_log = recorded(lesson.snippets_naive)
    peers, peers_log = recorded(lesson.snippets_peers)
    assert naive == peers
    assert len(naive) == n
    assert (len(naive_log), len(peers_log)) == (1 + n, 2)


@pytest.mark.slow
def test_fetch_raise_blocks_the_first_lazy_load_and_lets_fixed_coderecorded(recorded, seeded):
    with queries() as log, pytest.raises(FieldFetchBlocked, match="Customer.address"):
        lesson.welcome_letters_strict()
    assert len(log) == 1
    letters, fixed_log = recorded(lesson.welcome_letters_strict_fixed)
    assert letters == lesson.welcome_letters_naive()
    assert len(fixed_log) == 1


def test_fetch_modes_do_not_batch_related_managers(seeded):
    orders = Order.objects.fetch_mode(FETCH_PEERS)[:10]
    with queries() as log:
        totals = [order.total for order in orders]
    assert len(totals) == 10
    assert len(log) == 1 + 10


# -- 10: where N+1s hide ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("naive", "fixed", "function"),
    [
        (lesson.restock_list_naive, lesson.restock_list, "__str__"),
        (lesson.mailing_labels_naive, lesson.mailing_labels, "mailing_label"),
        (lesson.latest_reviews_page_naive, lesson.latest_reviews_page, "latest_reviews_page_naive"),
        (lesson.pending_orders_api_naive, lesson.pending_orders_api, "order_json"),
        (lesson.admin_orders_naive, lesson.admin_orders, "customer_name"),
    ],
    ids=["__str__", "property", "template", "serializer", "admin"],
)
def test_each_hidden_n_plus_one_names_its_line_and_its_fix_removes_it(
    seeded, recorded, naive, fixed, function
):
    expected, naive_log = recorded(naive)
    result, fixed_log = recorded(fixed)
    assert result == expected
    (finding,) = diagnose(naive_log)
    assert finding.source.function == function
    assert finding.count >= 3
    assert len(fixed_log) == len(naive_log) - finding.count


def test_hidden_loads_in_models_point_at_shop_models(recorded, seeded):
    for naive in (lesson.restock_list_naive, lesson.mailing_labels_naive):
        _, log = recorded(naive)
        (finding,) = diagnose(log)
        assert finding.source.short.startswith("shop/models.py:")


def test_the_examples_have_rows_to_show(seeded):
    assert Listing.objects.filter(stock__lt=3).count() >= 3
    assert Customer.objects.filter(welcome_letter_sent=False).count() >= 3
    assert Review.objects.count() >= lesson.LATEST
    assert Order.objects.filter(status=Order.Status.PENDING).count() >= 3


def test_the_admin_joins_a_foreign_key_it_sees_in_list_display(recorded, seeded):
    class Plain(admin.ModelAdmin):
        list_display = ("id", "customer")
        list_display_links = None
        list_per_page = 20

    _, log = recorded(lambda: lesson.admin_rows(Plain))
    _, fixed_log = recorded(lesson.admin_orders)
    assert len(log) == len(fixed_log) == 3  # two counts (the paginator's) and the page
    assert ("INNER", "shop_customer") in _joins(log[-1].sql)


def test_list_select_related_true_joins_everything_and_is_deprecated_too(recorded, seeded):
    with pytest.warns(RemovedInDjango2028Warning, match="list_select_related to True"):

        class Everything(lesson.OrderAdminNaive):
            list_select_related = True

    _, log = recorded(lambda: lesson.admin_rows(Everything))
    assert {"shop_customer", "shop_address"} <= {table for _, table in _joins(log[-1].sql)}
