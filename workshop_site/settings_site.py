"""Settings for the real site (``make site``): the shop plus Django Debug Toolbar.

The toolbar is kept out of the notebooks' settings on purpose: the test client's address
is 127.0.0.1, so there it would wrap every request that ``lab.traffic`` makes and inject
its HTML into every page the lessons measure.
"""

from workshop_site.settings import *  # noqa: F403
from workshop_site.settings import DEBUG, INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
# As early as possible, after the monitoring middleware that times the whole request.
MIDDLEWARE = [MIDDLEWARE[0], "debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE[1:]]
ROOT_URLCONF = "workshop_site.urls_site"
# The toolbar shows only with DEBUG and only to these addresses.
INTERNAL_IPS = ["127.0.0.1", "::1"]
DEBUG_TOOLBAR_CONFIG = {
    # The toolbar turns itself off when it thinks tests are running (PYTEST_VERSION in the
    # environment, which a server started by a test inherits); the browser test needs it.
    "IS_RUNNING_TESTS": False,
    "SHOW_TOOLBAR_CALLBACK": "workshop_site.settings_site.show_toolbar",
}


def show_toolbar(request) -> bool:
    return DEBUG and request.META.get("REMOTE_ADDR") in INTERNAL_IPS
