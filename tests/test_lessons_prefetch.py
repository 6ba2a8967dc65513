"""Every claim notebook 04 makes about its examples, on the functions the notebook calls.

The notebook prints its figures live on the default data; these tests pin their shape
("1 + N", "2 queries", "1 + one per relation", the row explosion of a JOIN, the trap
named by the inspector) on a seeded test database.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter

import pytest
from django.core.exceptions import FieldError
from django.db import OperationalError, connection

from workshop_site.lab.capture import queries
from workshop_site.lab.inspector import diagnose
from workshop_site.lab.probes import peak_memory
from workshop_site.lessons import prefetch as lesson
from workshop_site.shop.models import Pizza, Product, ProductImage, Review

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200


# -- 1-3: many-to-many, the JOIN, prefetch_related -------------------------------------


def test_menu_naive_is_one_plus_n_and_prefetch_makes_two(recorded, seeded):
    naive, naive_log = recorded(lesson.menu_naive)
    fixed, fixed_log = recorded(lesson.menu)
    pizzas = Pizza.objects.count()
    assert naive == fixed
    assert len(naive) == pizzas
    assert (len(naive_log), len(fixed_log)) == (1 + pizzas, 2)
    assert " IN (" in fixed_log[1].sql
    (finding,) = diagnose(naive_log)
    assert (finding.relation, str(finding.fix)) == (
        "Pizza.toppings",
        'prefetch_related("toppings")',
    )


def test_select_related_refuses_a_many_to_many(seeded):
    with pytest.raises(FieldError, match="Invalid field name.*select_related: 'toppings'"):
        list(Pizza.objects.select_related("toppings"))


def test_a_join_returns_one_row_per_pizza_and_topping(seeded):
    joined = lesson.menu_joined()
    pairs = Pizza.toppings.through.objects.count()
    assert len(joined) == pairs > Pizza.objects.count()
    first = Pizza.objects.order_by("id").first()
    assert [name for name, _ in joined].count(first.name) == first.toppings.count()


def test_join_rows_multiply_with_each_relation(seeded):
    counts = {
        name: Counter(model.objects.values_list("product_id", flat=True))
        for name, model in (("images", ProductImage), ("reviews", Review))
    }
    counts["categories"] = Counter(
        Product.categories.through.objects.values_list("product_id", flat=True)
    )
    ids = list(Product.objects.values_list("pk", flat=True))

    def expected(*relations):
        # A LEFT JOIN keeps a product with no related row once, with NULLs.
        return sum(math.prod(max(1, counts[r][pk]) for r in relations) for pk in ids)

    one = lesson.product_join_rows("images")
    two = lesson.product_join_rows("images", "categories")
    three = lesson.product_join_rows("images", "categories", "reviews")
    assert one == expected("images")
    assert two == expected("images", "categories")
    assert three == expected("images", "categories", "reviews")
    assert len(ids) < one < two < three


@pytest.mark.slow
def test_prefetch_makes_one_query_plus_one_per_relation(recorded, seeded):
    cards, log = recorded(lesson.cards)
    assert len(cards) == Product.objects.count()
    assert len(log) == 1 + 3


# -- 4: reverse foreign key ------------------------------------------------------------


@pytest.mark.slow
def test_gallery_naive_is_one_plus_n_and_prefetch_makes_two(recorded, seeded):
    naive, naive_log = recorded(lesson.gallery_naive)
    fixed, fixed_log = recorded(lesson.gallery)
    products = Product.objects.count()
    assert naive == fixed
    assert (len(naive_log), len(fixed_log)) == (1 + products, 2)


# -- 5: Prefetch and the .filter() / .order_by() trap ----------------------------------


def _page() -> int:
    return min(lesson.PAGE, Product.objects.count())


def test_filter_after_prefetch_queries_again_and_the_inspector_names_the_trap(recorded, seeded):
    trapped, log = recorded(lesson.good_reviews_trap)
    assert len(log) == 2 + _page()
    (finding,) = diagnose(log)
    assert finding.kind == "prefetch_filtered"
    assert 'ignores the earlier prefetch_related("reviews")' in finding.message
    prefetch = 'Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4)'
    assert str(finding.fix).startswith(f"prefetch_related({prefetch}")


def test_prefetch_with_a_queryset_and_to_attr_makes_two_queries(recorded, seeded):
    trapped = lesson.good_reviews_trap()
    good, log = recorded(lesson.good_reviews)
    assert good == trapped
    assert any(ratings for _, ratings in good)
    assert all(rating >= 4 for _, ratings in good for rating in ratings)
    assert len(log) == 2
    assert '"shop_review"."rating" >= %s' in log[1].sql


@pytest.mark.slow
def test_order_by_after_prefetch_queries_again_and_prefetch_fixes_it(recorded, seeded):
    trapped, trap_log = recorded(lesson.newest_reviews_trap)
    fixed, fixed_log = recorded(lesson.newest_reviews)
    assert trapped == fixed
    assert (len(trap_log), len(fixed_log)) == (2 + _page(), 2)


# -- 6-7: through a relation, select_related inside Prefetch ---------------------------


@pytest.mark.slow
def test_prefetch_through_a_relation_makes_one_query_per_hop(recorded, seeded):
    naive, naive_log = recorded(lesson.category_paths_naive)
    fixed, fixed_log = recorded(lesson.category_paths)
    assert naive == fixed
    assert any("›" in path for _, paths in fixed for path in paths)
    assert len(fixed_log) == 3
    assert len(naive_log) > 1 + _page()


def test_select_related_inside_prefetch_makes_two_queries(recorded, seeded):
    naive, naive_log = recorded(lesson.review_authors_naive)
    two_hops, two_hops_log = recorded(lesson.review_authors_prefetched)
    joined, joined_log = recorded(lesson.review_authors)
    reviews = sum(len(names) for _, names in naive)
    assert naive == two_hops == joined
    assert reviews > 0
    assert (len(naive_log), len(two_hops_log), len(joined_log)) == (2 + reviews, 3, 2)
    assert 'INNER JOIN "shop_customer"' in joined_log[1].sql


# -- 8-10: iterator(), memory, long IN lists -------------------------------------------


def test_iterator_after_prefetch_needs_a_chunk_size(seeded):
    with pytest.raises(ValueError, match="chunk_size must be provided"):
        lesson.gallery_streamed_unbounded()


@pytest.mark.parametrize("chunk_size", [50, 64, 1000])
def test_iterator_prefetches_chunk_by_chunk(recorded, seeded, chunk_size):
    streamed, log = recorded(lesson.gallery_streamed, chunk_size=chunk_size)
    products = Product.objects.count()
    assert streamed == lesson.gallery()
    assert len(log) == 1 + math.ceil(products / chunk_size)
    assert all(len(query.params) <= chunk_size for query in log[1:])


def test_counting_in_the_database_agrees_and_loads_no_review(recorded, seeded):
    prefetched, prefetched_log = recorded(lesson.review_counts_prefetched)
    counted, counted_log = recorded(lesson.review_counts)
    assert prefetched == counted
    assert sum(counted.values()) == Review.objects.count()
    assert (len(prefetched_log), len(counted_log)) == (2, 1)


@pytest.mark.slow
def test_the_prefetch_takes_more_memory_than_counting(seeded):
    # Not a timing: the prefetch builds an object per review, the count builds none.
    assert (
        peak_memory(lesson.review_counts_prefetched)[1] > 2 * peak_memory(lesson.review_counts)[1]
    )


@pytest.mark.slow
def test_prefetch_of_n_parents_is_one_query_with_n_ids(recorded, seeded):
    found, log = recorded(lesson.prefetch_reviews_of, 1500)
    assert len(log) == 1
    assert len(log[0].params) == 1500
    assert found == Review.objects.filter(product_id__lte=1500).count()


@pytest.mark.slow
def test_batches_cap_each_in_list_and_find_the_same_rows(recorded, seeded):
    found, log = recorded(lesson.prefetch_reviews_of, 1500, batch=400)
    assert found == lesson.prefetch_reviews_of(1500)
    assert [len(query.params) for query in log] == [400, 400, 400, 300]


def test_exclude_after_prefetch_queries_again_too(seeded):
    products = list(Product.objects.prefetch_related("reviews")[:5])
    with queries() as log:
        [list(p.reviews.exclude(rating=1)) for p in products]
        [list(p.reviews.all()) for p in products]
    assert len(log) == 5  # one per .exclude(); .all() reads the prefetch


def test_past_the_parameter_limit_the_prefetch_fails(seeded):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own parameter limit; Django sets none on PostgreSQL")
    connection.ensure_connection()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
    try:
        assert connection.features.max_query_params == 100
        with pytest.raises(OperationalError, match="too many SQL variables"):
            lesson.prefetch_reviews_of(150)
        found = lesson.prefetch_reviews_of(150, batch=100)
        assert found == Review.objects.filter(product_id__lte=150).count()
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
