"""Every claim notebook 05 makes about its examples, on the functions the notebook calls.

The notebook prints its figures live on the default data; these tests pin them on a
seeded test database: 4n + 1 against 3 at two page sizes (and on the shop's own page),
pieces that chain, a test that catches a bad deploy, the database counting in the same
query, and two ``Count``s over two JOINs multiplying each other.
"""

from __future__ import annotations

import inspect
import re
from statistics import fmean

import pytest
from django.db import connection
from django.db.models import Avg, Count, Sum
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from workshop_site.lab.deploys import bad_deploy
from workshop_site.lab.inspector import diagnose
from workshop_site.lab.probes import peak_memory
from workshop_site.lessons import composing as lesson
from workshop_site.shop import views
from workshop_site.shop.models import Listing, Product, ProductImage, Review
from workshop_site.shop.querysets import ListingQuerySet

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 120


# -- 1-2: the card, 4n + 1 and 3 -------------------------------------------------------


def test_card_reads_what_the_card_template_shows(seeded):
    listing = Listing.objects.order_by("id").first()
    html = render_to_string("shop/_listing_card.html", {"listing": listing})
    card = lesson.card(listing)
    assert card.title in html
    assert card.brand in html
    assert str(card.price) in html
    assert all(name in html for name in card.categories)
    assert html.count('class="thumb"') == len(card.images) > 0
    assert card.grade in html


@pytest.mark.parametrize("n", [5, 25])
def test_naive_cards_are_4n_plus_1_and_optimize_for_list_3(recorded, seeded, n):
    naive, naive_log = recorded(lesson.cards_naive, n)
    optimized, log = recorded(lesson.cards, n)
    assert (len(naive_log), len(log)) == (4 * n + 1, 3)
    assert optimized == naive
    assert len(naive) == n


def test_the_inspector_names_the_four_relations_of_a_card(recorded, seeded):
    _, log = recorded(lesson.cards_naive, 5)
    findings = diagnose(log)
    fix = (
        'select_related("product__brand")'
        '.prefetch_related("product__images", "product__categories")'
    )
    assert all(str(finding.fix) == fix for finding in findings), [str(f.fix) for f in findings]
    relations = {finding.relation for finding in findings}
    assert relations == {
        "Listing.product",
        "Product.brand",
        "Product.images",
        "Product.categories",
    }


def test_every_queryset_of_listings_has_the_method_after_filters():
    assert isinstance(Listing.objects.all(), ListingQuerySet)
    assert isinstance(Listing.objects.filter(is_active=True).order_by("id"), ListingQuerySet)


def test_optimize_for_list_joins_product_and_brand_then_prefetches_two_relations(seeded, recorded):
    _, log = recorded(lesson.cards, 25)
    first, images, categories = (query.sql for query in log)
    assert re.findall(r'INNER JOIN "(\w+)"', first) == ["shop_product", "shop_brand"]
    assert 'FROM "shop_productimage"' in images
    assert " IN (" in images
    assert 'FROM "shop_category"' in categories
    assert " IN (" in categories


@pytest.mark.slow
def test_every_listing_at_every_size_is_4n_plus_1_against_3(recorded, seeded):
    """What lab.compare measures: the cards of every listing."""
    listings = Listing.objects.count()
    _, naive_log = recorded(lesson.cards_naive)
    _, log = recorded(lesson.cards)
    assert (len(naive_log), len(log)) == (4 * listings + 1, 3)


# -- 4: the shop's own pages -----------------------------------------------------------


def test_the_optimized_views_call_optimize_for_list_and_their_naive_twins_do_not():
    def calls(view) -> bool:
        return ".optimize_for_list()" in inspect.getsource(view)

    twins = [name for name in vars(views) if f"{name}_naive" in vars(views)]
    showing_cards = [name for name in twins if calls(getattr(views, name))]
    assert {"home", "product_list", "category"} <= set(showing_cards)
    assert not any(calls(getattr(views, f"{name}_naive")) for name in twins)


def _page_queries(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"per_page": rows}).status_code == 200
    return len(captured)


@pytest.mark.slow
@pytest.mark.parametrize("rows", [5, 25])
def test_the_list_page_through_the_test_client(client, seeded, rows):
    assert _page_queries(client, "/products/naive/", rows) == 4 * rows + 1
    assert _page_queries(client, "/products/", rows) == 3


def test_the_pinning_test_fails_on_a_bad_deploy_with_the_naive_count(client, seeded):
    with bad_deploy():
        assert _page_queries(client, "/products/", 5) == 21
    assert _page_queries(client, "/products/", 5) == 3


# -- 5: pieces that chain --------------------------------------------------------------


def test_pieces_chained_in_another_order_make_the_same_3_queries(recorded, seeded):
    chained, log = recorded(lesson.cards_chained, 25)
    assert len(log) == 3
    assert chained == lesson.cards(25)


