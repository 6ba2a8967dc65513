"""What notebook 04's prose says about Django without a cell of its own: ``.exclude()`` on a
prefetched relation, and the parameter limits of a long ``IN (...)`` list — which
database has one, when Django batches, and that a prefetch is never batched.

The lesson's own claims (1 + N, 2 queries, one per relation, the trap, the chunked
iterator, the measured IN lists...) are checked in the executed notebook's kernel
(``tests/claims/04_prefetch_related.py``).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from itertools import batched

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from django.db.models import prefetch_related_objects

from workshop_site.lab.capture import queries
from workshop_site.shop.models import Brand, Product, Review


def reviews_of(n, *, batch=None):
    """The notebook's ``reviews_of``: prefetch the reviews of products 1..n (batched)."""
    products = [Product(pk=pk) for pk in range(1, n + 1)]
    for chunk in batched(products, batch or n):
        prefetch_related_objects(list(chunk), "reviews")
    return sum(len(p.reviews.all()) for p in products)


@contextmanager
def sqlite_limit(limit):
    """This SQLite connection's parameter limit lowered to ``limit``, then restored."""
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    try:
        yield
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own parameter limit")


def test_exclude_after_prefetch_queries_again_too(seeded):
    products = list(Product.objects.prefetch_related("reviews")[:5])
    with queries() as log:
        [list(p.reviews.exclude(rating=1)) for p in products]
        [list(p.reviews.all()) for p in products]
    assert len(log) == 5  # one per .exclude(); .all() reads the prefetch


def test_past_sqlites_parameter_limit_the_prefetch_fails_and_batches_fit(seeded):
    # "past it the query fails with `too many SQL variables`": Django does not split it.
    _sqlite_only()
    with sqlite_limit(100):
        assert connection.features.max_query_params == 100
        with queries() as log, pytest.raises(OperationalError, match="too many SQL variables"):
            reviews_of(150)
        assert len(log) == 1  # one query with the whole IN list, no batching
        with queries() as log:
            found = reviews_of(150, batch=100)
    assert [len(q.params) for q in log] == [100, 50]
    assert found == Review.objects.filter(product_id__lte=150).count()


def test_django_splits_bulk_create_and_bulk_update_into_batches_that_fit(seeded):
    # "Django splits `bulk_create` and `bulk_update` into batches that fit"
    _sqlite_only()
    brands = [Brand(name=f"Brand {i}", slug=f"brand-{i}", country="FR") for i in range(60)]
    with sqlite_limit(100), queries() as created:
        Brand.objects.bulk_create(brands)  # 3 fields a row: at most 33 rows a statement
    assert len(created) == 2
    assert all(len(q.params) <= 100 for q in created)
    saved = list(Brand.objects.filter(slug__startswith="brand-"))
    for brand in saved:
        brand.country = "DE"
    with sqlite_limit(100), queries() as updated:
        Brand.objects.bulk_update(saved, ["country"])
    assert len(updated) > 1
    assert all(len(q.params) <= 100 for q in updated)
    assert Brand.objects.filter(slug__startswith="brand-", country="DE").count() == 60


def _postgresql(**options):
    """Django's PostgreSQL backend with these OPTIONS (no connection is opened)."""
    return PostgreSQLWrapper(
        {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "OPTIONS": options},
        alias="limits",
    )


def test_django_sets_postgresqls_limit_only_with_server_side_binding():
    # "PostgreSQL's protocol allows 65,535 parameters per statement, but Django's default
    # psycopg connection binds them on the client ... so that limit applies only with the
    # `server_side_binding` option."
    assert _postgresql().features.max_query_params is None
    assert _postgresql(server_side_binding=True).features.max_query_params == 65_535


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_only_server_side_binding_refuses_65536_ids():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: make test-postgres")
    ids = list(range(1, 65_537))
    sql = f"SELECT count(*) FROM shop_review WHERE product_id IN ({', '.join(['%s'] * len(ids))})"
    with connection.cursor() as cursor:  # client-side binding: the ids are in the SQL text
        cursor.execute(sql, ids)
        assert cursor.fetchone()[0] == Review.objects.count()
    server_side = PostgreSQLWrapper(
        {
            **connection.settings_dict,
            "OPTIONS": {**connection.settings_dict["OPTIONS"], "server_side_binding": True},
        },
        alias="server_side",
    )
    try:
        with server_side.cursor() as cursor, pytest.raises(Exception, match="65535"):
            cursor.execute(sql, ids)
    finally:
        server_side.close()
