"""Lesson 04's exercises: each grader rejects the naive answer and the classic wrong fix
(select_related on a relation to many rows, .filter() after a prefetch) with a message
that names it, and accepts the reference and another right answer."""

from __future__ import annotations

import pytest
from django.db.models import Prefetch
from exercise_asserts import fails, passes

from workshop_site.grading.references import ref04
from workshop_site.shop.models import Pizza, Product, ProductImage, Review, Topping

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 04.1 ------------------------------------------------------------------------------


def _menu(pizzas):
    return [
        (
            pizza.name,
            pizza.price,
            sorted(t.name for t in pizza.toppings.all()),
            all(t.is_vegetarian for t in pizza.toppings.all()),
        )
        for pizza in pizzas
    ]


def menu_naive():
    return _menu(Pizza.objects.all())


def menu_select_related():
    return _menu(Pizza.objects.select_related("toppings"))


def menu_ordered_prefetch():
    toppings = Prefetch("toppings", queryset=Topping.objects.order_by("name"))
    return _menu(Pizza.objects.prefetch_related(toppings))


def test_04_1_accepts_the_reference_and_an_ordered_prefetch():
    passes("04.1", ref04.menu_page)
    passes("04.1", menu_ordered_prefetch)


def test_04_1_rejects_the_naive_menu():
    fails("04.1", menu_naive, "scaling", "one per pizza", 'prefetch_related("toppings")')


def test_04_1_explains_kindly_why_select_related_raised():
    fails(
        "04.1",
        menu_select_related,
        "raised",
        "your code raised FieldError",
        "Good instinct, wrong tool",
        "many-to-many",
        'prefetch_related("toppings")',
    )


# -- 04.2 ------------------------------------------------------------------------------


def _cards(products, first_image):
    return [
        (
            p.title,
            p.brand.name,
            first_image(p),
            sorted(c.name for c in p.categories.all()),
        )
        for p in products
    ]


def _first(product):
    images = product.images.all()
    return images[0].url if images else None


def cards_naive():
    return _cards(Product.objects.filter(is_public=True), _first)


def cards_select_related_images():
    products = Product.objects.filter(is_public=True).select_related("brand", "images")
    return _cards(products, _first)


def cards_prefetch_everything():
    products = Product.objects.filter(is_public=True).prefetch_related(
        "brand", "images", "categories"
    )
    return _cards(products, _first)


def cards_first_image_only():
    main = Prefetch(
        "images", queryset=ProductImage.objects.filter(position=0), to_attr="main_images"
    )
    products = (
        Product.objects.filter(is_public=True)
        .select_related("brand")
        .prefetch_related(main, "categories")
    )
    return _cards(products, lambda p: p.main_images[0].url if p.main_images else None)


@pytest.mark.slow
def test_04_2_accepts_the_reference_and_a_prefetch_of_the_first_image_only():
    passes("04.2", ref04.product_cards)
    passes("04.2", cards_first_image_only)


@pytest.mark.slow
def test_04_2_rejects_the_naive_cards():
    fails("04.2", cards_naive, "scaling", "public products")


def test_04_2_explains_kindly_why_select_related_on_images_raised():
    fails(
        "04.2",
        cards_select_related_images,
        "raised",
        "reverse foreign key",
        'prefetch_related("images")',
        "here `select_related` can follow `brand`",
    )


def test_04_2_prefetching_a_foreign_key_is_over_budget_and_says_to_join_it():
    fails(
        "04.2",
        cards_prefetch_everything,
        "budget",
        "4 queries",
        "the budget is 3",
        "The brand is a foreign key: `select_related` joins it",
    )


# -- 04.3 ------------------------------------------------------------------------------


def _good(products, reviews):
    return {p.slug: sorted(r.rating for r in reviews(p)) for p in products}


def good_reviews_naive():
    return _good(Product.objects.all(), lambda p: p.reviews.filter(rating__gte=4))


def good_reviews_trap():
    return _good(
        Product.objects.prefetch_related("reviews"),
        lambda p: p.reviews.filter(rating__gte=4),
    )


def good_reviews_in_python():
    return _good(
        Product.objects.prefetch_related("reviews"),
        lambda p: [r for r in p.reviews.all() if r.rating >= 4],
    )


def good_reviews_prefetch_without_to_attr():
    good = Prefetch("reviews", queryset=Review.objects.filter(rating__in=[4, 5]))
    return _good(Product.objects.prefetch_related(good), lambda p: p.reviews.all())


def test_04_3_accepts_the_reference_and_other_right_answers():
    passes("04.3", ref04.good_reviews)
    passes("04.3", good_reviews_in_python)
    passes("04.3", good_reviews_prefetch_without_to_attr)


def test_04_3_rejects_the_naive_answer():
    fails("04.3", good_reviews_naive, "scaling", "one per product")


def test_04_3_rejects_filter_after_prefetch_and_names_the_trap():
    fails(
        "04.3",
        good_reviews_trap,
        "scaling",
        "calls product.reviews.filter(...)",
        'a .filter() on a related manager ignores the earlier prefetch_related("reviews")',
        'Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4)',
    )
