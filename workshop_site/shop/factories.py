"""Rows made the way a test makes them: the talk's ``OrderFactory.create_batch(20)``.

Each function adds rows to the current database (inside the test's transaction) and
returns them. Values are plain and deterministic; slugs and names carry a counter so
that calling a function twice never collides with the seeded data or with itself.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from workshop_site.shop.models import (
    Address,
    Brand,
    Category,
    Customer,
    Listing,
    Order,
    OrderLine,
    Product,
    ProductImage,
    Review,
)

__all__ = ["make_customer", "add_orders", "add_reviews", "add_listings", "add_root_categories"]

_serial = itertools.count(1)


def make_customer(*, name: str = "Test Customer") -> Customer:
    """A new customer with an address and no orders yet."""
    number = next(_serial)
    address = Address.objects.create(
        street=f"{number} rue des Tests", city="Lyon", postcode="69001"
    )
    return Customer.objects.create(
        name=name,
        email=f"test-{number}@example.com",
        address=address,
        created_at=timezone.now(),
    )


def add_orders(customer: Customer, *, count: int = 20, lines: int = 2) -> list[Order]:
    """``count`` paid orders for ``customer``, each of ``lines`` lines of existing listings."""
    listings = list(Listing.objects.order_by("id")[:lines])
    if len(listings) < lines:
        raise ValueError(
            f"add_orders needs {lines} listings in the database, found {len(listings)}"
        )
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(customer=customer, created_at=now - timedelta(minutes=n), status=Order.Status.PAID)
        for n in range(count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, listing=listing, quantity=1, unit_price=listing.price)
        for order in orders
        for listing in listings
    )
    return orders


def add_reviews(product: Product, *, count: int = 20) -> list[Review]:
    """``count`` reviews of ``product``, each by a new customer."""
    authors = [make_customer(name=f"Reviewer {next(_serial)}") for _ in range(count)]
    now = timezone.now()
    return Review.objects.bulk_create(
        Review(product=product, customer=author, rating=4, text="Works like new.", created_at=now)
        for author in authors
    )


def add_listings(*, count: int = 20) -> list[Listing]:
    """``count`` new public listings, each of a new product with an image and a category."""
    brand = Brand.objects.order_by("id").first() or Brand.objects.create(
        name="Testbrand", slug=f"testbrand-{next(_serial)}", country="FR"
    )
    category = Category.objects.order_by("path").first() or _category(depth=1)
    now = timezone.now()
    listings = []
    for _ in range(count):
        number = next(_serial)
        product = Product.objects.create(
            title=f"Test phone {number}",
            slug=f"test-phone-{number}",
            description="A phone made by a test.",
            brand=brand,
            created_at=now,
        )
        product.categories.add(category)
        ProductImage.objects.create(product=product, url=f"/media/test/{number}.webp", alt_text="")
        listings.append(
            Listing.objects.create(
                product=product,
                price=Decimal("199.00"),
                grade=Listing.Grade.GOOD,
                stock=3,
                created_at=now,
            )
        )
    return listings


def add_root_categories(*, count: int = 20) -> list[Category]:
    """``count`` public root categories, each with one public child (the home page's menu)."""
    roots = []
    for _ in range(count):
        root = _category(depth=1)
        _category(depth=2, parent=root)
        roots.append(root)
    return roots


def _category(*, depth: int, parent: Category | None = None) -> Category:
    number = next(_serial)
    path = f"{parent.path if parent else ''}9{number:03d}"
    return Category.objects.create(
        parent=parent,
        name=f"Test category {number}",
        slug=f"test-category-{number}",
        path=path,
        depth=depth,
        numchild=0 if parent else 1,
    )
