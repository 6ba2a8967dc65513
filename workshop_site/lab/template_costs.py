"""What a template costs: its queries apart from its own Python time, the price of an
``{% include %}`` in a loop, of finding templates without the cached loader, and of a
fragment cache's miss.

Two costs hide in a template (lesson 09): the queries its ``{{ order.customer.name }}``
and ``{% for line in order.lines.all %}`` run per row when the view passed a plain
queryset, and Python time with no query at all — filters on long text
(``truncatewords_html``, ``wordcount``, ``linebreaksbr``) and includes in a loop, paid on
every render (:func:`catalogue`). :func:`split_render` tells the two apart.

The examples' templates live in ``lab/templates/examples/`` and render with an
:func:`engine` of their own. :func:`compile_costs` measures what the cached loader
(Django's default since 4.1) saves on a page of the shop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, cast

from django.core.cache import cache as default_cache
from django.db.models import F, QuerySet
from django.template import Context, Engine, defaultfilters
from django.template.defaultfilters import date as date_filter

from workshop_site.lab.capture import queries
from workshop_site.lab.probes import best_time
from workshop_site.shop.models import Listing

__all__ = [
    "CATALOGUE",
    "PRODUCT_LIST_TEMPLATES",
    "TEMPLATES_DIR",
    "catalogue",
    "catalogue_rows",
    "engine",
    "fragment_cache_costs",
    "include_costs",
    "light_rows",
    "compile_costs",
    "render",
    "same_html",
    "shop_loaders",
    "split_render",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Cards on the catalogue page of the no-query example.
CATALOGUE = 200
_CACHE_KEY_FRAGMENT = "pending_orders"


@cache
def engine() -> Engine:
    """The lesson's template engine: its templates folder, the cached loader (Django's
    default), and the ``cache`` tag library for fragment caching."""
    loaders = [
        ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
    ]
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        loaders=loaders,
        libraries={"cache": "django.templatetags.cache"},
    )


def render(name: str, context: dict[str, Any]) -> str:
    """Render the lesson's template ``name`` with ``context``."""
    return engine().get_template(name).render(Context(context))


def shop_loaders() -> list[Any]:
    """The loaders of the shop's own template engine (``settings.TEMPLATES``)."""
    from django.template import engines

    loaders: list[Any] = engines["django"].engine.loaders  # type: ignore[attr-defined]
    return loaders


def split_render(fn: Callable[[], Any]) -> dict[str, float]:
    """Run ``fn`` once: its queries, time in the database, and the rest (Python: template
    rendering and building model instances), in milliseconds."""
    began = time.perf_counter()
    with queries() as log:
        fn()
    total = (time.perf_counter() - began) * 1000
    db = log.db_time * 1000
    return {"queries": len(log), "total_ms": total, "db_ms": db, "python_ms": total - db}


# -- a template that is slow with no query -------------------------------------------------


def catalogue_rows(limit: int = CATALOGUE) -> list[dict[str, Any]]:
    """The newest listings' cards as plain values, loaded up front (1 query): rendering
    them runs no query at all."""
    rows = Listing.objects.order_by("-created_at", "-id").values(
        "price",
        "grade",
        "created_at",
        title=F("product__title"),
        description=F("product__description"),
    )[:limit]
    return cast(list[dict[str, Any]], list(rows))


def light_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same cards with every filter applied once, ahead of time (what a stored
    excerpt, or a cache of them, gives): the template only prints strings."""
    return [
        {
            "title": defaultfilters.title(row["title"]),
            "price": defaultfilters.floatformat(row["price"], 2),
            "grade": row["grade"],
            "listed": date_filter(row["created_at"], "l j F Y"),
            "excerpt": defaultfilters.truncatewords_html(
                defaultfilters.linebreaksbr(row["description"]), 40
            ),
            "words": defaultfilters.wordcount(row["description"]),
            "slug": defaultfilters.slugify(row["title"]),
        }
        for row in rows
    ]


def catalogue(name: str, rows: list[dict[str, Any]]) -> str:
    """Render catalogue template ``name`` (``catalogue_includes``, ``catalogue_inline``,
    ``catalogue_light``) with ``rows``."""
    return render(f"examples/{name}.html", {"rows": rows})


def include_costs(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Microseconds per row for a one-line list item, written inline and included with
    ``{% include %}``: what an include costs by itself, with no filter to hide it."""
    per_row = 1e6 / max(len(rows), 1)
    return {
        "inline_us": best_time(lambda: render("examples/lines_inline.html", {"rows": rows}))
        * per_row,
        "include_us": best_time(lambda: render("examples/lines_includes.html", {"rows": rows}))
        * per_row,
    }


def same_html(first: str, second: str) -> bool:
    """The same page, whitespace aside (an include adds line breaks of its own)."""
    return first.split() == second.split()


#: The templates the product list page renders (``shop/product_list.html`` and the ones
#: it extends and includes).
PRODUCT_LIST_TEMPLATES = (
    "shop/product_list.html",
    "shop/base.html",
    "shop/_listing_card.html",
    "shop/_pagination.html",
)


def compile_costs(names: Sequence[str] = PRODUCT_LIST_TEMPLATES) -> dict[str, float]:
    """Milliseconds to find ``names`` with the shop's engine (the cached loader: a lookup
    once warm) and with the same engine's plain loaders (read and compile every time),
    and the page's own time, for scale (best of several requests, ``/products/``)."""
    from django.template import engines
    from django.test import Client, override_settings

    shop = engines["django"].engine  # type: ignore[attr-defined]  # DjangoTemplates
    plain = Engine(
        dirs=shop.dirs,
        loaders=[
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
        libraries=shop.libraries,
    )

    def find_all(engine_: Engine) -> None:
        for name in names:
            engine_.get_template(name)

    find_all(shop)  # warm: the cached loader compiles each template once
    with override_settings(DEBUG=False):
        client = Client()
        page = best_time(lambda: client.get("/products/"), repeat=15, budget=1.0)
    return {
        "cached_ms": best_time(lambda: find_all(shop)) * 1000,
        "uncached_ms": best_time(lambda: find_all(plain)) * 1000,
        "page_ms": page * 1000,
    }


# -- fragment caching ------------------------------------------------------------------------


def fragment_cache_costs(orders: Callable[[], QuerySet[Any]]) -> list[dict[str, Any]]:
    """The pending-orders table of ``orders()`` inside ``{% cache %}``: a miss (the cache
    is empty, as after an expiry or a deploy), then a hit. One row each: queries,
    milliseconds."""
    default_cache.delete(_fragment_key())
    rows = []
    for label in ("miss (first visitor)", "hit (next visitors)"):
        began = time.perf_counter()
        with queries() as log:
            render("examples/order_rows_cached.html", {"orders": orders()})
        rows.append(
            {"render": label, "queries": len(log), "ms": (time.perf_counter() - began) * 1000}
        )
    default_cache.delete(_fragment_key())
    return rows


def _fragment_key() -> str:
    from django.core.cache.utils import make_template_fragment_key

    return make_template_fragment_key(_CACHE_KEY_FRAGMENT)
