"""The workshop shop's data model.

The relations are the course's examples: ``Customer.address`` (the talk's first N+1),
``Pizza.toppings`` (the classic ``prefetch_related``), and ``Listing -> Product -> Brand``
with ``Product.images`` and ``Product.categories`` ("3 queries instead of 4n+1").

Some properties below read a relation or a large field on purpose: they are the hidden
lazy loads the lessons teach learners to find. Their docstrings say so.
"""

from decimal import Decimal

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady
from django.db import models
from django.urls import reverse

if not apps.apps_ready:
    # Imported before Django is set up: a notebook cell above `lab.start()`, or a script.
    # Django would say "settings are not configured" (ImproperlyConfigured) and no more.
    raise AppRegistryNotReady(
        "The shop's models need Django set up: run `lab.start()` first (in a notebook: "
        "`from workshop_site import lab; lab.start()`; in a script: django.setup() with "
        "DJANGO_SETTINGS_MODULE=workshop_site.settings)."
    )

from workshop_site.shop.querysets import (
    CategoryQuerySet,
    ListingQuerySet,
    OrderQuerySet,
    ProductQuerySet,
)


class Address(models.Model):
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="FR")

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField()
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="customers")
    created_at = models.DateTimeField()
    welcome_letter_sent = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name

    @property
    def mailing_label(self) -> str:
        """Hidden lazy load: reads ``self.address`` (one query per customer in a loop)."""
        return f"{self.name}\n{self.address.street}\n{self.address.postcode} {self.address.city}"


class Topping(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_vegetarian = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Pizza(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=6, decimal_places=2)
    toppings = models.ManyToManyField(Topping, related_name="pizzas")

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    country = models.CharField(max_length=2)

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A tree of categories, stored the way django-treebeard's materialized path does."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    numchild = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    ancestors_are_public = models.BooleanField(default=True)
    seo_text = models.TextField(blank=True, help_text="Several kilobytes: rarely needed.")

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def breadcrumb(self) -> str:
        """Hidden lazy load: reads ``self.parent`` (one query per category in a loop)."""
        if self.parent_id is None:
            return self.name
        return f"{self.parent.name} › {self.name}"  # type: ignore[union-attr]  # parent_id set


class Product(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(help_text="Several kilobytes of marketing text.")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    categories = models.ManyToManyField(Category, related_name="products")
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    objects = ProductQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title

    @property
    def summary(self) -> str:
        """Hidden load: reads ``description``, one query per row if it was deferred."""
        return self.description[:120]

    def get_absolute_url(self) -> str:  # noqa: DJ012 - its line is quoted by lesson 06
        """The product's page. Reads ``slug``: a model method, which ``values()`` rows lack."""
        return reverse("shop:product_detail", kwargs={"slug": self.slug})


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    url = models.CharField(max_length=300)
    alt_text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.url


class Review(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.rating}★ by customer {self.customer_id}"


class Listing(models.Model):
    """An offer for a product: a price, a grade and a stock."""

    class Grade(models.TextChoices):
        EXCELLENT = "A", "Excellent"
        GOOD = "B", "Good"
        FAIR = "C", "Fair"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    grade = models.CharField(max_length=1, choices=Grade.choices)
    stock = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    objects = ListingQuerySet.as_manager()

    def __str__(self) -> str:
        """Hidden lazy load: reads ``self.product`` (one query per listing in a loop)."""
        return f"{self.product.title} ({self.get_grade_display()})"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)

    objects = OrderQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Order #{self.pk}"

    @property
    def total(self) -> Decimal:
        """Hidden lazy load: iterates ``self.lines`` (one query per order in a loop)."""
        return sum((line.unit_price * line.quantity for line in self.lines.all()), Decimal("0"))


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.quantity} × listing {self.listing_id}"
