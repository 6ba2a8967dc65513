"""Deterministic, fast, scalable seed data for the shop.

``seed(size=1000, seed=42)`` fills an empty, migrated database. One knob, ``size`` (the
number of customers), drives every table in fixed proportions (see :class:`Counts`).

Why not ``bulk_create``: building model instances dominates its cost (about 35k rows/s
here against about 400k rows/s for the cursor's ``executemany``; see
``benchmarks/seed_insert.py``). Seeding is infrastructure, not a lesson, so rows are
plain tuples inserted through Django's cursor, with each value prepared by its model
field (``get_db_prep_save``) so the same code works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections, models, transaction

__all__ = ["Counts", "REFERENCE_NOW", "seed", "insert_rows", "reset_sequences"]

#: "Now" for the seeded data: every date is relative to it, so data is deterministic.
REFERENCE_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

_FIRST = (
    "Alice Ben Chloé Daniel Emma Farid Grace Hugo Inès Jules Karim Léa Manon Nathan Olivia "
    "Paul Quentin Rose Sami Théo Ugo Victor Wendy Xavier Yasmine Zoé Amir Bruno Camille Diane"
).split()
_LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier"
).split()
_CITIES = (
    "Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Montpellier Bordeaux Lille Rennes "
    "Reims Grenoble Dijon Angers Nîmes Brest Tours Limoges Amiens Metz Perpignan Besançon"
).split()
_STREETS = "rue avenue boulevard place allée impasse quai chemin".split()
_STREET_NAMES = (
    "de la Paix|Victor Hugo|Jean Jaurès|des Lilas|du Moulin|de la Gare|Pasteur|des Écoles|"
    "du Château|de la République|Gambetta|des Roses|Voltaire|du Port|Saint-Michel"
).split("|")
_BRANDS = (
    "Aplex Samsong Foogle Xiaomo Sonix Lenova Dellion Asos Acera Nokio Huawo Fairfone "
    "Oneplas Motorala Canonic Nikor Fujio Bosé Sennhaus Jabro Logitek Razor Corsa Nintendu "
    "Garmint Philipp Panasoni Olympos Leicor Kindel"
).split()
_COUNTRIES = ["FR", "DE", "US", "JP", "KR", "CN", "FI", "TW", "NL", "GB"]
_CATEGORY_TREE = {
    "Smartphones": ["Android phones", "iPhones", "Rugged phones", "Foldables"],
    "Computers": ["Laptops", "Desktops", "Monitors", "Keyboards"],
    "Tablets": ["Android tablets", "iPads", "E-readers"],
    "Audio": ["Headphones", "Earbuds", "Speakers", "Turntables"],
    "Cameras": ["Compact cameras", "Mirrorless", "Lenses", "Action cams"],
    "Gaming": ["Consoles", "Controllers", "Handhelds", "VR headsets"],
    "Home": ["Vacuum robots", "Coffee machines", "Smart home", "Kitchen"],
    "Wearables": ["Smartwatches", "Fitness trackers", "Smart rings"],
}
_NOUNS = {
    "Smartphones": "Phone",
    "Computers": "Book",
    "Tablets": "Tab",
    "Audio": "Buds",
    "Cameras": "Shot",
    "Gaming": "Play",
    "Home": "Home",
    "Wearables": "Watch",
}
_ADJECTIVES = "Pro Max Lite Plus Ultra Air Mini Neo Prime Edge Flex Go".split()
_WORDS = (
    "refurbished battery screen warranty performance reliable tested certified premium "
    "design camera storage memory display quality sound wireless charging fast powerful "
    "lightweight durable elegant sustainable circular economy repair technician grade "
    "condition scratches perfect working original accessories delivery free returns "
    "compatible processor resolution brightness colour vivid crisp immersive ergonomic "
    "portable everyday professional creative gaming streaming productivity secure privacy "
    "update software hardware inspection checkpoints cleaned packaged shipped guaranteed "
    "customers love reviews trusted value price saving planet electronic waste reduce"
).split()
_TOPPINGS = [
    ("Tomato", True), ("Mozzarella", True), ("Basil", True), ("Ham", False),
    ("Mushrooms", True), ("Olives", True), ("Anchovies", False), ("Pepperoni", False),
    ("Onions", True), ("Peppers", True), ("Goat cheese", True), ("Honey", True),
    ("Chorizo", False), ("Artichoke", True), ("Egg", True), ("Capers", True),
    ("Rocket", True), ("Parmesan", True), ("Tuna", False), ("Pineapple", True),
]  # fmt: skip
_PIZZA_NAMES = (
    "Margherita Regina Napoletana Quattro-Stagioni Calzone Diavola Capricciosa Marinara "
    "Hawaiian Funghi Ortolana Tonno Boscaiola Parma Bufala Romana Siciliana Vegetariana"
).split()
_REVIEW_PHRASES = [
    "Works like new.", "Battery could be better.", "Fast delivery, great condition.",
    "A few scratches, as described.", "Excellent value for money.", "Screen is perfect.",
    "Stopped working after a week.", "Would buy again.", "Packaging was damaged.",
    "Exactly what I needed.",
]  # fmt: skip


@dataclass(frozen=True)
class Counts:
    """How many rows each table gets for a given ``size`` (the number of customers)."""

    addresses: int
    customers: int
    toppings: int
    pizzas: int
    brands: int
    products: int
    listings: int
    orders: int

    @classmethod
    def for_size(cls, size: int) -> Counts:
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size!r}")
        return cls(
            addresses=size,
            customers=size,
            toppings=len(_TOPPINGS),
            pizzas=max(5, size // 10),
            brands=min(len(_BRANDS), max(5, size // 40)),
            products=size,
            listings=size,
            orders=2 * size,
        )


def _text(rng: random.Random, paragraphs: Sequence[str], n: int, head: str) -> str:
    return head + "\n\n" + "\n\n".join(rng.sample(paragraphs, n))


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        sentences = []
        for _ in range(6):
            words = rng.choices(_WORDS, k=rng.randint(9, 16))
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def _slugify(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _generate(counts: Counts, rng: random.Random) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's rows, as ``{table_key: (columns, rows)}``. Pure: no database."""
    now = REFERENCE_NOW
    paragraphs = _paragraphs(rng, 48)  # about 600 characters each
    tables: dict[str, tuple[list[str], list[tuple]]] = {}

    def days_ago(max_days: int) -> datetime:
        return now - timedelta(days=rng.random() * max_days)

    tables["address"] = (
        ["id", "street", "city", "postcode", "country"],
        [
            (
                i,
                f"{rng.randint(1, 180)} {rng.choice(_STREETS)} {rng.choice(_STREET_NAMES)}",
                rng.choice(_CITIES),
                f"{rng.randint(10, 95):02d}{rng.randint(0, 999):03d}",
                "FR",
            )
            for i in range(1, counts.addresses + 1)
        ],
    )
    customers = []
    for i in range(1, counts.customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        created = days_ago(730)
        recent = (now - created).days < 60
        customers.append(
            (
                i,
                f"{first} {last}",
                f"{_slugify(first)}.{_slugify(last)}{i}@example.com",
                rng.randint(1, counts.addresses),
                created,
                not recent,  # customers of the last 60 days have not had their letter yet
            )
        )
    tables["customer"] = (
        ["id", "name", "email", "address_id", "created_at", "welcome_letter_sent"],
        customers,
    )

    tables["topping"] = (
        ["id", "name", "is_vegetarian"],
        [(i, name, veg) for i, (name, veg) in enumerate(_TOPPINGS, start=1)],
    )
    pizzas: list[tuple[object, ...]] = []
    pizza_toppings: list[tuple[int, int, int]] = []
    for i in range(1, counts.pizzas + 1):
        base = _PIZZA_NAMES[(i - 1) % len(_PIZZA_NAMES)]
        name = base if i <= len(_PIZZA_NAMES) else f"{base} #{(i - 1) // len(_PIZZA_NAMES) + 1}"
        pizzas.append((i, name, Decimal(rng.randint(900, 1800)) / 100))
        for topping in rng.sample(range(1, counts.toppings + 1), rng.randint(2, 6)):
            pizza_toppings.append((len(pizza_toppings) + 1, i, topping))
    tables["pizza"] = (["id", "name", "price"], pizzas)
    tables["pizza_toppings"] = (["id", "pizza_id", "topping_id"], pizza_toppings)

    tables["brand"] = (
        ["id", "name", "slug", "country"],
        [
            (i, name, _slugify(name), rng.choice(_COUNTRIES))
            for i, name in enumerate(_BRANDS[: counts.brands], start=1)
        ],
    )

    categories: list[tuple[Any, ...]] = []
    roots: list[tuple[int, str]] = []
    leaves: list[tuple[int, str]] = []
    cid = 0
    for r, (root, children) in enumerate(_CATEGORY_TREE.items(), start=1):
        cid += 1
        root_id = cid
        roots.append((root_id, root))
        categories.append((root_id, None, root, _slugify(root), f"{r:04d}", 1, len(children), root))
        for c, child in enumerate(children, start=1):
            cid += 1
            leaves.append((cid, root))
            categories.append(
                (cid, root_id, child, _slugify(child), f"{r:04d}{c:04d}", 2, 0, child)
            )
    category_rows = []
    for cat_id, parent, name, slug, path, depth, numchild, label in categories:
        public = rng.random() > 0.1
        category_rows.append(
            (
                cat_id,
                parent,
                name,
                slug,
                path,
                depth,
                numchild,
                f"Everything in {label.lower()}, refurbished and tested.",
                public,
                True,
                _text(rng, paragraphs, 6, f"Buy refurbished {label.lower()}."),
            )
        )
    tables["category"] = (
        [
            "id", "parent_id", "name", "slug", "path", "depth", "numchild",
            "description", "is_public", "ancestors_are_public", "seo_text",
        ],
        category_rows,
    )  # fmt: skip

    products: list[tuple[object, ...]] = []
    product_categories: list[tuple[int, int, int]] = []
    images: list[tuple[object, ...]] = []
    image_id = 0
    for i in range(1, counts.products + 1):
        leaf_id, root = rng.choice(leaves)
        brand_id = rng.randint(1, counts.brands)
        brand = _BRANDS[brand_id - 1]
        title = f"{brand} {_NOUNS[root]} {rng.choice(_ADJECTIVES)} {rng.randint(2, 15)}"
        root_id = next(rid for rid, name in roots if name == root)
        products.append(
            (
                i,
                title,
                f"{_slugify(title)}-{i}",
                _text(rng, paragraphs, 7, f"{title}: refurbished, tested, guaranteed."),
                brand_id,
                rng.random() > 0.05,
                days_ago(1000),
            )
        )
        for category_id in (leaf_id, root_id):
            product_categories.append((len(product_categories) + 1, i, category_id))
        for position in range(rng.randint(1, 5)):
            image_id += 1
            images.append(
                (
                    image_id,
                    i,
                    f"/media/products/{i}/{position}.webp",
                    f"{title}, view {position + 1}",
                    position,
                )
            )
    tables["product"] = (
        ["id", "title", "slug", "description", "brand_id", "is_public", "created_at"],
        products,
    )
    tables["product_categories"] = (["id", "product_id", "category_id"], product_categories)
    tables["productimage"] = (["id", "product_id", "url", "alt_text", "position"], images)

    reviews: list[tuple[object, ...]] = []
    for product_id in range(1, counts.products + 1):
        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            reviews.append(
                (
                    len(reviews) + 1,
                    product_id,
                    rng.randint(1, counts.customers),
                    rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 5))[0],
                    " ".join(rng.sample(_REVIEW_PHRASES, 2)),
                    days_ago(365),
                )
            )
    tables["review"] = (
        ["id", "product_id", "customer_id", "rating", "text", "created_at"],
        reviews,
    )

    listings = []
    for i in range(1, counts.listings + 1):
        listings.append(
            (
                i,
                # Every product gets a listing while there are enough; then random ones.
                i if i <= counts.products else rng.randint(1, counts.products),
                Decimal(rng.randint(4900, 129900)) / 100,
                rng.choices("ABC", weights=(3, 5, 2))[0],
                rng.randint(0, 40),
                rng.random() > 0.08,
                days_ago(200),
            )
        )
    tables["listing"] = (
        ["id", "product_id", "price", "grade", "stock", "is_active", "created_at"],
        listings,
    )

    orders: list[tuple[object, ...]] = []
    lines: list[tuple[object, ...]] = []
    statuses = ["pending", "paid", "shipped", "cancelled"]
    for i in range(1, counts.orders + 1):
        orders.append(
            (
                i,
                rng.randint(1, counts.customers),
                days_ago(365),
                rng.choices(statuses, weights=(1, 2, 6, 1))[0],
            )
        )
        for _ in range(rng.randint(1, 4)):
            listing = listings[rng.randrange(len(listings))]
            lines.append((len(lines) + 1, i, listing[0], rng.randint(1, 3), listing[2]))
    tables["order"] = (["id", "customer_id", "created_at", "status"], orders)
    tables["orderline"] = (["id", "order_id", "listing_id", "quantity", "unit_price"], lines)
    return tables


