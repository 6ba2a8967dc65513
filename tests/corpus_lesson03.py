"""Lesson 03, the N+1 problem and ``select_related``: each example, naive and fixed.

Every function returns what its page or job produces, so a naive version and its fix can
be compared (``lab.compare``) and must agree. Their docstrings state the query count the
notebook's prose claims; ``tests/test_lessons_n_plus_one.py`` asserts each one.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_list
from django.contrib.auth.models import User
from django.db.models import FETCH_PEERS, FETCH_RAISE
from django.template import Context, Template
from django.test import RequestFactory

from workshop_site.shop.models import (
    Address,
    Category,
    Customer,
    Listing,
    Order,
    OrderLine,
    Product,
    Review,
)

# -- the talk's example: a welcome letter to every customer ----------------------------


def send_welcome_letter(name: str, address: Address) -> str:
    """Stands in for the printer: the letter's first lines."""
    return f"Welcome to the shop, {name}!\n{address.street}\n{address.postcode} {address.city}"


def welcome_letters_naive() -> list[str]:
    """1 + N queries: the customers, then each customer's address, one by one."""
    letters = []
    for customer in Customer.objects.order_by("id"):
        letters.append(send_welcome_letter(customer.name, customer.address))
    return letters


def welcome_letters() -> list[str]:
    """1 query: each customer's address comes in the same row, with a JOIN."""
    letters = []
    for customer in Customer.objects.select_related("address").order_by("id"):
        letters.append(send_welcome_letter(customer.name, customer.address))
    return letters


def welcome_letters_peers() -> list[str]:
    """2 queries, without naming the relation: the first ``customer.address`` loads the
    address of every customer the queryset returned (Django 6.1's ``FETCH_PEERS``)."""
    letters = []
    for customer in Customer.objects.fetch_mode(FETCH_PEERS).order_by("id"):  # type: ignore[attr-defined]
        letters.append(send_welcome_letter(customer.name, customer.address))
    return letters


def welcome_letters_strict() -> list[str]:
    """The naive loop with lazy loading forbidden: the first ``customer.address`` raises
    ``FieldFetchBlocked`` (``FETCH_RAISE``) instead of running a query."""
    letters = []
    for customer in Customer.objects.fetch_mode(FETCH_RAISE).order_by("id"):  # type: ignore[attr-defined]
        letters.append(send_welcome_letter(customer.name, customer.address))
    return letters


def welcome_letters_strict_fixed() -> list[str]:
    """``FETCH_RAISE`` lets code that loads what it reads run: 1 query."""
    customers = Customer.objects.select_related("address").fetch_mode(FETCH_RAISE)
    letters = []
    for customer in customers.order_by("id"):
        letters.append(send_welcome_letter(customer.name, customer.address))
    return letters


# -- two hops: listing -> product -> brand ---------------------------------------------

#: Rows on one page of the price list (and of the search results, below).
PAGE = 50


def price_list_naive() -> list[str]:
    """1 + 2N queries: each listing's product, then that product's brand."""
    return [
        f"{listing.product.title} by {listing.product.brand.name}: {listing.price} €"
        for listing in Listing.objects.order_by("id")[:PAGE]
    ]


def price_list_one_hop() -> list[str]:
    """1 + N queries: the products are joined, each brand is still loaded alone."""
    return [
        f"{listing.product.title} by {listing.product.brand.name}: {listing.price} €"
        for listing in Listing.objects.select_related("product").order_by("id")[:PAGE]
    ]


def price_list() -> list[str]:
    """1 query: ``product__brand`` joins both hops."""
    return [
        f"{listing.product.title} by {listing.product.brand.name}: {listing.price} €"
        for listing in Listing.objects.select_related("product__brand").order_by("id")[:PAGE]
    ]


# -- select_related() with no argument -------------------------------------------------


def packing_list_everything() -> list[tuple[int, str, int]]:
    """1 query that joins every non-null foreign key, recursively: the order, its customer
    and address, the listing, its product and brand — with all their columns. Django 6.1
    deprecates this form (``RemovedInDjango2028Warning``)."""
    return [
        (line.order_id, line.listing.product.title, line.quantity)
        for line in OrderLine.objects.select_related().order_by("id")
    ]


def packing_list() -> list[tuple[int, str, int]]:
    """1 query that joins only what the loop reads: the listing and its product."""
    return [
        (line.order_id, line.listing.product.title, line.quantity)
        for line in OrderLine.objects.select_related("listing__product").order_by("id")
    ]


# -- a relation that may be empty: Category.parent -------------------------------------


def category_menu_naive() -> list[str]:
    """1 + one query per category that has a parent (a top-level one has none to load)."""
    menu = []
    for category in Category.objects.order_by("path"):
        parent = category.parent
        menu.append(f"{parent.name} › {category.name}" if parent else category.name)
    return menu


