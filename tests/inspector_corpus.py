"""The inspector's corpus: code with N+1s (and code without), each with its expected findings.

Four kinds of snippets: the lessons' examples (``tests/corpus_lesson*.py``, run as they
are), the exercises' naive answers (as the exercise notebooks hand them out), every naive
page of the shop (through the test client), and traps written for the purpose (the
issue's list: chains through properties and templates, reverse foreign keys,
many-to-many, deferred fields, filtered or re-ordered prefetches, per-row ``count()`` /
``exists()`` / ``first()``, lookups by hand, legitimate repeats, correct prefetches).

Each snippet runs at two data sizes (seeded with 30 and 60 customers; ``n`` is 4 and 8
where the snippet takes a page size). ``tests/test_inspector_corpus.py`` checks that the
inspector finds exactly the expected relations, that each one is backed by a query count
that grows with the data (and each snippet without a finding by a flat count), and that
applying every fix the inspector suggests gives the same result in a flat count.

The fix is applied the way a learner would add it: to the queryset that loads the loop's
rows (:func:`applied` adds the fix's calls to querysets of its model), and, where the fix
changes what the loop reads (``customer.ordered_orders`` instead of
``customer.orders.order_by(...).first()``), through :func:`reading`, which the snippet
wraps around that read.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import corpus_lesson03 as n_plus_one
import corpus_lesson04 as prefetch
import corpus_lesson05 as composing
import corpus_lesson07 as pinning
import django
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, Prefetch
from django.db.models.query import ModelIterable, QuerySet
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from workshop_site.grading.exercises import ex05
from workshop_site.lab.capture import QueryLog, queries
from workshop_site.lab.inspector import Finding, Fix, diagnose
from workshop_site.lab.template_costs import render
from workshop_site.seed import REFERENCE_NOW, reset_sequences, seed
from workshop_site.shop import dashboard, views
from workshop_site.shop.models import (
    Category,
    Customer,
    Listing,
    Order,
    OrderLine,
    Pizza,
    Product,
    Review,
    Topping,
)

SIZES = {30: 4, 60: 8}  # seed size (customers) -> n, the page size of the snippets with one

# -- the hooks a fixed run uses -----------------------------------------------------------

_active: contextvars.ContextVar[tuple[Fix, ...]] = contextvars.ContextVar("fixes", default=())


def reading(row: Any, path: str, naive: Callable[[Any], Any]) -> Any:
    """What the loop reads of ``row``'s relation ``path``: the naive expression, or in a
    fixed run the read the fix asks for (``Fix.read``)."""
    for fix in _active.get():
        read = fix.read(row, path)
        if read is not None:
            return read.value(row)
    return naive(row)


@contextmanager
def applied(fixes: list[Fix], owners: set[type]) -> Iterator[None]:
    """For the block, every queryset of a fix's model that loads rows of a loop gets the
    fix's calls added before it runs. Querysets of a related manager or lazy load of one
    of the loop's own rows (``root.children``, a prefetch) are left alone: those are the
    per-row queries, not the loop's queryset."""
    by_model = {fix.model: fix for fix in fixes}
    original = QuerySet._fetch_all

    def _fetch_all(self: QuerySet) -> None:
        fix = by_model.get(self.model)
        if (
            fix is not None
            and self._result_cache is None
            and self._iterable_class is ModelIterable
            and not getattr(self, "_corpus_fixed", False)
            and type(self._hints.get("instance")) not in owners
        ):
            fixed = fix.apply(self)
            fixed._corpus_fixed = True
            fixed._fetch_all()
            self._result_cache = fixed._result_cache
            self._prefetch_done = True
            return
        original(self)

    # The query recorder names the innermost frame outside Django as the line that ran a
    # query: this wrapper must not be that line, so its frames say they are Django's.
    _fetch_all.__code__ = _fetch_all.__code__.replace(co_filename=django.__file__)
    token = _active.set(tuple(fixes))
    if fixes:
        QuerySet._fetch_all = _fetch_all
    try:
        yield
    finally:
        QuerySet._fetch_all = original
        _active.reset(token)


# -- snippets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    name: str
    run: Callable[[Any], Any]  # called with prepare(n), or with n
    expect: tuple[str, ...] = ()  # the relations of the findings, one per finding
    prepare: Callable[[int], Any] | None = None  # runs before the recording
    kind: str = "trap"  # lesson, exercise, page, trap
    #: The naive code does not order its rows, or a row's related rows: compare them
    #: sorted, at every level (PostgreSQL returns an unordered prefetch in another order
    #: than the naive per-row queries).
    unordered: bool = False


