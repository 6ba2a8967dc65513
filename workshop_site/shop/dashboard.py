"""The seller dashboard's panels, as the shop wrote them: the capstone's slow page.

The warehouse team opens ``/seller/dashboard/`` many times a day. Each panel is a
function returning plain rows (the template only prints them), so a fix replaces one
function and a test can call it alone:

- :func:`orders_to_ship`: the oldest paid orders, with their customer, city, item count
  and total;
- :func:`low_stock`: active listings about to run out, with their product's title, brand
  and summary;
- :func:`carrier_status`: the shipping partner's current delivery time from the
  warehouse.

Written the way a first version often is, the page has several problems of the course's
lessons in it. They are the capstone's to find (notebook 10): this module does not say
which.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workshop_site.external import naive
from workshop_site.shop.models import Listing, Order

__all__ = [
    "LOW_STOCK",
    "LOW_STOCK_BELOW",
    "TO_SHIP",
    "WAREHOUSE_POSTCODE",
    "CarrierStatus",
    "LowStock",
    "OrderToShip",
    "carrier_status",
    "low_stock",
    "orders_to_ship",
]

#: Orders listed in the "to ship" panel, oldest first.
TO_SHIP = 20
#: Listings listed in the "low stock" panel.
LOW_STOCK = 20
#: A listing with fewer units than this is low on stock.
LOW_STOCK_BELOW = 3
#: Where the warehouse ships from: the postcode of the carrier's quote.
WAREHOUSE_POSTCODE = "69001"


@dataclass(frozen=True)
class OrderToShip:
    order_id: int
    customer: str
    city: str
    items: int
    total: Decimal


@dataclass(frozen=True)
class LowStock:
    listing_id: int
    title: str
    brand: str
    summary: str
    stock: int


@dataclass(frozen=True)
class CarrierStatus:
    """The carrier's delivery time from the warehouse; ``confirmed`` False when the
    partner gave no answer (``days`` and ``price`` are then unknown)."""

    days: int | None
    price: Decimal | None
    confirmed: bool


def orders_to_ship() -> list[OrderToShip]:
    """The :data:`TO_SHIP` oldest paid orders."""
    orders = Order.objects.filter(status=Order.Status.PAID).order_by("created_at")[:TO_SHIP]
    return [
        OrderToShip(
            order_id=order.pk,
            customer=order.customer.name,
            city=order.customer.address.city,
            items=sum(line.quantity for line in order.lines.all()),
            total=order.total,
        )
        for order in orders
    ]


def low_stock() -> list[LowStock]:
    """Active listings with fewer than :data:`LOW_STOCK_BELOW` units, fewest first."""
    listings = (
        Listing.objects.filter(is_active=True, stock__lt=LOW_STOCK_BELOW)
        .select_related("product__brand")
        .defer("product__description")  # several kilobytes per product: not loaded
        .order_by("stock", "id")[:LOW_STOCK]
    )
    return [
        LowStock(
            listing_id=listing.pk,
            title=listing.product.title,
            brand=listing.product.brand.name,
            summary=listing.product.summary,
            stock=listing.stock,
        )
        for listing in listings
    ]


def carrier_status() -> CarrierStatus:
    """The shipping partner's quote for a parcel from the warehouse."""
    quote = naive.call(
        "shipping", "GET", "/shipping/quote", params={"postcode": WAREHOUSE_POSTCODE}
    )
    return CarrierStatus(days=int(quote["days"]), price=Decimal(quote["price"]), confirmed=True)