def test_optimize_for_details_adds_one_query_for_reviews_and_their_customers(recorded, seeded):
    details, log = recorded(lesson.cards_with_reviewers, 25)
    assert len(log) == 4
    listings = Listing.objects.order_by("id")[:25]
    for (card, reviewers), listing in zip(details, listings, strict=True):
        expected = listing.product.reviews.order_by("-created_at", "-id")
        assert card == lesson.card(listing)
        assert reviewers == [review.customer.name for review in expected]


# -- 7: let the database count ---------------------------------------------------------


def test_ratings_by_the_database_are_the_same_in_one_query_and_less_memory(recorded, seeded):
    in_python, python_log = recorded(lesson.ratings_in_python)
    in_database, log = recorded(lesson.ratings)
    assert in_database == in_python
    assert (len(python_log), len(log)) == (3, 1)
    assert peak_memory(lesson.ratings_in_python)[1] > 3 * peak_memory(lesson.ratings)[1]
    product = Listing.objects.get(pk=in_database[0].listing).product
    stars = [review.rating for review in product.reviews.all()]
    assert in_database[0].reviews == len(stars)
    assert in_database[0].average == (round(fmean(stars), 2) if stars else None)


def test_review_stats_chain_with_the_card_and_group_by_the_description(recorded, seeded):
    rated, log = recorded(lesson.cards_rated, 25)
    assert len(log) == 3
    assert [card for card, _ in rated] == lesson.cards(25)
    grouped_by = log[0].sql.partition(" GROUP BY ")[2].partition(" ORDER BY ")[0].split(", ")
    if connection.vendor == "sqlite":
        assert '"shop_product"."description"' in grouped_by  # every selected column
    else:  # PostgreSQL groups by primary keys, which determine the other columns
        assert '"shop_product"."description"' not in grouped_by
        assert '"shop_listing"."id"' in grouped_by
    assert 'LEFT OUTER JOIN "shop_review"' in log[0].sql


# -- 8: two counts over two JOINs ------------------------------------------------------


def test_two_counts_over_two_joins_count_the_pairs(seeded):
    product = lesson.product_with_reviews_and_images()
    reviews, images = product.reviews.count(), product.images.count()
    assert reviews >= 2
    assert images >= 2
    joined = lesson.counts_joined()[product.pk]
    assert joined == (reviews * images, reviews * images) == (lesson.join_rows(product),) * 2
    wrong = sum(joined != right for joined, right in _both_counts())
    assert 0 < wrong < Product.objects.count()


def _both_counts():
    joined, right = lesson.counts_joined(), lesson.counts_distinct()
    return [(joined[pk], right[pk]) for pk in right]


def test_distinct_and_subqueries_give_the_true_counts_in_one_query_each(recorded, seeded):
    truth = {
        product.pk: (product.reviews.count(), product.images.count())
        for product in Product.objects.all()
    }
    distinct, distinct_log = recorded(lesson.counts_distinct)
    subqueries, subquery_log = recorded(lesson.counts_subqueries)
    assert distinct == subqueries == truth
    assert len(distinct_log) == len(subquery_log) == 1
    assert "JOIN" not in subquery_log[0].sql
    assert "JOIN" in distinct_log[0].sql
    assert "GROUP BY" not in _outside_parentheses(subquery_log[0].sql)
    assert "GROUP BY" in _outside_parentheses(distinct_log[0].sql)


def _outside_parentheses(sql: str) -> str:
    depth, kept = 0, []
    for char in sql:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")"
    return "".join(kept)


def test_the_joins_give_every_product_its_pairs_of_rows(seeded):
    assert lesson.join_rows_total() == sum(map(lesson.join_rows, Product.objects.all()))
    assert lesson.join_rows_total() > Review.objects.count() + ProductImage.objects.count()


def test_avg_distinct_drops_equal_ratings(seeded):
    right, wrong = lesson.averages(), lesson.averages_distinct()
    changed = [pk for pk in right if right[pk] != wrong[pk]]
    assert changed
    product = Product.objects.get(pk=changed[0])
    stars = [review.rating for review in product.reviews.all()]
    assert right[product.pk] == round(fmean(stars), 2)
    assert wrong[product.pk] == round(fmean(set(stars)), 2)


def test_over_two_joins_an_average_is_unchanged_but_a_sum_is_multiplied(seeded):
    product = lesson.product_with_reviews_and_images()
    both = Product.objects.filter(pk=product.pk).annotate(
        average=Avg("reviews__rating"),
        total=Sum("reviews__rating"),
        images_=Count("images"),
    )
    one = Product.objects.filter(pk=product.pk).annotate(
        average=Avg("reviews__rating"), total=Sum("reviews__rating")
    )
    joined, alone = both.get(), one.get()
    assert joined.average == pytest.approx(alone.average)
    assert joined.total == alone.total * product.images.count()
