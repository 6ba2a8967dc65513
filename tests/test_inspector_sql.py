"""The SQL reader (``lab/inspector/sql.py``) on plain strings, as Django writes them on
SQLite and PostgreSQL: no database, no Django models."""

from __future__ import annotations

import pytest

from workshop_site.lab.inspector.sql import Column, Condition, Order, parse, split_top_level

PRODUCT = (
    '"shop_product"."id", "shop_product"."title", "shop_product"."slug", '
    '"shop_product"."description", "shop_product"."brand_id", "shop_product"."is_public", '
    '"shop_product"."created_at"'
)
CATEGORY = '"shop_category"."id", "shop_category"."parent_id", "shop_category"."name"'


def test_a_forward_lazy_load_by_primary_key():
    select = parse(
        'SELECT "shop_address"."id", "shop_address"."city" FROM "shop_address" '
        'WHERE "shop_address"."id" = %s LIMIT 21'
    )
    assert select is not None
    assert (select.table, select.alias, select.limit, select.offset) == (
        "shop_address",
        "shop_address",
        21,
        None,
    )
    assert select.columns == (Column("shop_address", "id"), Column("shop_address", "city"))
    assert select.conditions == (Condition(Column("shop_address", "id"), "=", "%s", (0,)),)
    assert select.conditions[0].is_key
    assert select.joins == ()
    assert select.unread == ()
    assert select.order_by == ()


@pytest.mark.parametrize(
    "sql",
    [
        # SQLite passes booleans as parameters ...
        f'SELECT {CATEGORY} FROM "shop_category" WHERE ("shop_category"."parent_id" = %s '
        'AND "shop_category"."ancestors_are_public" = %s AND "shop_category"."is_public" = %s) '
        'ORDER BY "shop_category"."path" ASC',
        # ... PostgreSQL writes the bare column.
        f'SELECT {CATEGORY} FROM "shop_category" WHERE ("shop_category"."parent_id" = %s '
        'AND "shop_category"."ancestors_are_public" AND "shop_category"."is_public") '
        'ORDER BY "shop_category"."path" ASC',
    ],
    ids=["sqlite", "postgresql"],
)
def test_a_filtered_and_ordered_related_manager(sql):
    select = parse(sql)
    assert select is not None
    link, *filters = select.conditions
    assert link == Condition(Column("shop_category", "parent_id"), "=", "%s", (0,))
    assert [(c.column.name, c.op) for c in filters] == [
        ("ancestors_are_public", "="),
        ("is_public", "="),
    ]
    if '"ancestors_are_public" = %s' in sql:
        assert [c.params for c in filters] == [(1,), (2,)]
    else:
        assert [(c.value, c.params) for c in filters] == [("TRUE", ()), ("TRUE", ())]
    assert select.order_by == (Order(Column("shop_category", "path"), descending=False),)


def test_not_a_boolean_is_false_on_postgresql():
    select = parse(
        f'SELECT {CATEGORY} FROM "shop_category" WHERE NOT "shop_category"."is_public" LIMIT 1'
    )
    assert select is not None
    assert select.conditions == (Condition(Column("shop_category", "is_public"), "=", "FALSE", ()),)


def test_a_many_to_many_through_its_join_table():
    select = parse(
        'SELECT "shop_pizza"."id", "shop_pizza"."name" FROM "shop_pizza" INNER JOIN '
        '"shop_pizza_toppings" ON ("shop_pizza"."id" = "shop_pizza_toppings"."pizza_id") '
        'WHERE "shop_pizza_toppings"."topping_id" = %s'
    )
    assert select is not None
    (join,) = select.joins
    assert (join.kind, join.table, join.alias) == (
        "INNER",
        "shop_pizza_toppings",
        "shop_pizza_toppings",
    )
    assert (join.left, join.right) == (
        Column("shop_pizza", "id"),
        Column("shop_pizza_toppings", "pizza_id"),
    )
    assert select.conditions[0].column == Column("shop_pizza_toppings", "topping_id")


