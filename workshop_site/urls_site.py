"""The real site's URLs: the shop, the toolbar's own URLs and the guide to its SQL panel."""

from debug_toolbar.toolbar import debug_toolbar_urls
from django.urls import path

from workshop_site.shop.views_guide import toolbar_guide
from workshop_site.urls import urlpatterns as shop_urlpatterns

urlpatterns = [
    path("guide/", toolbar_guide, name="toolbar_guide"),
    *shop_urlpatterns,
    *debug_toolbar_urls(),
]
