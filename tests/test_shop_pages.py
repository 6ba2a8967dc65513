"""Every shop page renders, and its naive and optimized forms show the same content."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshop_site.seed import seed
from workshop_site.shop.models import Category, Listing, Order, Product

SIZES = (50, 150)
TWINS = ("home", "product_list", "product_detail", "category", "order_history")
SINGLE = ("search", "cart", "cart_summary", "api_listings", "api_listing")


def _main(html: str) -> str:
    """The page's <main>, whitespace collapsed, CSRF tokens (random per render) removed."""
    found = re.search(r"<main>(.*)</main>", html, re.S)
    assert found, "the page has no <main> element"
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", found.group(1))
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(params=SIZES, ids=lambda size: f"size{size}")
def shop(request, db):
    seed(size=request.param, seed=3)
    return request.param


def _kwargs(page: str) -> dict:
    """Real arguments for ``page``: a product with reviews, a busy category and customer."""
    if page == "product_detail":
        product = Product.objects.public().filter(reviews__isnull=False).order_by("id").first()
        return {"slug": product.slug}
    if page == "category":
        return {"slug": Category.objects.public().filter(depth=1).order_by("path").first().slug}
    if page == "order_history":
        return {"customer_id": Order.objects.order_by("id").first().customer_id}
    if page == "api_listing":
        return {"pk": Listing.objects.public().order_by("id").first().pk}
    return {}


@pytest.mark.slow
@pytest.mark.parametrize("page", TWINS)
def test_naive_and_optimized_forms_render_the_same_content(client, shop, page):
    kwargs = _kwargs(page)
    naive = client.get(reverse(f"shop:{page}_naive", kwargs=kwargs))
    optimized = client.get(reverse(f"shop:{page}", kwargs=kwargs))
    assert naive.status_code == optimized.status_code == 200
    assert _main(naive.content.decode()) == _main(optimized.content.decode())
    assert b"Naive form" in naive.content
    assert b"Optimized form" in optimized.content


@pytest.mark.parametrize("page", SINGLE)
def test_single_form_pages_render(client, shop, page):
    response = client.get(reverse(f"shop:{page}", kwargs=_kwargs(page)), {"q": "phone"})
    assert response.status_code == 200


def test_pages_show_what_their_querysets_load(client, seeded):
    listing = Listing.objects.public().newest_first().first()
    product = listing.product
    page = client.get(reverse("shop:product_list")).content.decode()
    assert product.title in page
    assert product.brand.name in page
    assert all(c.name in page for c in product.categories.all())
    assert page.count('class="thumb"') >= product.images.count()
    detail = client.get(reverse("shop:product_detail", kwargs={"slug": product.slug}))
    for review in product.reviews.select_related("customer"):
        assert review.customer.name in detail.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.slow
@pytest.mark.parametrize("rows", [5, 25])
def test_optimized_list_is_3_queries_while_naive_is_4n_plus_1(client, shop, rows):
    assert _queries(client, f"{reverse('shop:product_list')}?per_page={rows}") == 3
    assert _queries(client, f"{reverse('shop:product_list_naive')}?per_page={rows}") == 4 * rows + 1


def test_optimized_pages_stay_flat_as_the_page_grows(client, shop):
    customer = Order.objects.order_by("id").first().customer_id
    slug = Category.objects.public().filter(depth=1).order_by("path").first().slug
    assert _queries(client, reverse("shop:home")) == 5
    assert _queries(client, reverse("shop:category", kwargs={"slug": slug}) + "?per_page=3") == 5
    assert _queries(client, reverse("shop:category", kwargs={"slug": slug})) == 5
    assert _queries(client, reverse("shop:order_history", kwargs={"customer_id": customer})) == 3
    product = Product.objects.public().order_by("id").first()
    assert _queries(client, reverse("shop:product_detail", kwargs={"slug": product.slug})) == 5


def test_cart_keeps_added_listings_and_the_badge_counts_them(client, seeded):
    first, second = Listing.objects.public().order_by("id")[:2]
    for listing in (first, second):
        response = client.post(reverse("shop:cart_add"), {"listing": listing.pk})
        assert response.status_code == 302
    cart = client.get(reverse("shop:cart")).content.decode()
    assert first.product.title in cart
    assert second.product.title in cart
    badge = client.get(reverse("shop:cart_summary")).json()
    assert badge == {"items": 2, "total": str(first.price + second.price)}


def test_api_returns_listings_and_a_json_404(client, seeded):
    listing = Listing.objects.public().order_by("id").first()
    data = client.get(reverse("shop:api_listing", kwargs={"pk": listing.pk})).json()
    assert data["product"]["brand"] == listing.product.brand.name
    assert len(data["reviews"]) == listing.product.reviews.count()
    missing = client.get(reverse("shop:api_listing", kwargs={"pk": 10**9}))
    assert missing.status_code == 404
    assert "error" in missing.json()
    page = client.get(reverse("shop:api_listings"), {"per_page": 7}).json()
    assert len(page["results"]) == 7
    assert page["has_next"] is True


def test_search_matches_every_word_in_title_or_brand(client, seeded):
    product = Listing.objects.public().first().product
    brand, word = product.brand.name, product.title.split()[1]
    page = client.get(reverse("shop:search"), {"q": f"{brand.lower()} {word}"}).content.decode()
    assert product.title in page
    nothing = client.get(reverse("shop:search"), {"q": "floppy-disk-drive"}).content.decode()
    assert "Nothing matches" in nothing