SNIPPETS: list[Snippet] = []


def snippet(
    *expect: str, kind: str = "trap", prepare: Callable[[int], Any] | None = None, **options: Any
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(run: Callable[[Any], Any]) -> Callable[[Any], Any]:
        SNIPPETS.append(
            Snippet(run.__name__, run, tuple(expect), prepare=prepare, kind=kind, **options)
        )
        return run

    return register


def lesson(name: str, function: Callable[[], Any], *expect: str, **options: Any) -> None:
    SNIPPETS.append(Snippet(name, lambda _n: function(), tuple(expect), kind="lesson", **options))


# (The helpers that grow the data are defined below; lessons that need one pass it as
# ``prepare``.)


@contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    previous = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, previous)


# Data the seed has a fixed amount of (the category tree, one product's reviews, one
# customer's orders) is grown to ``n`` rows before the recording.


def more_roots(n: int) -> int:
    for number in range(n):
        root = Category.objects.create(
            name=f"Extra {number}", slug=f"extra-{number}", path=f"9{number:03d}", depth=1
        )
        Category.objects.create(
            parent=root,
            name=f"Extra {number} child",
            slug=f"extra-{number}-child",
            path=f"9{number:03d}0001",
            depth=2,
        )
    return n


def more_children(n: int) -> int:
    root = Category.objects.filter(parent=None).order_by("path").first()
    assert root is not None
    for number in range(n):
        Category.objects.create(
            parent=root,
            name=f"Extra child {number}",
            slug=f"extra-child-{number}",
            path=f"{root.path}9{number:03d}",
            depth=root.depth + 1,
        )
    return n


def product_with_reviews(n: int) -> Product:
    product = Product.objects.order_by("id").first()
    assert product is not None
    product.reviews.all().delete()
    customers = list(Customer.objects.order_by("id")[:n])
    for number, customer in enumerate(customers):
        Review.objects.create(
            product=product,
            customer=customer,
            rating=1 + number % 5,
            text=f"Review {number}",
            created_at=REFERENCE_NOW - timedelta(days=number),
        )
    return product


def customer_with_orders(n: int) -> Customer:
    customer = Customer.objects.order_by("id").first()
    assert customer is not None
    customer.orders.all().delete()
    listings = list(Listing.objects.order_by("id")[:2])
    for number in range(n):
        order = Order.objects.create(
            customer=customer,
            created_at=REFERENCE_NOW - timedelta(days=number),
            status=Order.Status.PAID,
        )
        for listing in listings:
            OrderLine.objects.create(
                order=order, listing=listing, quantity=1 + number % 3, unit_price=listing.price
            )
    return customer


def category_with_listings(n: int) -> Category:
    category = Category.objects.exclude(parent=None).filter(is_public=True).order_by("path")[0]
    listings = Listing.objects.public().newest_first()[:n]
    for listing in listings:
        listing.product.categories.add(category)
    return category


def waiting(n: int) -> int:
    """2n more customers waiting for their welcome letter."""
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[: 2 * n])
    Customer.objects.filter(id__in=ids).update(welcome_letter_sent=False)
    return n


def low_on_stock(n: int) -> int:
    ids = list(Listing.objects.order_by("id").values_list("id", flat=True)[: 2 * n])
    Listing.objects.filter(id__in=ids).update(stock=1, is_active=True)
    return n


def pending(n: int) -> int:
    ids = list(Order.objects.order_by("id").values_list("id", flat=True)[: 2 * n])
    Order.objects.filter(id__in=ids).update(status=Order.Status.PENDING)
    return n


def paid(n: int) -> int:
    ids = list(Order.objects.order_by("id").values_list("id", flat=True)[: 2 * n])
    Order.objects.filter(id__in=ids).update(status=Order.Status.PAID)
    return n


def one_star(n: int) -> int:
    ids = list(Review.objects.order_by("id").values_list("id", flat=True)[: 2 * n])
    Review.objects.filter(id__in=ids).update(rating=1)
    return n


def loaded_customers(n: int) -> list[Customer]:
    return list(Customer.objects.order_by("id")[:n])


client_get = Client().get


