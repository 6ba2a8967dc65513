"""Lesson 04's examples as they were before the lesson typed them in its cells: kept as
data for the inspector's corpus (``tests/inspector_corpus.py``), which checks that every
finding on them is right and every suggested fix works. Learners never read this file;
the lesson's own claims are in ``tests/claims/04_prefetch_related.py``.
"""

from __future__ import annotations

from itertools import batched

from django.db.models import Count, Prefetch, prefetch_related_objects

from workshop_site.shop.models import Pizza, Product, Review

#: Products on one page of the examples that show a page, not the whole catalogue.
PAGE = 50

# -- many-to-many: the pizza menu ------------------------------------------------------


def menu_naive() -> list[tuple[str, list[str]]]:
    """1 + N queries: the pizzas, then each pizza's toppings."""
    return [
        (pizza.name, sorted(topping.name for topping in pizza.toppings.all()))
        for pizza in Pizza.objects.order_by("id")
    ]


def menu() -> list[tuple[str, list[str]]]:
    """2 queries: the pizzas, then every pizza's toppings at once (``IN (...)``)."""
    return [
        (pizza.name, sorted(topping.name for topping in pizza.toppings.all()))
        for pizza in Pizza.objects.prefetch_related("toppings").order_by("id")
    ]


def menu_joined() -> list[tuple[str, str | None]]:
    """What one JOIN returns instead: a row per (pizza, topping) pair, the pizza repeated."""
    return list(Pizza.objects.order_by("id").values_list("name", "toppings__name"))


def product_join_rows(*relations: str) -> int:
    """How many rows one query that JOINs these relations of every product returns."""
    return Product.objects.values_list("pk", *(f"{name}__pk" for name in relations)).count()


# -- reverse foreign key: the product gallery ------------------------------------------


def gallery_naive() -> list[tuple[str, list[str]]]:
    """1 + N queries: the products, then each product's images."""
    return [
        (product.title, [image.url for image in product.images.all()])
        for product in Product.objects.order_by("id")
    ]


def gallery() -> list[tuple[str, list[str]]]:
    """2 queries, whatever the number of products."""
    return [
        (product.title, [image.url for image in product.images.all()])
        for product in Product.objects.prefetch_related("images").order_by("id")
    ]


def cards() -> list[tuple[str, int, int, int]]:
    """4 queries: 1 + one per prefetched relation (images, categories, reviews)."""
    products = Product.objects.prefetch_related("images", "categories", "reviews")
    return [
        (p.title, len(p.images.all()), len(p.categories.all()), len(p.reviews.all()))
        for p in products.order_by("id")
    ]


# -- Prefetch(): a filtered relation ---------------------------------------------------


def good_reviews_trap() -> list[tuple[str, list[int]]]:
    """2 + N queries: ``.filter()`` on a prefetched manager ignores the prefetch."""
    products = Product.objects.prefetch_related("reviews").order_by("id")[:PAGE]
    return [
        (product.title, sorted(r.rating for r in product.reviews.filter(rating__gte=4)))
        for product in products
    ]


def good_reviews() -> list[tuple[str, list[int]]]:
    """2 queries: the filter goes into the prefetch's own queryset."""
    good = Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), to_attr="good")
    products = Product.objects.prefetch_related(good).order_by("id")[:PAGE]
    return [(product.title, sorted(r.rating for r in product.good)) for product in products]


def newest_reviews_trap() -> list[tuple[str, list[int]]]:
    """2 + N queries: ``.order_by()`` on a prefetched manager queries again too."""
    products = Product.objects.prefetch_related("reviews").order_by("id")[:PAGE]
    return [
        (product.title, [r.pk for r in product.reviews.order_by("-created_at", "-id")[:3]])
        for product in products
    ]