def _model_for(key: str) -> tuple[type[models.Model], str]:
    """The model (or auto-created through model) and its table for a table key."""
    from workshop_site.shop import models as shop

    through = {
        "pizza_toppings": shop.Pizza.toppings.through,
        "product_categories": shop.Product.categories.through,
    }
    if key in through:
        model = through[key]
    else:
        model = next(m for m in shop.__dict__.values() if _is_shop_model(m, key))
    return model, model._meta.db_table


def _is_shop_model(obj: object, key: str) -> bool:
    return (
        isinstance(obj, type)
        and issubclass(obj, models.Model)
        and obj._meta.app_label == "shop"
        and obj._meta.model_name == key
    )


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    using: str = "default",
) -> int:
    """Insert ``rows`` (tuples of field attnames' values) with one ``executemany``.

    Every concrete column of the model must be given: database defaults are not used.
    Values are prepared by their field (dates, decimals), so any backend works.
    """
    connection = connections[using]
    fields = {f.attname: f for f in model._meta.concrete_fields}
    missing = set(fields) - set(columns)
    if missing:
        raise ValueError(f"{model.__name__}: no value given for {sorted(missing)}")
    # Only dates and decimals need preparing; plain ints, strings and bools pass as they are.
    prep = [
        i
        for i, name in enumerate(columns)
        if isinstance(fields[name], models.DateTimeField | models.DecimalField)
    ]
    if prep:

        def prepared(row: tuple[Any, ...]) -> tuple[Any, ...]:
            values = list(row)
            for i in prep:
                values[i] = fields[columns[i]].get_db_prep_save(values[i], connection)
            return tuple(values)

        rows = [prepared(r) for r in rows]
    else:
        rows = list(rows)
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(str(fields[c].column)) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def reset_sequences(using: str = "default") -> None:
    """PostgreSQL keeps id sequences apart from the rows (a rollback leaves them moved):
    move them just past the ids in the tables, as after seeding.

    The many-to-many tables' too: with theirs left at 1, ``product.categories.add(...)``
    collides with a seeded row and, as ``add()`` ignores conflicts, adds nothing."""
    from django.apps import apps
    from django.core.management.color import no_style

    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(
        no_style(), list(apps.get_app_config("shop").get_models(include_auto_created=True))
    )
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def seed(
    *, size: int = 1000, seed: int = 42, using: str = "default", progress: bool = False
) -> dict[str, int]:
    """Fill the shop's (empty, migrated) tables. Returns rows inserted per table."""
    rng = random.Random(seed)
    tables = _generate(Counts.for_size(size), rng)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(len(rows) for _, rows in tables.values()), desc="Seeding", unit="row")
    inserted = {}
    with transaction.atomic(using=using):
        for key, (columns, rows) in tables.items():
            model, _table = _model_for(key)
            inserted[key] = insert_rows(model, columns, rows, using=using)
            if bar is not None:
                bar.update(len(rows))
        reset_sequences(using)
    if bar is not None:
        bar.close()
    return inserted
