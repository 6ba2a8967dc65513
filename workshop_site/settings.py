"""Settings for the workshop shop.

SQLite by default. ``WORKSHOP_DB`` names the SQLite file (each notebook kernel gets its
own, see ``workshop_site.lab.boot``). ``DATABASE_URL`` (e.g.
``postgres://user@127.0.0.1:5432/workshop``) switches the site, the tests and the
notebooks to that database instead.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "workshop-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_extensions",
    "workshop_site.shop",
]

MIDDLEWARE = [
    # First and last on purpose: the first sees the whole request, the last sits right
    # around the view (see workshop_site/monitoring/middleware.py).
    "workshop_site.monitoring.RequestMonitorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "workshop_site.monitoring.ViewMonitorMiddleware",
]

ROOT_URLCONF = "workshop_site.urls"
WSGI_APPLICATION = "workshop_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get(
                "WORKSHOP_DB", str(BASE_DIR.parent / ".workshop" / "site.sqlite3")
            ),
            "TEST": {"NAME": None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
STATIC_URL = "static/"