def page(name: str, **kwargs: Any) -> Callable[[Any], str]:
    def get(arguments: Any) -> str:
        query = ""
        if isinstance(arguments, int):
            query = f"?per_page={arguments}"
        path = reverse(f"shop:{name}", kwargs=kwargs or _kwargs(name, arguments))
        response = client_get(path + query)
        assert response.status_code == 200, response.status_code
        return _CSRF.sub("", response.content.decode())  # a new token on every page

    return get


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _kwargs(name: str, arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, Product):
        return {"slug": arguments.slug}
    if isinstance(arguments, Category):
        return {"slug": arguments.slug}
    if isinstance(arguments, Customer):
        return {"customer_id": arguments.pk}
    return {}


# == the lessons' examples, run as they are ================================================

lesson("welcome_letters_naive", n_plus_one.welcome_letters_naive, "Customer.address")
lesson("welcome_letters", n_plus_one.welcome_letters)
lesson("welcome_letters_peers", n_plus_one.welcome_letters_peers)
lesson("price_list_naive", n_plus_one.price_list_naive, "Listing.product", "Product.brand")
lesson("price_list_one_hop", n_plus_one.price_list_one_hop, "Product.brand")
lesson("price_list", n_plus_one.price_list)
lesson("packing_list", n_plus_one.packing_list)
SNIPPETS.append(
    Snippet(
        "category_menu_naive",
        lambda _n: n_plus_one.category_menu_naive(),
        ("Category.parent",),
        prepare=more_children,
        kind="lesson",
    )
)
SNIPPETS.append(
    Snippet(
        "category_menu",
        lambda _n: n_plus_one.category_menu(),
        prepare=more_children,
        kind="lesson",
    )
)
lesson("snippets_naive", n_plus_one.snippets_naive, "Product.description")
lesson("snippets_peers", n_plus_one.snippets_peers)
lesson("restock_list_naive", n_plus_one.restock_list_naive, "Listing.product", prepare=low_on_stock)
lesson("restock_list", n_plus_one.restock_list, prepare=low_on_stock)
lesson("mailing_labels_naive", n_plus_one.mailing_labels_naive, "Customer.address", prepare=waiting)
lesson("mailing_labels", n_plus_one.mailing_labels, prepare=waiting)
lesson(
    "pending_orders_api_naive",
    n_plus_one.pending_orders_api_naive,
    "Order.customer",
    prepare=pending,
)
lesson("pending_orders_api", n_plus_one.pending_orders_api, prepare=pending)


@snippet("Review.customer", kind="lesson")
def latest_reviews_page_naive(n: int) -> str:
    with patched(n_plus_one, "LATEST", n):
        return n_plus_one.latest_reviews_page_naive()


@snippet(kind="lesson")
def latest_reviews_page(n: int) -> str:
    with patched(n_plus_one, "LATEST", n):
        return n_plus_one.latest_reviews_page()


@snippet("Order.customer", kind="lesson")
def admin_orders_naive(n: int) -> list[list[str]]:
    return n_plus_one.admin_rows(type("Admin", (n_plus_one.OrderAdminNaive,), {"list_per_page": n}))


@snippet(kind="lesson")
def admin_orders(n: int) -> list[list[str]]:
    return n_plus_one.admin_rows(type("Admin", (n_plus_one.OrderAdmin,), {"list_per_page": n}))


lesson("menu_naive", prefetch.menu_naive, "Pizza.toppings")
lesson("menu", prefetch.menu)
lesson("gallery_naive", prefetch.gallery_naive, "Product.images")
lesson("gallery", prefetch.gallery)
lesson("cards", prefetch.cards)
lesson("good_reviews", prefetch.good_reviews)
lesson("newest_reviews", prefetch.newest_reviews)
lesson(
    "category_paths_naive",
    prefetch.category_paths_naive,
    "Product.categories",
    "Category.parent",
    unordered=True,
)
lesson("category_paths", prefetch.category_paths)
lesson("review_authors_naive", prefetch.review_authors_naive, "Review.customer")
lesson("review_authors_prefetched", prefetch.review_authors_prefetched)
lesson("review_authors", prefetch.review_authors)
lesson("review_counts", prefetch.review_counts)


@snippet("Product.reviews", kind="lesson")
def good_reviews_trap(_n: int) -> list[tuple[str, list[int]]]:
    # prefetch.good_reviews_trap, its per-row read wrapped for the fixed run
    products = Product.objects.prefetch_related("reviews").order_by("id")[: prefetch.PAGE]
    return [
        (
            product.title,
            sorted(
                r.rating
                for r in reading(
                    product, "reviews", lambda product: product.reviews.filter(rating__gte=4)
                )
            ),
        )
        for product in products
    ]