def category_menu() -> list[str]:
    """1 query: a LEFT OUTER JOIN keeps the categories without a parent."""
    menu = []
    for category in Category.objects.select_related("parent").order_by("path"):
        parent = category.parent
        menu.append(f"{parent.name} › {category.name}" if parent else category.name)
    return menu


# -- fetch modes and deferred fields ---------------------------------------------------


def snippets_naive() -> list[tuple[str, str]]:
    """1 + N queries: ``only("title")`` deferred the description ``summary`` reads."""
    products = Product.objects.only("title").order_by("id")[:PAGE]
    return [(product.title, product.summary) for product in products]


def snippets_peers() -> list[tuple[str, str]]:
    """2 queries: the first ``summary`` loads every product's description at once."""
    products = Product.objects.only("title").fetch_mode(FETCH_PEERS).order_by("id")[:PAGE]
    return [(product.title, product.summary) for product in products]


# -- where N+1s hide -------------------------------------------------------------------


def restock_list_naive() -> list[str]:
    """1 + N queries, hidden in ``Listing.__str__``, which reads ``self.product``."""
    low = Listing.objects.filter(stock__lt=3).order_by("id")
    return [f"{listing}: {listing.stock} left" for listing in low]


def restock_list() -> list[str]:
    """1 query."""
    low = Listing.objects.filter(stock__lt=3).select_related("product").order_by("id")
    return [f"{listing}: {listing.stock} left" for listing in low]


def mailing_labels_naive() -> list[str]:
    """1 + N queries, hidden in the ``Customer.mailing_label`` property (``self.address``)."""
    waiting = Customer.objects.filter(welcome_letter_sent=False).order_by("id")
    return [customer.mailing_label for customer in waiting]


def mailing_labels() -> list[str]:
    """1 query."""
    waiting = Customer.objects.filter(welcome_letter_sent=False).order_by("id")
    return [customer.mailing_label for customer in waiting.select_related("address")]


#: A template reads relations too: each ``review.customer`` is a query unless loaded.
REVIEWS_TEMPLATE = """<ul>{% for review in reviews %}
  <li>{{ review.rating }}★ {{ review.text }} — {{ review.customer.name }}</li>{% endfor %}
</ul>"""

#: How many reviews the "latest reviews" page shows.
LATEST = 20


def latest_reviews_page_naive() -> str:
    """1 + 20 queries: the view looks innocent; the template reads ``review.customer``."""
    reviews = Review.objects.order_by("-created_at", "-id")[:LATEST]
    return Template(REVIEWS_TEMPLATE).render(Context({"reviews": reviews}))


def latest_reviews_page() -> str:
    """1 query: the view loads what the template reads."""
    reviews = Review.objects.select_related("customer").order_by("-created_at", "-id")[:LATEST]
    return Template(REVIEWS_TEMPLATE).render(Context({"reviews": reviews}))


def order_json(order: Order) -> dict[str, object]:
    """A serializer, written once and far from any view: reads ``order.customer``."""
    return {"id": order.pk, "status": order.status, "customer": order.customer.name}


def pending_orders_api_naive() -> list[dict[str, object]]:
    """1 + N queries: the serializer reads a relation the view did not load."""
    pending = Order.objects.filter(status=Order.Status.PENDING).order_by("id")
    return [order_json(order) for order in pending]


def pending_orders_api() -> list[dict[str, object]]:
    """1 query."""
    pending = Order.objects.filter(status=Order.Status.PENDING).order_by("id")
    return [order_json(order) for order in pending.select_related("customer")]


class OrderAdminNaive(admin.ModelAdmin):
    """The admin joins the foreign keys it sees in ``list_display``, but cannot see inside
    a method: 1 query per row for the customer."""

    list_display = ("id", "status", "customer_name")
    list_display_links = None
    list_per_page = 20

    @admin.display(description="customer")
    def customer_name(self, order: Order) -> str:
        return order.customer.name


class OrderAdmin(OrderAdminNaive):
    """The same page with the customer joined: a fixed number of queries."""

    list_select_related = ("customer",)


def admin_rows(model_admin: type[admin.ModelAdmin]) -> list[list[str]]:
    """The first page of the admin's order list, as its HTML cells, built as the admin does."""
    site = admin.AdminSite(name="lesson03")
    request = RequestFactory().get("/admin/shop/order/")
    request.user = User(username="teacher", is_active=True, is_staff=True, is_superuser=True)
    changelist = model_admin(Order, site).get_changelist_instance(request)
    results: list[list[object]] = result_list(changelist)["results"]  # type: ignore[assignment]
    return [[str(cell) for cell in row] for row in results]


def admin_orders_naive() -> list[list[str]]:
    return admin_rows(OrderAdminNaive)


def admin_orders() -> list[list[str]]:
    return admin_rows(OrderAdmin)