def test_a_prefetch_and_its_in_lists():
    select = parse(
        'SELECT ("shop_product_categories"."product_id") AS "_prefetch_related_val_product_id", '
        f'{CATEGORY} FROM "shop_category" INNER JOIN "shop_product_categories" ON '
        '("shop_category"."id" = "shop_product_categories"."category_id") '
        'WHERE "shop_product_categories"."product_id" IN (%s, %s, %s)'
    )
    assert select is not None
    (condition,) = select.conditions
    assert (condition.op, condition.value, condition.params) == ("IN", "(%s, %s, %s)", (0, 1, 2))
    assert select.columns[0] == Column("shop_product_categories", "product_id")
    assert select.aliases[0] == "_prefetch_related_val_product_id"


def test_fetch_peers_row_values():
    select = parse(
        'SELECT "shop_address"."id", "shop_address"."street" FROM "shop_address" '
        'WHERE ("shop_address"."id") IN ((%s), (%s))'
    )
    assert select is not None
    (condition,) = select.conditions
    assert (condition.column, condition.op, condition.params) == (
        Column("shop_address", "id"),
        "IN",
        (0, 1),
    )


def test_select_related_joins_and_aliases_of_a_self_join():
    select = parse(
        f'SELECT {CATEGORY}, "T2"."id", "T2"."name" FROM "shop_category" INNER JOIN '
        '"shop_category" "T2" ON ("shop_category"."parent_id" = "T2"."id") '
        'WHERE "shop_category"."parent_id" IS NOT NULL LIMIT 1'
    )
    assert select is not None
    (join,) = select.joins
    assert (join.table, join.alias) == ("shop_category", "T2")
    assert select.aliases_of("shop_category") == ["shop_category", "T2"]
    assert select.table_of("T2") == "shop_category"
    assert select.selects("T2") == ["id", "name"]
    assert select.conditions == (
        Condition(Column("shop_category", "parent_id"), "IS NOT NULL", "", ()),
    )


def test_a_chain_of_left_outer_and_inner_joins():
    select = parse(
        'SELECT "shop_orderline"."id", "shop_listing"."id", "shop_product"."id" '
        'FROM "shop_orderline" INNER JOIN "shop_order" ON ("shop_orderline"."order_id" = '
        '"shop_order"."id") LEFT OUTER JOIN "shop_listing" ON ("shop_orderline"."listing_id" = '
        '"shop_listing"."id") INNER JOIN "shop_product" ON ("shop_listing"."product_id" = '
        '"shop_product"."id") WHERE "shop_order"."status" = %s'
    )
    assert select is not None
    assert [(j.kind, j.table) for j in select.joins] == [
        ("INNER", "shop_order"),
        ("LEFT OUTER", "shop_listing"),
        ("INNER", "shop_product"),
    ]
    assert select.selects("shop_product") == ["id"]


@pytest.mark.parametrize(
    ("sql", "op"),
    [
        (
            f'SELECT {PRODUCT} FROM "shop_product" WHERE "shop_product"."title" LIKE %s '
            "ESCAPE '\\' LIMIT 1",
            "LIKE",
        ),  # fmt: skip
        (
            f'SELECT {PRODUCT} FROM "shop_product" WHERE UPPER("shop_product"."title"::text) '
            "LIKE UPPER(%s) LIMIT 1",
            "ILIKE",
        ),  # fmt: skip
    ],
    ids=["sqlite", "postgresql"],
)
def test_text_lookups(sql, op):
    select = parse(sql)
    assert select is not None
    assert [(c.column.name, c.op, c.params) for c in select.conditions] == [("title", op, (0,))]


def test_between_keeps_its_own_and():
    select = parse(
        'SELECT "shop_order"."id" FROM "shop_order" WHERE ("shop_order"."created_at" BETWEEN '
        '%s AND %s AND "shop_order"."status" = %s)'
    )
    assert select is not None
    assert [(c.column.name, c.op, c.params) for c in select.conditions] == [
        ("created_at", "BETWEEN", (0, 1)),
        ("status", "=", (2,)),
    ]


@pytest.mark.parametrize(
    "head",
    ['SELECT %s AS "a"', 'SELECT 1 AS "a"'],
    ids=["sqlite", "postgresql"],
)
def test_exists(head):
    select = parse(
        f'{head} FROM "shop_productimage" WHERE "shop_productimage"."product_id" = %s LIMIT 1'
    )
    assert select is not None
    assert select.exists
    assert not select.counts
    # SQLite's parameter in the select list comes first: the key's is the second.
    expected = (1,) if "%s" in head else (0,)
    assert select.conditions[0].params == expected


