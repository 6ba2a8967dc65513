"""The real site's index of naive/optimized page pairs, and what to look for in the toolbar."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from workshop_site.shop.models import Customer, Product

__all__ = ["toolbar_guide", "page_pairs"]


def page_pairs() -> list[tuple[str, str, str]]:
    """(page, naive URL, optimized URL) for every page that has both forms."""
    product = Product.objects.order_by("pk").only("slug").first()
    customer = Customer.objects.filter(orders__isnull=False).order_by("pk").only("pk").first()
    category = product.categories.order_by("pk").only("slug").first() if product else None
    pairs: list[tuple[str, str, str, dict[str, object]]] = [
        ("Home", "shop:home_naive", "shop:home", {})
    ]
    pairs.append(("Product list", "shop:product_list_naive", "shop:product_list", {}))
    if product:
        pairs.append(
            (
                "Product detail",
                "shop:product_detail_naive",
                "shop:product_detail",
                {"slug": product.slug},
            )
        )
    if category:
        pairs.append(("Category", "shop:category_naive", "shop:category", {"slug": category.slug}))
    if customer:
        kwargs: dict[str, object] = {"customer_id": customer.pk}
        pairs.append(("Order history", "shop:order_history_naive", "shop:order_history", kwargs))
    return [
        (name, reverse(naive, kwargs=kwargs), reverse(fixed, kwargs=kwargs))
        for name, naive, fixed, kwargs in pairs
    ]


def toolbar_guide(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request, "shop/toolbar_guide.html", {"pairs": page_pairs(), "form": "single"}
    )
