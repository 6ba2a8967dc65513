"""The real site behind jupyter-server-proxy, on a JupyterHub: ``<hub>/user/<name>/workshop-site/``.

What the site's own settings get wrong behind the proxy (docs/jupyterhub.md has the table
of what was measured), and what this module sets instead:

- the path prefix: the proxy strips ``/user/<name>/workshop-site`` before Django sees the
  path, so links need it back: ``FORCE_SCRIPT_NAME`` from ``WORKSHOP_SITE_PREFIX`` (the
  launcher entry sets it from the server's base URL);
- allowed hosts: the proxy passes the browser's ``Host`` on, the hub's name. The site is
  reached only through the hub's login, so any host is accepted, unless
  ``WORKSHOP_SITE_ORIGIN`` (``https://hub.example.org``) names the one to accept;
- CSRF origins: a form posted from the hub's page carries the hub's ``Origin``, which
  Django accepts only when ``CSRF_TRUSTED_ORIGINS`` lists it: ``WORKSHOP_SITE_ORIGIN``, or
  the origin of ``JUPYTERHUB_PUBLIC_URL`` (set by JupyterHub when its ``public_url`` is);
- static files: runserver serves them under the prefixed ``STATIC_URL`` only, and the
  path arrives without the prefix: ``workshop_site.urls_proxy`` serves them itself;
- the database: the learner's workspace (``WORKSHOP_HOME``), not the shared checkout.
"""

import os
from urllib.parse import urlsplit

from workshop_site.lab.workspace import workspace
from workshop_site.settings_site import *  # noqa: F403
from workshop_site.settings_site import DATABASES

PREFIX = os.environ.get("WORKSHOP_SITE_PREFIX", "").rstrip("/")
FORCE_SCRIPT_NAME = PREFIX or None
ROOT_URLCONF = "workshop_site.urls_proxy"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


ORIGIN = _origin(os.environ.get("WORKSHOP_SITE_ORIGIN", "")) or _origin(
    os.environ.get("JUPYTERHUB_PUBLIC_URL", "")
)
ALLOWED_HOSTS = [urlsplit(ORIGIN).hostname or "*"] if ORIGIN else ["*"]
CSRF_TRUSTED_ORIGINS = [ORIGIN] if ORIGIN else []
CSRF_FAILURE_VIEW = "workshop_site.urls_proxy.csrf_failure"

if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not os.environ.get("WORKSHOP_DB"):
    DATABASES["default"]["NAME"] = str(workspace() / "site.sqlite3")
