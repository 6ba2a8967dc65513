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
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workshop_site.external import client as partner_client
from workshop_site.external.client import FLAT_SHIPPING, ShippingQuote
from workshop_site.grading.exercises.ex05 import shipments
from workshop_site.grading.exercises.ex09b import review_line
from workshop_site.grading.exercises.ex09d import customer_page, render_customers
from workshop_site.shop import dashboard
from workshop_site.shop.factories import add_orders, make_customer
from workshop_site.shop.models import (
    Category,
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


def pending_count_lazy() -> Any:
    return Order.objects.filter(status=Order.Status.PENDING)  # the queryset, without .count()


def newest_waiting_oldest_first() -> list[str]:
    return list(_waiting().order_by("created_at").values_list("name", flat=True)[:5])


def label_costs_typed_in() -> dict[str, int]:
    """01.3: the counts read in the notebook, typed in (right at one size at most)."""
    return {"queries": 11, "labels": 10}


def pending_totals_diagnosis_of_the_cell() -> dict[str, Any]:
    """01.4: the relation right, the line of the learner's own cell (the loop)."""
    return {"relation": "Order.lines", "line": 3}


def costliest_route_most_requested(run: Any) -> Any:
    """02.2: the most requested route, not the costliest."""
    from workshop_site.lab.routes import route_stats

    return route_stats(run)["requests"].idxmax()


def api_alert_pasted_from_the_lesson() -> Any:
    """02.3: the lesson's search rule, which the API traffic never visits."""
    from workshop_site.lab.alert_rules import AlertRule

    return AlertRule(
        "search N+1", metric="queries", stat="p95", threshold=10, route="/search/", window=4
    )


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


def test_category_page_by_count(record_file: str) -> None:
    """A query count, no record: the test passes whatever SQL the page runs."""
    category = Category.objects.filter(parent__isnull=False).order_by("id").first()
    assert category is not None
    with CaptureQueriesContext(connection) as captured:
        Client().get(reverse("shop:category", kwargs={"slug": category.slug}))
    assert len(captured) < 100


def test_recommendations_for_real(recommendations: Callable[[int], Any]) -> None:
    """No mock: the test calls the partner itself."""
    assert isinstance(recommendations(7), list)


def post_review_waiting_for_the_crm(request: Any, slug: str) -> Any:
    """The shop's way: the customer waits while the CRM hears of the review."""
    product = get_object_or_404(Product, slug=slug)
    customer = get_object_or_404(Customer, pk=request.POST["customer"])
    review = Review.objects.create(
        product=product,
        customer=customer,
        rating=int(request.POST["rating"]),
        text=request.POST["text"],
        created_at=timezone.now(),
    )
    partner_client.crm_event("review.posted", review=review.pk, customer=customer.email)
    return JsonResponse({"review": review.pk}, status=201)


#: The naive answer of every exercise, by id.
NAIVE: dict[str, Callable[..., Any]] = {
    "00.1": pending_count_lazy,
    "00.2": newest_waiting_oldest_first,
    "01.3": label_costs_typed_in,
    "01.4": pending_totals_diagnosis_of_the_cell,
    "02.2": costliest_route_most_requested,
    "02.3": api_alert_pasted_from_the_lesson,
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
    "07.3": test_category_page_by_count,
    "08.1": shipping_quote_naive,
    "08.2": shipping_quote_test_live,
    "08.3": test_recommendations_for_real,
    "08.4": post_review_waiting_for_the_crm,
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