@snippet("Product.reviews", kind="lesson")
def newest_reviews_trap(_n: int) -> list[tuple[str, list[int]]]:
    products = Product.objects.prefetch_related("reviews").order_by("id")[: prefetch.PAGE]
    return [
        (
            product.title,
            [
                r.pk
                for r in reading(
                    product,
                    "reviews",
                    lambda product: product.reviews.order_by("-created_at", "-id")[:3],
                )
            ],
        )
        for product in products
    ]


lesson(
    "cards_naive",
    composing.cards_naive,
    "Listing.product",
    "Product.brand",
    "Product.images",
    "Product.categories",
)
lesson("composed_cards", composing.cards)
lesson("cards_chained", composing.cards_chained)
lesson("cards_with_reviewers", composing.cards_with_reviewers)
lesson("ratings", composing.ratings)


# Lesson 09d's pending-orders table, as its cells type it.
def _pending_page(n: int) -> QuerySet[Order]:
    return Order.objects.filter(status="pending").order_by("created_at", "id")[:n]


def _render_orders(orders: Any) -> str:
    return render("examples/order_rows.html", {"orders": orders})


@snippet(
    "Order.customer",
    "Order.lines",
    "Order.lines",
    "OrderLine.listing",
    "Listing.product",
    kind="lesson",
    prepare=pending,
)
def template_pending_orders_naive(n: int) -> str:
    return _render_orders(_pending_page(n))


@snippet(kind="lesson", prepare=pending)
def template_pending_orders(n: int) -> str:
    lines = OrderLine.objects.select_related("listing__product").order_by("id")
    pending = _pending_page(n).select_related("customer")
    return _render_orders(pending.prefetch_related(Prefetch("lines", lines)))


@snippet("Order.lines", kind="lesson", prepare=customer_with_orders)
def order_summaries_naive(customer: Customer) -> list[tuple[int, str, Decimal]]:
    return pinning.order_summaries_naive(customer)


@snippet(kind="lesson", prepare=customer_with_orders)
def order_summaries(customer: Customer) -> list[tuple[int, str, Decimal]]:
    return pinning.order_summaries(customer)


@snippet("Review.customer", kind="lesson", prepare=product_with_reviews)
def review_lines_naive(product: Product) -> list[str]:
    return pinning.review_lines_naive(product)


@snippet(kind="lesson", prepare=product_with_reviews)
def review_lines(product: Product) -> list[str]:
    return pinning.review_lines(product)


@snippet(
    "Order.customer", "Customer.address", "Order.lines", "Order.lines", kind="lesson", prepare=paid
)
def dashboard_orders_to_ship(n: int) -> list[Any]:
    with patched(dashboard, "TO_SHIP", n):
        return dashboard.orders_to_ship()


@snippet("Product.description", kind="lesson")
def dashboard_low_stock(n: int) -> list[Any]:
    with patched(dashboard, "LOW_STOCK", n), patched(dashboard, "LOW_STOCK_BELOW", 1000):
        return dashboard.low_stock()


# == the exercises' naive answers, as the exercise notebooks hand them out =================


@snippet("Customer.address", kind="exercise", unordered=True, prepare=waiting)
def welcome_letter_labels_naive(_n: int) -> list[str]:  # 01
    waiting = Customer.objects.filter(welcome_letter_sent=False)
    return [customer.mailing_label for customer in waiting]


@snippet("Order.lines", kind="exercise", prepare=pending)
def pending_order_totals_naive(_n: int) -> dict[int, Decimal]:  # 01
    pending = Order.objects.filter(status=Order.Status.PENDING)
    return {order.pk: order.total for order in pending}


@snippet("Customer.address", kind="exercise", unordered=True, prepare=waiting)
def welcome_envelopes_naive(_n: int) -> list[tuple[str, str, str, str]]:  # 03.1
    waiting = Customer.objects.filter(welcome_letter_sent=False)
    return [(c.name, c.address.street, c.address.postcode, c.address.city) for c in waiting]


@snippet("OrderLine.listing", "Listing.product", kind="exercise", unordered=True, prepare=pending)
def packing_list_naive(_n: int) -> list[tuple[int, str, int]]:  # 03.2
    lines = OrderLine.objects.filter(order__status=Order.Status.PENDING)
    return [(line.order_id, line.listing.product.title, line.quantity) for line in lines]


@snippet("Listing.product", kind="exercise", unordered=True, prepare=pending)
def packing_list_first_hop_only(_n: int) -> list[tuple[int, str, int]]:  # 03.2's wrong fix
    lines = OrderLine.objects.filter(order__status=Order.Status.PENDING).select_related("listing")
    return [(line.order_id, line.listing.product.title, line.quantity) for line in lines]


