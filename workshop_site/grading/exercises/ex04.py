"""Lesson 04 (``prefetch_related`` and ``Prefetch``): relations that point to many rows.

The classic wrong fixes: ``select_related`` on a many-to-many or a reverse foreign key
(Django raises a ``FieldError``, which the grader explains), and ``.filter()`` on a
prefetched relation (one query per row again, named by the diagnosis as the trap it is).
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import Budget, Result, Scaling
from workshop_site.shop.models import Pizza, Product

EXERCISES = [
    Exercise(
        id="04.1",
        title="The menu page",
        returns=list,
        expects="a list of (name, price, sorted topping names, vegetarian?) tuples, one per pizza",
        rows=Rows("pizzas", lambda: Pizza.objects.count()),
        checks=(Result(), Scaling(), Budget(queries=2)),
        hints=(
            "Record the naive function: one query per pizza, each joining the through table "
            "`shop_pizza_toppings`. `Pizza.toppings` is a many-to-many.",
            "A JOIN cannot load a many-to-many without repeating each pizza once per "
            "topping; `select_related` refuses it.",
            '`Pizza.objects.prefetch_related("toppings")`: 2 queries, whatever the number '
            "of pizzas; `pizza.toppings.all()` then reads the prefetched rows.",
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
        title="Products with their 4- and 5-star reviews only",
        returns=dict,
        expects="a dict {product slug: sorted ratings of its 4- and 5-star reviews}",
        rows=Rows("products", lambda: Product.objects.count()),
        checks=(Result(), Scaling(), Budget(queries=2)),
        hints=(
            "Record your version with `lab.queries()`: is the prefetch used, or does each "
            "product still run a query of its own?",
            "`product.reviews.filter(...)` builds a new queryset: it asks the database "
            "again, whatever was prefetched. Only `.all()` reads the prefetch.",
            'Put the filter in the prefetch: `Prefetch("reviews", '
            'queryset=Review.objects.filter(rating__gte=4), to_attr="good")`, then read '
            "`product.good`.",
        ),
    ),
]
