"""One naive answer per exercise: the code a learner starts from (the solutions notebooks'
``*_naive`` functions, the shop's own panels), or, for the warm-ups whose naive code
passes, the mistake the instructor guide names as the most common.

Every one must fail its exercise, on any machine, under any load:
``tests/test_mutations.py`` checks it (and that its message names no fix in exercise
mode), ``benchmarks/grading_under_load.py`` checks it quiet and loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from workshop_site.external.client import FLAT_SHIPPING, ShippingQuote
from workshop_site.grading.exercises.ex05 import shipments
from workshop_site.grading.exercises.ex09b import review_line
from workshop_site.grading.exercises.ex09d import customer_page, render_customers
from workshop_site.shop import dashboard, views
from workshop_site.shop.factories import add_orders, make_customer
from workshop_site.shop.models import (
    Customer,
    Listing,
    Order,
    OrderLine,
    Product,
    Review,
)

__all__ = ["NAIVE"]


def _waiting() -> Any:
    return Customer.objects.filter(welcome_letter_sent=False)


# 00: the instructor guide's most common mistakes (the naive count in Python passes 00.1)


def waiting_count_lazy() -> Any:
    return _waiting()  # the queryset, without .count()


def newest_waiting_oldest_first() -> list[str]:
    return list(_waiting().order_by("created_at").values_list("name", flat=True)[:5])


def welcome_letter_labels_naive() -> list[str]:
    return [customer.mailing_label for customer in _waiting()]


def pending_order_totals_naive() -> dict[int, Decimal]:
    pending = Order.objects.filter(status=Order.Status.PENDING)
    return {order.pk: order.total for order in pending}


def order_lines_naive() -> list[tuple[int, str, int]]:
    lines = OrderLine.objects.filter(order__status=Order.Status.PENDING)
    return [(line.order_id, line.order.customer.name, line.quantity) for line in lines]


def moderation_queue_naive() -> list[tuple[int, str, str]]:
    reviews = Review.objects.filter(rating__lte=2)
    return [(review.rating, review.product.title, review.customer.name) for review in reviews]


def apology_letters_naive() -> list[str]:
    return [review.customer.mailing_label for review in Review.objects.filter(rating=1)]


def statements_naive() -> dict[int, list[tuple[int, Decimal]]]:
    return {
        customer.pk: sorted((order.pk, order.total) for order in customer.orders.all())
        for customer in Customer.objects.all()
    }


def product_cards_naive() -> list[tuple[str, str, str | None, list[str]]]:
    cards = []
    for product in Product.objects.filter(is_public=True):
        images = product.images.all()
        first = images[0].url if images else None
        categories = sorted(category.name for category in product.categories.all())
        cards.append((product.title, product.brand.name, first, categories))
    return cards


def complaints_prefetched() -> dict[int, list[int]]:
    customers = Customer.objects.prefetch_related("reviews")
    return {
        customer.pk: [
            review.pk
            for review in customer.reviews.filter(rating__lte=2).order_by("-created_at", "-id")
        ]
        for customer in customers
    }


def orders_to_ship_naive() -> list[Any]:
    return shipments(Order.objects.filter(status=Order.Status.PAID).newest_first())


def support_list_naive() -> list[Any]:
    customers = Customer.objects.order_by("id")
    return [(c.name, c.address.city, c.orders.count(), c.reviews.count()) for c in customers]


def the_lessons_page_as_the_worst() -> tuple[str, str]:
    """05.3's most likely guess: the page and relation lesson 05 measured."""
    return "Product list", "Listing.product"


def export_lines_naive() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order", "date", "customer", "product", "quantity", "unit_price"])
    lines = OrderLine.objects.select_related("order__customer", "listing__product").order_by("id")
    for line in lines:
        order = line.order
        created = order.created_at.date().isoformat()
        product = line.listing.product.title
        writer.writerow(
            [order.pk, created, order.customer.name, product, line.quantity, line.unit_price]
        )
    return out.getvalue()


def catalogue_products_naive() -> Any:
    return Product.objects.public().select_related("brand").order_by("title", "id")


def test_order_summaries_one_size(order_summaries: Callable[..., Any]) -> None:
    """The talk's "what people do": one customer, one order, the count pinned."""
    customer = make_customer()
    add_orders(customer, count=1)
    with CaptureQueriesContext(connection) as captured:
        order_summaries(customer)
    assert len(captured) == 2


def test_review_lines_without_fetch_mode(review_lines: Callable[..., Any]) -> None:
    product = Product.objects.filter(reviews__isnull=False).order_by("id").first()
    assert review_lines(product)


def shipping_quote_naive(postcode: str) -> ShippingQuote:
    response = requests.get(  # noqa: S113 - the naive call: no timeout
        f"{settings.PARTNERS['URL']}/shipping/quote",
        params={"postcode": postcode},
        headers={"Authorization": f"Bearer {settings.PARTNERS['API_KEY']}"},
    )
    data = response.json()
    return ShippingQuote(Decimal(data["price"]), int(data["days"]), estimated=False)


def shipping_quote_test_live(cassette: Path, record_mode: str = "none") -> None:
    """Calls the partners every time: no cassette at all."""
    from workshop_site.external import client

    assert client.shipping_quote("69001") != FLAT_SHIPPING


def reviews_index_on_product() -> models.Index:
    """The foreign key's own shape: finds the product's reviews, then sorts them."""
    return models.Index(fields=["product"], name="review_product_idx")


def export_reviews_naive() -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for review in Review.objects.order_by("pk"):
        digest.update(review_line(review).encode())
        count += 1
    return count, digest.hexdigest()


def return_to_stock_naive() -> int:
    changed = set()
    for line in OrderLine.objects.filter(order__status="cancelled"):
        listing = Listing.objects.get(pk=line.listing_id)
        listing.stock += line.quantity
        listing.save()
        changed.add(listing.pk)
    return len(changed)


def customers_page_naive() -> str:
    return render_customers(customer_page())


def dashboard_index_on_active() -> models.Index:
    """The equality column alone: the low listings are found, then sorted."""
    return models.Index(fields=["is_active"], name="listing_active_idx")


def test_dashboard_status_only(get_dashboard: Callable[[], Any]) -> None:
    assert get_dashboard().status_code == 200


#: The naive answer of every exercise, by id.
NAIVE: dict[str, Callable[..., Any]] = {
    "00.1": waiting_count_lazy,
    "00.2": newest_waiting_oldest_first,
    "01.1": welcome_letter_labels_naive,
    "01.2": pending_order_totals_naive,
    "02.1": views.home_naive,
    "03.1": order_lines_naive,
    "03.2": moderation_queue_naive,
    "03.3": apology_letters_naive,
    "04.1": statements_naive,
    "04.2": product_cards_naive,
    "04.3": complaints_prefetched,
    "05.1": orders_to_ship_naive,
    "05.2": support_list_naive,
    "05.3": the_lessons_page_as_the_worst,
    "06.1": export_lines_naive,
    "06.2": catalogue_products_naive,
    "07.1": test_order_summaries_one_size,
    "07.2": test_review_lines_without_fetch_mode,
    "08.1": shipping_quote_naive,
    "08.2": shipping_quote_test_live,
    "09a.1": reviews_index_on_product,
    "09b.1": export_reviews_naive,
    "09c.1": return_to_stock_naive,
    "09d.1": customers_page_naive,
    "10.1": dashboard.orders_to_ship,
    "10.2": dashboard_index_on_active,
    "10.3": dashboard.low_stock,
    "10.4": dashboard.carrier_status,
    "10.5": test_dashboard_status_only,
}