def test_count_and_aggregates():
    count = parse(
        'SELECT COUNT(*) AS "__count" FROM "shop_review" WHERE ("shop_review"."product_id" = %s '
        'AND "shop_review"."rating" >= %s)'
    )
    assert count is not None
    assert count.counts
    assert [c.op for c in count.conditions] == ["=", ">="]
    stats = parse(
        'SELECT COUNT("shop_review"."id") AS "count", AVG("shop_review"."rating") AS "average" '
        'FROM "shop_review" WHERE "shop_review"."product_id" = %s'
    )
    assert stats is not None
    assert not stats.counts
    assert not stats.columns
    assert [(a.function, a.column, a.alias) for a in stats.aggregates] == [
        ("COUNT", Column("shop_review", "id"), "count"),
        ("AVG", Column("shop_review", "rating"), "average"),
    ]


def test_values_rows_carry_their_names():
    select = parse(
        'SELECT "shop_customer"."name" AS "name", "shop_customer"."email" AS "email" '
        'FROM "shop_customer" WHERE "shop_customer"."id" = %s LIMIT 21'
    )
    assert select is not None
    assert select.aliases == ("name", "email")


def test_order_limit_and_offset():
    select = parse(
        f'SELECT {PRODUCT} FROM "shop_product" WHERE "shop_product"."brand_id" = %s '
        'ORDER BY "shop_product"."created_at" DESC, "shop_product"."id" ASC LIMIT 2 OFFSET 1'
    )
    assert select is not None
    assert select.order_by == (
        Order(Column("shop_product", "created_at"), descending=True),
        Order(Column("shop_product", "id"), descending=False),
    )
    assert (select.limit, select.offset) == (2, 1)


def test_grouped_annotations_are_read_as_grouped():
    select = parse(
        'SELECT "shop_listing"."id", COUNT(DISTINCT "shop_review"."id") AS "review_count" '
        'FROM "shop_listing" INNER JOIN "shop_product" ON ("shop_listing"."product_id" = '
        '"shop_product"."id") LEFT OUTER JOIN "shop_review" ON ("shop_product"."id" = '
        '"shop_review"."product_id") GROUP BY "shop_listing"."id" LIMIT 1'
    )
    assert select is not None
    assert select.grouped
    assert select.aggregates[0].distinct


def test_what_it_cannot_read_stays_unread_instead_of_guessed():
    either = parse(
        f'SELECT {PRODUCT} FROM "shop_product" WHERE ("shop_product"."brand_id" = %s OR '
        '"shop_product"."is_public" = %s)'
    )
    assert either is not None
    assert either.conditions == ()
    assert len(either.unread) == 1
    expression = parse(
        f'SELECT {PRODUCT} FROM "shop_product" ORDER BY LOWER("shop_product"."title") ASC'
    )
    assert expression is not None
    assert expression.order_by is None


@pytest.mark.parametrize(
    "sql",
    [
        'INSERT INTO "shop_order" ("customer_id") VALUES (%s)',
        'SELECT COUNT(*) FROM (SELECT "shop_product"."id" AS "col1" FROM "shop_product" '
        "LIMIT 10) subquery",
        "SELECT 1",
        'UPDATE "shop_listing" SET "stock" = %s WHERE "shop_listing"."id" = %s',
    ],
)
def test_not_a_select_of_django_shape(sql):
    assert parse(sql) is None


def test_split_top_level_skips_parentheses_and_quotes():
    assert split_top_level('a, f(b, c), "x, y", d', ", ") == [
        ("a", 0),
        ("f(b, c)", 3),
        ('"x, y"', 12),
        ("d", 20),
    ]


def test_postgresql_casts_a_text_column_for_like():
    select = parse(
        'SELECT "shop_review"."id" FROM "shop_review" WHERE ("shop_review"."product_id" = %s '
        'AND "shop_review"."text"::text LIKE %s)'
    )
    assert select is not None
    assert select.unread == ()
    assert [(c.column.name, c.op) for c in select.conditions] == [
        ("product_id", "="),
        ("text", "LIKE"),
    ]
