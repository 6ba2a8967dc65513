"""Lesson 04 (``prefetch_related`` and ``Prefetch``): relations that point to many rows.

Transfer: the lesson prefetches ``pizza.toppings``, ``product.images`` and
``product.reviews`` (filtered by ``Prefetch``) and, as an activity, ``order.lines``;
these start from the customer — two reverse foreign keys in a row, the second read by the
``Order.total`` property (04.1), and the customer's reviews filtered **and** ordered in a
``Prefetch`` (04.3) — and 04.2 mixes a JOIN and two prefetches in one queryset.

The classic wrong fixes: ``select_related`` on a relation to many rows (Django raises a
``FieldError``, which the grader explains), prefetching the first hop only (the property
still queries once per order), and ``.filter()`` on a prefetched relation (one query per
row again, named by the diagnosis as the trap it is).
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.models import Customer, Order, Product

EXERCISES = [
    Exercise(
        id="04.1",
        title="Customer statements",
        returns=dict,
        expects="a dict {customer id: sorted (order id, order total) tuples of their orders}",
        rows=Rows("customers and orders", lambda: Customer.objects.count() + Order.objects.count()),
        checks=(
            Result(),
            Scaling(advice="`Order.total` is a property: read it in `shop/models.py`."),
            Budget(queries=3),
        ),
        # Two reverse foreign keys: the naive version runs 1 + customers + orders queries;
        # smaller shops than the default keep it within the time limit on a busy hub.
        sizes=(50, 150),
        hints=(
            "Record the naive function: two groups of similar queries. Which relation does "
            "each load, and which line runs the second one? (It is not in your function.)",
            "`customer.orders` is a reverse foreign key; `Order.total` iterates "
            "`self.lines.all()`, another one. A prefetch of the orders leaves one query per "
            "order for its lines.",
            '`Customer.objects.prefetch_related("orders__lines")`: 3 queries, and '
            "`order.total` reads the prefetched lines.",
        ),
    ),
    Exercise(
        id="04.2",
        title="Product cards: brand, first image, categories",
        returns=list,
        expects=(
            "a list of (title, brand name, first image URL or None, sorted category names) "
            "tuples, one per public product"
        ),
        rows=Rows("public products", lambda: Product.objects.filter(is_public=True).count()),
        checks=(
            Result(),
            Scaling(),
            Budget(
                queries=3,
                advice="Which of the three relations points to one row per product?",
                fix=(
                    "The brand is a foreign key: `select_related` joins it into the "
                    "products' query; the images and the categories need one query each."
                ),
            ),
        ),
        hints=(
            "Three relations: `product.brand` (one row), `product.images` (many: a reverse "
            "foreign key) and `product.categories` (many: a many-to-many).",
            "One row → `select_related`; many rows → `prefetch_related`. A product's first "
            "image can be read from the prefetched images: `product.images.all()[0]`.",
            '`.select_related("brand").prefetch_related("images", "categories")`: 3 queries.',
        ),
    ),
    Exercise(
        id="04.3",
        title="Complaints to answer, newest first",
        returns=dict,
        expects="a dict {customer id: ids of their 1- and 2-star reviews, newest first}",
        rows=Rows("customers", lambda: Customer.objects.count()),
        checks=(Result(), Scaling(), Budget(queries=2)),
        hints=(
            "Record the colleague's version with `lab.queries()`: is the prefetch used, or "
            "does each customer still run a query of its own? Which line runs it?",
            "`customer.reviews.filter(...).order_by(...)` builds a new queryset: it asks the "
            "database again, whatever was prefetched. Only `.all()` reads the prefetch.",
            'Put the filter and the order in the prefetch: `Prefetch("reviews", '
            'queryset=Review.objects.filter(rating__lte=2).order_by("-created_at", "-id"), '
            'to_attr="complaints")`, then read `customer.complaints`.',
        ),
    ),
]
