"""The shop's pages. Where the course needs both, a naive and an optimized form.

The two forms of a page render the same template with the same content; they differ
only in how they load it. A ``*_naive`` view lets the template pull each relation
lazily (one query per row and relation: the N+1); its optimized twin loads everything
up front with the composed queryset methods of ``querysets.py``, so its query count
stays flat as the page grows.

HTML views return a ``TemplateResponse`` (rendered by the handler, after the view) so the
monitoring middleware can time template rendering as its own span: that is where the
naive pages run their lazy queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from workshop_site.shop.models import Category, Customer, Listing, Order, Product

PER_PAGE = 10
MAX_PER_PAGE = 100
CATEGORY_PER_PAGE = 20
FEATURED = 4
SEARCH_RESULTS = 10
CART_LIMIT = 20


@dataclass(frozen=True)
class Page:
    """One page of rows, found without a ``COUNT(*)``: one extra row says "there is more"."""

    rows: list
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _positive_int(value: str | None, *, default: int, maximum: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, 1), maximum)


def _page(request: HttpRequest, queryset: QuerySet, *, per_page: int = PER_PAGE) -> Page:
    number = _positive_int(request.GET.get("page"), default=1, maximum=10_000)
    per_page = _positive_int(request.GET.get("per_page"), default=per_page, maximum=MAX_PER_PAGE)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, per_page, len(rows) > per_page)


def _render(request: HttpRequest, template: str, context: dict, *, form: str) -> TemplateResponse:
    """Render ``template`` with the header badge saying which ``form`` of the page it is.

    The badge and the link to the twin form sit outside <main>, so both forms of a page
    have the same main content. The twin is named from ``form``, not from the URL: a
    naive view may be served at its optimized twin's URL (``lab.traffic`` does that).
    """
    twin_url = None
    if form != "single":
        match = request.resolver_match
        base = (match.url_name or "").removesuffix("_naive")  # type: ignore[union-attr]
        twin = base if form == "naive" else f"{base}_naive"
        twin_url = reverse(f"shop:{twin}", kwargs=match.kwargs)  # type: ignore[union-attr]
        if request.GET:
            twin_url = f"{twin_url}?{request.GET.urlencode()}"
    return TemplateResponse(request, template, {**context, "form": form, "twin_url": twin_url})


# Home ---------------------------------------------------------------------------------


@require_GET
def home_naive(request: HttpRequest) -> TemplateResponse:
    """The home page, cards and menu loaded lazily: one query per card relation and root."""
    featured = Listing.objects.public().newest_first()[:FEATURED]
    menu = [
        (root, root.children.filter(is_public=True, ancestors_are_public=True).order_by("path"))
        for root in Category.objects.public().roots()
    ]
    return _render(request, "shop/home.html", {"featured": featured, "menu": menu}, form="naive")


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    """The home page: the newest listings and the category menu in 5 queries."""
    featured = Listing.objects.public().newest_first().optimize_for_list()[:FEATURED]
    roots = Category.objects.public().roots().with_public_children()
    menu = [(root, root.public_children) for root in roots]  # type: ignore[attr-defined]
    return _render(
        request, "shop/home.html", {"featured": featured, "menu": menu}, form="optimized"
    )


# Product list -------------------------------------------------------------------------


@require_GET
def product_list_naive(request: HttpRequest) -> TemplateResponse:
    """Listings, loaded one relation at a time by the template: 4n + 1 queries."""
    page = _page(request, Listing.objects.public().newest_first())
    return _render(request, "shop/product_list.html", {"page": page}, form="naive")


@require_GET
def product_list(request: HttpRequest) -> TemplateResponse:
    """Listings with everything a card shows: 3 queries for any page size."""
    page = _page(request, Listing.objects.public().newest_first().optimize_for_list())
    return _render(request, "shop/product_list.html", {"page": page}, form="optimized")


# Product detail -----------------------------------------------------------------------


@require_GET
def product_detail_naive(request: HttpRequest, slug: str) -> TemplateResponse:
    """The product page, relations read lazily: one query per review for its customer."""
    product = get_object_or_404(Product.objects.public(), slug=slug)
    reviews = product.reviews.order_by("-created_at", "-id")
    stats = product.reviews.aggregate(review_count=Count("id"), average_rating=Avg("rating"))
    context = {
        "product": product,
        "offers": product.listings.filter(is_active=True).order_by("price", "id"),
        "reviews": reviews,
        **stats,
    }
    return _render(request, "shop/product_detail.html", context, form="naive")


@require_GET
def product_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    """The product page in 5 queries, whatever the number of reviews or images."""
    product = get_object_or_404(Product.objects.public().optimize_for_details(), slug=slug)
    context = {
        "product": product,
        "offers": product.offers,  # type: ignore[attr-defined]  # optimize_for_details()
        "reviews": product.reviews.all(),
        "review_count": product.review_count,  # type: ignore[attr-defined]
        "average_rating": product.average_rating,  # type: ignore[attr-defined]
    }
    return _render(request, "shop/product_detail.html", context, form="optimized")


# Category -----------------------------------------------------------------------------


def _category_page(
    request: HttpRequest, category: Category, listings: QuerySet, *, form: str
) -> TemplateResponse:
    children = category.children.filter(is_public=True).order_by("path")
    page = _page(request, listings.filter(product__categories=category), per_page=CATEGORY_PER_PAGE)
    context = {"category": category, "children": children, "page": page}
    return _render(request, "shop/category.html", context, form=form)


@require_GET
def category_naive(request: HttpRequest, slug: str) -> TemplateResponse:
    """A category's listings; the breadcrumb and every card load lazily: 4n + 4 queries."""
    category = get_object_or_404(Category.objects.public(), slug=slug)
    return _category_page(request, category, Listing.objects.public().newest_first(), form="naive")


