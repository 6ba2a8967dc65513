"""The seller dashboard page: its panels (``shop/dashboard.py``) rendered in one template.

:func:`dashboard_view` builds the page's view from three panel functions, so a fixed
page is the same view with other panels: the capstone serves it at the same URL
(``lab.traffic(views=...)``) and compares the route before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from workshop_site.shop import dashboard

__all__ = ["dashboard_view", "seller_dashboard"]


def dashboard_view(
    *,
    orders_to_ship: Callable[[], list[Any]] = dashboard.orders_to_ship,
    low_stock: Callable[[], list[Any]] = dashboard.low_stock,
    carrier_status: Callable[[], Any] = dashboard.carrier_status,
) -> Callable[[HttpRequest], TemplateResponse]:
    """The dashboard's view, with these panel functions."""

    @require_GET
    def seller_dashboard(request: HttpRequest) -> TemplateResponse:
        context = {
            "orders": orders_to_ship(),
            "low_stock": low_stock(),
            "carrier": carrier_status(),
            "form": "single",
        }
        return TemplateResponse(request, "shop/seller_dashboard.html", context)

    seller_dashboard.__doc__ = "The seller dashboard: orders to ship, low stock, the carrier."
    return seller_dashboard


#: The page as the shop serves it.
seller_dashboard = dashboard_view()
