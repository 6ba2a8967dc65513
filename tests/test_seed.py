import random

import pytest
from django.db.models import Avg
from django.db.models.functions import Length

from workshop_site.seed import Counts, _generate, seed
from workshop_site.shop import models as shop


def _rows(size, seed_value):
    return _generate(Counts.for_size(size), random.Random(seed_value))


def test_same_seed_same_rows():
    assert _rows(200, 1) == _rows(200, 1)


def test_other_seed_other_rows():
    assert _rows(200, 1)["customer"] != _rows(200, 2)["customer"]


def test_default_size_has_enough_rows_for_the_plots():
    counts = Counts.for_size(1000)
    assert counts.customers >= 1000
    assert counts.listings >= 1000


def test_size_must_be_positive():
    with pytest.raises(ValueError, match="size must be at least 1"):
        Counts.for_size(0)


@pytest.mark.django_db
def test_seed_inserts_the_promised_rows():
    inserted = seed(size=120, seed=3)
    counts = Counts.for_size(120)
    assert shop.Customer.objects.count() == counts.customers == inserted["customer"]
    assert shop.Address.objects.count() == counts.addresses
    assert shop.Product.objects.count() == counts.products
    assert shop.Listing.objects.count() == counts.listings
    assert shop.Order.objects.count() == counts.orders
    assert shop.Pizza.objects.count() == counts.pizzas
    assert shop.Topping.objects.count() == counts.toppings
    # Every relation the lessons follow has rows behind it.
    assert shop.ProductImage.objects.count() >= counts.products
    assert shop.Review.objects.exists()
    assert shop.OrderLine.objects.count() >= counts.orders
    assert shop.Product.categories.through.objects.count() == 2 * counts.products
    assert shop.Pizza.toppings.through.objects.count() >= 2 * counts.pizzas
    assert shop.Category.objects.filter(parent__isnull=True).exists()
    assert shop.Category.objects.filter(parent__isnull=False).exists()
    # Some customers are waiting for their welcome letter, most are not.
    waiting = shop.Customer.objects.filter(welcome_letter_sent=False).count()
    assert 0 < waiting < counts.customers


@pytest.mark.django_db
def test_large_text_fields_are_kilobytes():
    seed(size=60, seed=3)
    description = shop.Product.objects.aggregate(avg=Avg(Length("description")))["avg"]
    seo_text = shop.Category.objects.aggregate(avg=Avg(Length("seo_text")))["avg"]
    assert description > 3000, description
    assert seo_text > 3000, seo_text


@pytest.mark.django_db
def test_seeded_values_round_trip_through_the_orm():
    seed(size=30, seed=5)
    listing = shop.Listing.objects.select_related("product__brand").first()
    assert listing.price > 0
    assert listing.created_at.tzinfo is not None
    assert listing.product.brand.name
    assert str(listing).startswith(listing.product.title)