def newest_reviews() -> list[tuple[str, list[int]]]:
    """2 queries: the order goes into the prefetch; the slice is taken in Python."""
    newest = Prefetch(
        "reviews", queryset=Review.objects.order_by("-created_at", "-id"), to_attr="newest"
    )
    products = Product.objects.prefetch_related(newest).order_by("id")[:PAGE]
    return [(product.title, [r.pk for r in product.newest[:3]]) for product in products]


# -- through a relation, and select_related inside a Prefetch --------------------------


def category_paths_naive() -> list[tuple[str, list[str]]]:
    """1 + N + one query per category that has a parent: ``breadcrumb`` reads it."""
    return [
        (product.title, [category.breadcrumb for category in product.categories.all()])
        for product in Product.objects.order_by("id")[:PAGE]
    ]


def category_paths() -> list[tuple[str, list[str]]]:
    """3 queries: products, their categories, the categories' parents."""
    products = Product.objects.prefetch_related("categories__parent").order_by("id")[:PAGE]
    return [
        (product.title, [category.breadcrumb for category in product.categories.all()])
        for product in products
    ]


def review_authors_naive() -> list[tuple[str, list[str]]]:
    """2 + R queries: the reviews are prefetched, each review's customer is not."""
    products = Product.objects.prefetch_related("reviews").order_by("id")[:PAGE]
    return [
        (product.title, sorted(review.customer.name for review in product.reviews.all()))
        for product in products
    ]


def review_authors_prefetched() -> list[tuple[str, list[str]]]:
    """3 queries: products, reviews, customers (``reviews__customer``)."""
    products = Product.objects.prefetch_related("reviews__customer").order_by("id")[:PAGE]
    return [
        (product.title, sorted(review.customer.name for review in product.reviews.all()))
        for product in products
    ]


def review_authors() -> list[tuple[str, list[str]]]:
    """2 queries: the customers are JOINed into the reviews' own query."""
    reviews = Prefetch("reviews", queryset=Review.objects.select_related("customer"))
    products = Product.objects.prefetch_related(reviews).order_by("id")[:PAGE]
    return [
        (product.title, sorted(review.customer.name for review in product.reviews.all()))
        for product in products
    ]


# -- the traps: iterator(), memory, long IN lists --------------------------------------


def gallery_streamed_unbounded() -> list[tuple[str, list[str]]]:
    """Raises ``ValueError``: ``iterator()`` after ``prefetch_related()`` needs a chunk size."""
    products = Product.objects.prefetch_related("images").order_by("id")
    return [(p.title, [image.url for image in p.images.all()]) for p in products.iterator()]


def gallery_streamed(*, chunk_size: int = 250) -> list[tuple[str, list[str]]]:
    """1 + ceil(N / chunk_size) queries: one prefetch per chunk of products, each with an
    IN list of at most ``chunk_size`` ids."""
    products = Product.objects.prefetch_related("images").order_by("id")
    return [
        (p.title, [image.url for image in p.images.all()])
        for p in products.iterator(chunk_size=chunk_size)
    ]


def review_counts_prefetched() -> dict[int, int]:
    """2 queries, and every review (its text included) becomes an object, to be counted."""
    products = Product.objects.only("title").prefetch_related("reviews")
    return {product.pk: len(product.reviews.all()) for product in products}


def review_counts() -> dict[int, int]:
    """1 query: the database counts; no review is loaded."""
    products = Product.objects.only("title").annotate(review_count=Count("reviews"))
    return {product.pk: product.review_count for product in products}


def prefetch_reviews_of(count: int, *, batch: int | None = None) -> int:
    """Prefetch the reviews of products 1..``count`` and return how many were found.

    The products are instances carrying only their id (no product query is needed to
    prefetch), so any number of parents can be tried on a small database: one query with
    an ``IN`` list of ``count`` ids — or, with ``batch``, one query per batch of ids.
    """
    products = [Product(pk=pk) for pk in range(1, count + 1)]
    for chunk in batched(products, batch or count):
        prefetch_related_objects(list(chunk), "reviews")
    return sum(len(product.reviews.all()) for product in products)
