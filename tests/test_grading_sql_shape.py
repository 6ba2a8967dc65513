"""grading/sql_shape.py: the Shape check kind reads SQL as SQL, not as text."""

from __future__ import annotations

import pytest

from workshop_site.grading.sql_shape import read


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "shop_customer"."name", "shop_address"."city" FROM "shop_customer" '
        'INNER JOIN "shop_address" ON ("shop_customer"."address_id" = "shop_address"."id")',
        "select c.name, a.city from shop_customer c join shop_address a on c.address_id = a.id",
        "SELECT a.city FROM shop_address AS a LEFT OUTER JOIN shop_customer ON 1 = 1",
        "SELECT name, city FROM shop_customer, shop_address WHERE address_id = shop_address.id",
        "SELECT name FROM shop_customer WHERE address_id IN (SELECT id FROM SHOP_ADDRESS)",
    ],
)
def test_a_join_is_read_whatever_the_quotes_case_side_or_alias(sql):
    assert read(sql).joins("shop_address")


def test_one_table_alone_is_not_a_join():
    assert not read('SELECT "shop_address"."city" FROM "shop_address"').joins("shop_address")
    assert not read('SELECT "shop_customer"."id" FROM "shop_customer"').joins("shop_address")


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "shop_product"."id", "shop_product"."description" FROM "shop_product"',
        "select p.id, p.DESCRIPTION from shop_product p",
        "SELECT id, description FROM shop_product",
        "SELECT * FROM shop_product",
        "SELECT p.* FROM shop_product p",
    ],
)
def test_a_selected_column_is_read_whatever_the_spelling(sql):
    assert read(sql).selects("shop_product", "description")


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "shop_product"."id", "shop_product"."title" FROM "shop_product" '
        'WHERE "shop_product"."description" LIKE \'%x%\'',
        "SELECT LEFT(p.description, 20) AS teaser FROM shop_product p",
        'SELECT "shop_brand"."description" FROM "shop_brand"',
        'SELECT "shop_product"."title" FROM "shop_product" WHERE "shop_product"."id" IN '
        '(SELECT "shop_product"."id" FROM "shop_product" ORDER BY "shop_product"."description")',
    ],
)
def test_a_column_only_read_or_of_another_table_is_not_selected(sql):
    assert not read(sql).selects("shop_product", "description")
