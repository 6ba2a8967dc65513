from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "workshop_site.shop"
    label = "shop"
    verbose_name = "Workshop shop"
