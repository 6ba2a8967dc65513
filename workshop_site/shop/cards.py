"""What a listing card shows (``shop/_listing_card.html``), read the way the template
reads it: ``card(listing)`` costs what one card of a page costs, so a list of cards costs
what the page costs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from workshop_site.shop.models import Listing

__all__ = ["Card", "card", "rounded"]


class Card(NamedTuple):
    """What one listing card shows."""

    title: str
    brand: str
    images: tuple[str, ...]
    categories: tuple[str, ...]
    price: Decimal
    grade: str


def card(listing: Listing) -> Card:
    """The card of one listing, read the way ``_listing_card.html`` reads it."""
    product = listing.product
    return Card(
        title=product.title,
        brand=product.brand.name,
        images=tuple(image.url for image in product.images.all()),
        categories=tuple(sorted(category.name for category in product.categories.all())),
        price=listing.price,
        grade=listing.get_grade_display(),
    )


def rounded(value: float | None) -> float | None:
    """An average as a card shows it: 2 decimals, or None when there is nothing to average."""
    return None if value is None else round(value, 2)