@snippet("Review.customer", "Customer.address", kind="exercise", unordered=True, prepare=one_star)
def apology_letters_naive(_n: int) -> list[str]:  # 03.3
    reviews = Review.objects.filter(rating=1)
    return [review.customer.mailing_label for review in reviews]


@snippet("Customer.address", kind="exercise", unordered=True, prepare=one_star)
def apology_letters_customer_only(_n: int) -> list[str]:  # 03.3's wrong fix: a property
    reviews = Review.objects.filter(rating=1).select_related("customer")
    return [review.customer.mailing_label for review in reviews]


@snippet("Pizza.toppings", kind="exercise", unordered=True)
def menu_page_naive(_n: int) -> list[tuple[Any, ...]]:  # 04.1
    menu = []
    for pizza in Pizza.objects.all():
        toppings = pizza.toppings.all()
        vegetarian = all(topping.is_vegetarian for topping in toppings)
        menu.append((pizza.name, pizza.price, sorted(t.name for t in toppings), vegetarian))
    return menu


@snippet("Product.images", "Product.categories", "Product.brand", kind="exercise", unordered=True)
def product_cards_naive(_n: int) -> list[tuple[Any, ...]]:  # 04.2
    cards = []
    for product in Product.objects.filter(is_public=True):
        images = product.images.all()
        first = images[0].url if images else None
        categories = sorted(category.name for category in product.categories.all())
        cards.append((product.title, product.brand.name, first, categories))
    return cards


@snippet("Product.reviews", kind="exercise", unordered=True)
def good_reviews_prefetched(_n: int) -> dict[str, list[int]]:  # 04.3
    products = Product.objects.prefetch_related("reviews")
    return {
        product.slug: sorted(
            review.rating
            for review in reading(
                product, "reviews", lambda product: product.reviews.filter(rating__gte=4)
            )
        )
        for product in products
    }


@snippet(
    "Order.customer",
    "Customer.address",
    "Order.lines",
    "Order.lines",
    "OrderLine.listing",
    "Listing.product",
    "Product.brand",
    kind="exercise",
    prepare=paid,
)
def orders_to_ship_naive(_n: int) -> list[Any]:  # 05.1
    paid = Order.objects.filter(status=Order.Status.PAID).newest_first()
    return ex05.shipments(paid)


@snippet("Customer.address", "Customer.orders", "Customer.reviews", kind="exercise")
def support_list_naive(_n: int) -> list[Any]:  # 05.2
    return [
        (
            customer.name,
            customer.address.city,
            reading(customer, "orders", lambda customer: customer.orders.count()),
            reading(customer, "reviews", lambda customer: customer.reviews.count()),
        )
        for customer in Customer.objects.order_by("id")
    ]


# == the shop's pages ======================================================================

SNIPPETS += [
    Snippet(
        "product_list_naive",
        page("product_list_naive"),
        ("Listing.product", "Product.brand", "Product.images", "Product.categories"),
        kind="page",
    ),
    Snippet("product_list", page("product_list"), kind="page"),
    Snippet(
        "product_detail_naive",
        page("product_detail_naive"),
        ("Review.customer",),
        prepare=product_with_reviews,
        kind="page",
    ),
    Snippet("product_detail", page("product_detail"), prepare=product_with_reviews, kind="page"),
    Snippet(
        "category_naive",
        page("category_naive"),
        ("Listing.product", "Product.brand", "Product.images", "Product.categories"),
        prepare=category_with_listings,
        kind="page",
    ),
    Snippet("category", page("category"), prepare=category_with_listings, kind="page"),
    Snippet(
        "order_history_naive",
        page("order_history_naive"),
        ("Order.lines", "Order.lines", "OrderLine.listing", "Listing.product"),
        prepare=customer_with_orders,
        kind="page",
    ),
    Snippet("order_history", page("order_history"), prepare=customer_with_orders, kind="page"),
    Snippet("home", lambda _n: page("home")(None), prepare=more_roots, kind="page"),
]


