"""Deploys, simulated in-process: serve other views at the shop's URLs for a while.

``serving({"shop:home": "shop:home_naive"})`` swaps the view behind a URL name, the way a
deploy changes the code behind a route: the route (the URL pattern) stays the same, so
route statistics before and after compare like for like. ``bad_deploy()`` is the deploy
that ships an N+1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from django.urls import URLPattern, URLResolver, get_resolver

from workshop_site.lab.boot import require_started

__all__ = ["NAIVE_FORMS", "bad_deploy", "serving", "view_for"]

#: The shop's pages that have a naive form: ``shop:X`` and ``shop:X_naive``.
NAIVE_FORMS = ("home", "product_list", "product_detail", "category", "order_history")

View = Callable | str


def _find(name: str) -> URLPattern:
    """The URL pattern named ``namespace:name`` in the project's URLconf."""
    *namespaces, url_name = name.split(":")

    def walk(patterns: list, path: list[str]) -> URLPattern | None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found = walk(pattern.url_patterns, [*path, pattern.namespace or ""])
                if found is not None:
                    return found
            elif pattern.name == url_name and [p for p in path if p] == namespaces:
                return pattern
        return None

    found = walk(get_resolver().url_patterns, [])
    if found is None:
        raise LookupError(f"no URL pattern is named {name!r}")
    return found


def view_for(name: str) -> Callable:
    """The view currently served at URL name ``name`` (``"shop:home"``)."""
    return _find(name).callback


@contextmanager
def serving(views: Mapping[str, View]) -> Iterator[None]:
    """Serve ``views`` (URL name → view function or another URL name) inside the block.

    The original views are put back on exit, also after an error; nesting is safe.
    """
    require_started("lab.serving()")
    patterns = {name: _find(name) for name in views}
    replacements = {
        name: view_for(view) if isinstance(view, str) else view for name, view in views.items()
    }
    originals = {name: pattern.callback for name, pattern in patterns.items()}
    try:
        for name, pattern in patterns.items():
            pattern.callback = replacements[name]
        yield
    finally:
        for name, pattern in patterns.items():
            pattern.callback = originals[name]


@contextmanager
def bad_deploy() -> Iterator[None]:
    """A release whose refactor of ``ListingQuerySet.optimize_for_list()`` drops its joins.

    Every page built on it (search, cart, the API, the optimized list pages) then loads
    each card's product, brand, images and categories one query at a time: an N+1.
    """
    require_started("lab.bad_deploy()")
    from workshop_site.shop.querysets import ListingQuerySet

    original = ListingQuerySet.__dict__["optimize_for_list"]

    def optimize_for_list(self: ListingQuerySet) -> ListingQuerySet:
        return self.all()  # "the joins looked unused": the N+1 is back

    ListingQuerySet.optimize_for_list = optimize_for_list  # type: ignore[assignment]
    try:
        yield
    finally:
        ListingQuerySet.optimize_for_list = original  # type: ignore[method-assign]
