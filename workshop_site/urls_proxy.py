"""The site's URLs behind jupyter-server-proxy: the static files at the path the proxy hands
over (it strips the prefix, which runserver's own static handler expects), then the site."""

from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import re_path

from workshop_site.urls_site import urlpatterns as site_urlpatterns

urlpatterns = [re_path(r"^static/(?P<path>.*)$", serve), *site_urlpatterns]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's 403 for a refused form, with what to set on a hub."""
    origin = request.headers.get("Origin", "")
    return HttpResponseForbidden(
        f"<h1>403: form refused (CSRF)</h1><p>{reason}</p>"
        f"<p>The form came from <code>{origin or 'an unknown origin'}</code>; the site trusts "
        f"{settings.CSRF_TRUSTED_ORIGINS or 'no other origin'}. On a hub, set "
        "<code>WORKSHOP_SITE_ORIGIN</code> to the hub's address (e.g. "
        "<code>https://hub.example.org</code>) in the learners' environment.</p>"
    )