@snippet(
    "Category.children",
    "Listing.product",
    "Product.brand",
    "Product.images",
    "Product.categories",
    kind="page",
    prepare=more_roots,
)
def home_naive(n: int) -> str:
    # views.home_naive with the menu's per-root read wrapped for the fixed run (the view
    # hands the template a queryset per root; the fix reads a prefetched list instead).
    with patched(views, "FEATURED", n):
        request = _request("shop:home_naive")
        featured = Listing.objects.public().newest_first()[: views.FEATURED]
        menu = [
            (
                root,
                reading(
                    root,
                    "children",
                    lambda root: root.children.filter(
                        is_public=True, ancestors_are_public=True
                    ).order_by("path"),
                ),
            )
            for root in Category.objects.public().roots()
        ]
        response = views._render(
            request, "shop/home.html", {"featured": featured, "menu": menu}, form="naive"
        )
        return response.render().content.decode()


def _request(name: str) -> Any:
    from django.test import RequestFactory
    from django.urls import resolve

    path = reverse(name)
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    request.session = {}
    request.user = AnonymousUser()
    return request


# == traps ==================================================================================


@snippet("Customer.orders")
def latest_order_per_customer(n: int) -> list[int | None]:
    customers = Customer.objects.order_by("id")[: 3 * n]
    latest = [
        reading(c, "orders", lambda c: c.orders.order_by("-created_at", "-id").first())
        for c in customers
    ]
    return [order.pk if order else None for order in latest]


@snippet("Product.reviews", "Review.customer")
def review_authors_unprefetched(n: int) -> list[list[str]]:
    products = Product.objects.order_by("id")[:n]
    return [sorted(review.customer.name for review in p.reviews.all()) for p in products]


@snippet("Listing.product_id", "Listing.product")
def only_price_then_product(n: int) -> list[tuple[Decimal, str]]:
    listings = Listing.objects.only("price").order_by("id")[:n]
    return [(listing.price, listing.product.title) for listing in listings]


@snippet("Category.children", prepare=more_roots)
def menu_keeps_its_order(_n: int) -> list[list[str]]:
    roots = Category.objects.filter(parent=None).order_by("path")
    return [
        [
            child.name
            for child in reading(
                root,
                "children",
                lambda root: root.children.filter(is_public=True).order_by("-path"),
            )
        ]
        for root in roots
    ]


REVIEWS_AND_ORDERS = Template(
    "{% for order in orders %}{{ order.pk }} {% endfor %}"
    "{% for review in reviews %}{{ review.customer.name }} {% endfor %}"
)


@snippet("Review.customer")
def template_reads_review_customers(n: int) -> str:
    reviews = list(Review.objects.order_by("id")[:n])
    orders = list(Order.objects.order_by("id")[:n])
    return REVIEWS_AND_ORDERS.render(Context({"orders": orders, "reviews": reviews}))


@snippet("Customer.address", prepare=loaded_customers)
def rows_loaded_before_the_recording(customers: list[Customer]) -> list[str]:
    return [customer.address.city for customer in customers]


@snippet()
def fixed_gets_after_loading_orders(n: int) -> list[str]:
    orders = list(Order.objects.order_by("id")[:n])
    names = [Customer.objects.get(pk=pk).name for pk in (1, 2, 3)]
    return [str(len(orders)), *names]


@snippet("Order.customer")
def lookup_by_hand_values_list(n: int) -> list[str]:
    orders = Order.objects.order_by("id")[:n]
    return [
        reading(
            o,
            "customer",
            lambda o: Customer.objects.values_list("name", flat=True).get(pk=o.customer_id),
        )
        for o in orders
    ]


@snippet("Order.customer")
def lookup_by_hand_get(n: int) -> list[str]:
    orders = Order.objects.order_by("id")[:n]
    return [
        reading(o, "customer", lambda o: Customer.objects.get(pk=o.customer_id)).email
        for o in orders
    ]


@snippet("Product.reviews")
def reverse_lookup_by_hand(n: int) -> list[list[int]]:
    products = Product.objects.order_by("id")[:n]
    return [
        sorted(r.pk for r in reading(p, "reviews", lambda p: Review.objects.filter(product=p)))
        for p in products
    ]


@snippet("Product.images")
def count_per_row(n: int) -> list[int]:
    products = Product.objects.order_by("id")[:n]
    return [reading(p, "images", lambda p: p.images.count()) for p in products]


@snippet("Product.reviews")
def filtered_count_per_row(n: int) -> list[int]:
    products = Product.objects.order_by("id")[:n]
    return [
        reading(p, "reviews", lambda p: p.reviews.filter(rating__gte=4).count()) for p in products
    ]


@snippet("Product.images")
def exists_per_row(n: int) -> list[bool]:
    products = Product.objects.order_by("id")[:n]
    return [reading(p, "images", lambda p: p.images.exists()) for p in products]