@require_GET
def category(request: HttpRequest, slug: str) -> TemplateResponse:
    """A category's listings in 5 queries for any page size."""
    category = get_object_or_404(Category.objects.public().with_parent(), slug=slug)
    listings = Listing.objects.public().newest_first().optimize_for_list()
    return _category_page(request, category, listings, form="optimized")


# Order history ------------------------------------------------------------------------


@require_GET
def order_history_naive(request: HttpRequest, customer_id: int) -> TemplateResponse:
    """A customer's orders; lines, listings, products and totals load one by one."""
    customer = get_object_or_404(Customer, pk=customer_id)
    orders = customer.orders.order_by("-created_at", "-id")
    context = {"customer": customer, "orders": orders}
    return _render(request, "shop/order_history.html", context, form="naive")


@require_GET
def order_history(request: HttpRequest, customer_id: int) -> TemplateResponse:
    """A customer's orders in 3 queries, whatever the number of orders and lines."""
    customer = get_object_or_404(Customer.objects.select_related("address"), pk=customer_id)
    orders = Order.objects.filter(customer=customer).optimize_for_history()
    context = {"customer": customer, "orders": orders}
    return _render(request, "shop/order_history.html", context, form="optimized")


# Search -------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> TemplateResponse:
    """Listings whose product title or brand contains every word of ``q`` (3 queries)."""
    terms = request.GET.get("q", "").split()[:5]
    results: list[Listing] = []
    if terms:
        listings = Listing.objects.public()
        for term in terms:
            listings = listings.filter(
                Q(product__title__icontains=term) | Q(product__brand__name__icontains=term)
            )
        results = list(listings.newest_first().optimize_for_list()[:SEARCH_RESULTS])
    context = {"q": " ".join(terms), "results": results, "limit": SEARCH_RESULTS}
    return _render(request, "shop/search.html", context, form="single")


# Cart ---------------------------------------------------------------------------------


def _cart_ids(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get("cart", [])]


@require_GET
def cart(request: HttpRequest) -> TemplateResponse:
    """The cart kept in the session: its listings in 3 queries, and the total."""
    ids = _cart_ids(request)
    listings = Listing.objects.filter(pk__in=ids).optimize_for_list()
    by_id = {listing.pk: listing for listing in listings}
    items = [by_id[pk] for pk in ids if pk in by_id]
    total = sum((item.price for item in items), Decimal("0"))
    return _render(request, "shop/cart.html", {"items": items, "total": total}, form="single")


@require_POST
def cart_add(request: HttpRequest) -> HttpResponseRedirect:
    """Add ``listing`` to the cart (the most recent ``CART_LIMIT`` are kept)."""
    try:
        listing_id = int(request.POST.get("listing", ""))
    except ValueError as exc:
        raise Http404("no such listing") from exc
    if not Listing.objects.public().filter(pk=listing_id).exists():
        raise Http404("no such listing")
    request.session["cart"] = [*_cart_ids(request), listing_id][-CART_LIMIT:]
    return HttpResponseRedirect(reverse("shop:cart"))


@require_GET
def cart_summary(request: HttpRequest) -> JsonResponse:
    """``GET /api/cart/``: the header's cart badge, fetched by every page (one query)."""
    ids = _cart_ids(request)
    totals = Listing.objects.filter(pk__in=ids).aggregate(items=Count("id"), total=Sum("price"))
    # SQLite sums decimals with extra digits: round to cents as the cart page shows them.
    total = (totals["total"] or Decimal("0")).quantize(Decimal("0.01"))
    return JsonResponse({"items": totals["items"], "total": str(total)})


# JSON API -----------------------------------------------------------------------------


def _listing_json(listing: Listing) -> dict:
    product = listing.product
    return {
        "id": listing.pk,
        "price": str(listing.price),
        "grade": listing.get_grade_display(),
        "stock": listing.stock,
        "product": {
            "title": product.title,
            "slug": product.slug,
            "brand": product.brand.name,
            "images": [image.url for image in product.images.all()],
            "categories": [category.name for category in product.categories.all()],
        },
    }


@require_GET
def api_listings(request: HttpRequest) -> JsonResponse:
    """``GET /api/listings/?page=&per_page=``: a page of listings as JSON (3 queries)."""
    page = _page(request, Listing.objects.public().newest_first().optimize_for_list())
    return JsonResponse(
        {
            "page": page.number,
            "per_page": page.per_page,
            "has_next": page.has_next,
            "results": [_listing_json(listing) for listing in page.rows],
        }
    )


@require_GET
def api_listing(request: HttpRequest, pk: int) -> HttpResponse:
    """``GET /api/listings/<id>/``: one listing with its product's reviews (4 queries)."""
    listing = Listing.objects.public().optimize_for_details().filter(pk=pk).first()
    if listing is None:
        return JsonResponse({"error": f"no public listing with id {pk}"}, status=404)
    reviews = [
        {"rating": r.rating, "text": r.text, "customer": r.customer.name}
        for r in listing.product.reviews.all()
    ]
    return JsonResponse({**_listing_json(listing), "reviews": reviews})
