"""The shop's URLs, namespaced ``shop:``. A naive form is its optimized twin's name + ``_naive``.

Slugs use ``<str:...>``: the seeded slugs keep accented letters ("bosé-..."), which
``<slug:...>`` (ASCII only) would refuse.
"""

from django.urls import path

from workshop_site.shop import views, views_dashboard, views_partners

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("naive/", views.home_naive, name="home_naive"),
    path("products/", views.product_list, name="product_list"),
    path("products/naive/", views.product_list_naive, name="product_list_naive"),
    path("products/<str:slug>/", views.product_detail, name="product_detail"),
    path("products/<str:slug>/naive/", views.product_detail_naive, name="product_detail_naive"),
    path("categories/<str:slug>/", views.category, name="category"),
    path("categories/<str:slug>/naive/", views.category_naive, name="category_naive"),
    path("customers/<int:customer_id>/orders/", views.order_history, name="order_history"),
    path(
        "customers/<int:customer_id>/orders/naive/",
        views.order_history_naive,
        name="order_history_naive",
    ),
    # Lesson 08: the page that calls the partners (POST listing=<id>).
    path("customers/<int:customer_id>/checkout/", views_partners.checkout, name="checkout"),
    path(
        "customers/<int:customer_id>/checkout/naive/",
        views_partners.checkout_naive,
        name="checkout_naive",
    ),
    # Lesson 10's capstone: the warehouse team's page.
    path("seller/dashboard/", views_dashboard.seller_dashboard, name="seller_dashboard"),
    path("search/", views.search, name="search"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("api/cart/", views.cart_summary, name="cart_summary"),
    path("api/listings/", views.api_listings, name="api_listings"),
    path("api/listings/<int:pk>/", views.api_listing, name="api_listing"),
]