@snippet("Product.images")
def first_per_row(n: int) -> list[str | None]:
    products = Product.objects.order_by("id")[:n]
    firsts = [reading(p, "images", lambda p: p.images.first()) for p in products]
    return [image.url if image else None for image in firsts]


@snippet("Product.reviews")
def last_per_row(n: int) -> list[int | None]:
    products = Product.objects.order_by("id")[:n]
    lasts = [reading(p, "reviews", lambda p: p.reviews.last()) for p in products]
    return [review.pk if review else None for review in lasts]


@snippet("Product.reviews")
def top_two_per_row(n: int) -> list[list[int]]:
    products = Product.objects.order_by("id")[:n]
    return [
        [r.pk for r in reading(p, "reviews", lambda p: p.reviews.order_by("-rating", "-id")[:2])]
        for p in products
    ]


@snippet("Product.reviews")
def filter_without_prefetch(n: int) -> list[list[int]]:
    products = Product.objects.order_by("id")[:n]
    return [
        sorted(r.pk for r in reading(p, "reviews", lambda p: p.reviews.filter(rating=5)))
        for p in products
    ]


@snippet("Pizza.toppings")
def vegetarian_toppings_filtered_after_prefetch(n: int) -> list[list[str]]:
    pizzas = Pizza.objects.prefetch_related("toppings").order_by("id")
    return [
        sorted(
            t.name for t in reading(p, "toppings", lambda p: p.toppings.filter(is_vegetarian=True))
        )
        for p in pizzas
    ]


@snippet("Topping.pizzas")
def many_to_many_backwards(n: int) -> list[list[str]]:
    toppings = Topping.objects.order_by("id")[: 2 * n]
    return [sorted(p.name for p in t.pizzas.all()) for t in toppings]


@snippet("Product.categories")
def many_to_many_forward(n: int) -> list[list[str]]:
    return [sorted(c.name for c in p.categories.all()) for p in Product.objects.order_by("id")[:n]]


@snippet("Review.text")
def deferred_text(n: int) -> list[int]:
    return [len(r.text) for r in Review.objects.defer("text").order_by("id")[: 2 * n]]


@snippet("Product.images")
def count_through_a_join(n: int) -> list[int]:
    listings = Listing.objects.select_related("product").order_by("id")[:n]
    return [
        reading(listing, "product__images", lambda listing: listing.product.images.count())
        for listing in listings
    ]


@snippet("Customer.address")
def customer_address_of_each_order(n: int) -> list[str]:
    orders = Order.objects.select_related("customer").order_by("id")[: 2 * n]
    return [order.customer.address.city for order in orders]


@snippet("Review.customer")
def authors_of_a_custom_prefetch(n: int) -> list[list[str]]:
    newest = Prefetch("reviews", queryset=Review.objects.order_by("-created_at", "-id"))
    products = Product.objects.prefetch_related(newest).order_by("id")[:n]
    return [[r.customer.name for r in p.reviews.all()] for p in products]


@snippet("OrderLine.listing", "Listing.product", "Order.lines")
def order_lines_then_products(n: int) -> list[list[str]]:
    orders = Order.objects.order_by("id")[:n]
    return [sorted(line.listing.product.title for line in o.lines.all()) for o in orders]


@snippet("Category.parent", prepare=more_children)
def breadcrumbs_through_a_property(_n: int) -> list[str]:
    return [c.breadcrumb for c in Category.objects.filter(parent__isnull=False).order_by("path")]


@snippet("Listing.product")
def str_of_each_listing(n: int) -> list[str]:
    return [str(listing) for listing in Listing.objects.order_by("id")[:n]]


@snippet("Customer.address", "Customer.address")
def two_loops_on_one_queryset_each(n: int) -> list[str]:
    first = [c.address.city for c in Customer.objects.order_by("id")[:n]]
    return first + [c.address.city for c in Customer.objects.order_by("-id")[:n]]


# -- legitimate repeats: not one query per row of anything ---------------------------------


@snippet()
def three_pages_of_a_list(n: int) -> list[list[int]]:
    listings = Listing.objects.order_by("id")
    return [[x.pk for x in listings[page * n : page * n + 3]] for page in range(3)]


@snippet()
def the_same_query_three_times(n: int) -> list[int]:
    return [Listing.objects.filter(stock__lt=3).count() for _ in range(3)]


@snippet()
def one_count_per_grade(n: int) -> list[int]:
    return [Listing.objects.filter(grade=grade).count() for grade in Listing.Grade.values]


@snippet()
def one_product_page_of_three_products(n: int) -> list[str]:
    return [p.brand.name for p in Product.objects.order_by("id")[:2]]


@snippet()
def a_loop_over_fixed_ids(n: int) -> list[str]:
    return [Customer.objects.get(pk=pk).name for pk in (1, 2, 3, 4)]


# -- correct code: no finding ----------------------------------------------------------------


@snippet()
def select_related_chain(n: int) -> list[str]:
    listings = Listing.objects.select_related("product__brand").order_by("id")[:n]
    return [x.product.brand.name for x in listings]


@snippet()
def prefetch_with_to_attr(n: int) -> list[list[int]]:
    good = Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), to_attr="good")
    products = Product.objects.prefetch_related(good).order_by("id")[:n]
    return [sorted(r.pk for r in p.good) for p in products]


@snippet()
def counts_by_annotation(n: int) -> list[int]:
    products = Product.objects.annotate(images_total=Count("images")).order_by("id")[:n]
    return [p.images_total for p in products]


@snippet()
def prefetched_counts(n: int) -> list[int]:
    products = Product.objects.prefetch_related("images").order_by("id")[:n]
    return [p.images.count() for p in products]


@snippet()
def only_what_is_read(n: int) -> list[str]:
    return [p.title for p in Product.objects.only("title").order_by("id")[:n]]


# -- running one snippet -------------------------------------------------------------------


@dataclass
class Outcome:
    """One run of a snippet at one size."""

    size: int
    queries: int = 0
    findings: list[Finding] = field(default_factory=list)
    result: Any = None
    error: str = ""
    log: QueryLog | None = None

    @property
    def relations(self) -> list[str]:
        return sorted(finding.relation for finding in self.findings)


def fixes_of(findings: list[Finding], *, alternative: bool = False) -> list[Fix]:
    """The fixes of ``findings``, once each; with ``alternative``, FETCH_PEERS where the
    finding offers it."""
    unique: dict[tuple[Any, str], Fix] = {}
    for finding in findings:
        fix = finding.alternative if alternative and finding.alternative else finding.fix
        if fix is not None:
            unique.setdefault((fix.model, fix.code), fix)
    return list(unique.values())


def owners_of(findings: list[Finding]) -> set[type]:
    return {apps.get_model("shop", finding.relation.split(".")[0]) for finding in findings}


def _sorted_lists(value: Any) -> Any:
    """``value`` with every list in it sorted (by repr), tuples kept as tuples."""
    if isinstance(value, list):
        return sorted((_sorted_lists(each) for each in value), key=repr)
    if isinstance(value, tuple):
        return tuple(_sorted_lists(each) for each in value)
    return value


#: The size :func:`seeded` holds now (None outside it).
_SEEDED: list[int] = []


@contextmanager
def seeded(size: int) -> Iterator[None]:
    """The data seeded at ``size`` for the :func:`run` calls inside, rolled back at the
    end. Seeding once per size instead of once per run: the corpus took 34 s in each
    worker, 20 of them seeding the same data 404 times."""
    with transaction.atomic():
        seed(size=size, seed=7)
        _SEEDED.append(size)
        try:
            yield
        finally:
            _SEEDED.pop()
            transaction.set_rollback(True)


def run(
    item: Snippet,
    size: int,
    *,
    fixed_by: list[Finding] | None = None,
    alternative: bool = False,
) -> Outcome:
    """Run ``item`` on the data :func:`seeded` at ``size``, recorded, in a savepoint
    rolled back afterwards: each run starts from the same rows, and on PostgreSQL from the
    same id sequences (a rollback leaves them moved), so the rows a run adds get the same
    ids. With ``fixed_by``, the fixes of those findings applied (their alternatives, if
    asked)."""
    if _SEEDED[-1:] != [size]:
        raise RuntimeError(f"run {item.name} at size {size} inside seeded({size})")
    outcome = Outcome(size)
    fixes = fixes_of(fixed_by or [], alternative=alternative)
    owners = owners_of(fixed_by or [])
    with transaction.atomic():
        reset_sequences()
        try:
            with applied(fixes, owners):
                argument = item.prepare(SIZES[size]) if item.prepare else SIZES[size]
                with queries() as log:
                    outcome.result = item.run(argument)
            if item.unordered:
                outcome.result = _sorted_lists(outcome.result)
            outcome.queries = len(log)
            outcome.log = log
            outcome.findings = diagnose(log)
        except Exception as exc:  # the test reports it
            outcome.error = f"{type(exc).__name__}: {exc}"
        transaction.set_rollback(True)
    return outcome
