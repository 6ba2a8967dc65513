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
    # The database queue of Django's tasks framework (lesson 08): its worker is a
    # separate process reading the same database.
    "django_tasks_db",
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

# The shop's partners (workshop_site/external): where they answer, with which key, and how
# long the shop waits for each. Timeouts are (connect, read) seconds, chosen per partner
# from what its answer is worth: a recommendation is not worth a slow page, a payment is
# worth waiting for. See notebooks/08_external_calls.ipynb.
PARTNERS = {
    "URL": os.environ.get("WORKSHOP_PARTNERS_URL", "http://127.0.0.1:8765"),
    "API_KEY": os.environ.get("WORKSHOP_PARTNERS_API_KEY", "workshop-partner-key"),
    "TIMEOUTS": {
        "stock": (0.2, 0.5),
        "shipping": (0.2, 0.5),
        "recommendations": (0.2, 0.3),
        "payment": (0.5, 3.0),
        "mail": (0.5, 2.0),
        "crm": (0.5, 2.0),
    },
    # Retries after a refused connection (nothing was sent) and, for GETs only (a POST may
    # have been done already), after a 502/503/504 answer. A read timeout is not retried.
    "RETRIES": 2,
    "BACKOFF": 0.05,  # seconds; urllib3 doubles it from the second retry on
    # A read timeout bounds the wait between two bytes, not the whole answer: a partner
    # sending one byte at a time never trips it. Past its deadline (seconds from the start
    # of the call), the client stops reading an answer that is still coming.
    "DEADLINES": {
        "stock": 1.0,
        "shipping": 1.0,
        "recommendations": 0.5,
        "payment": 5.0,
        "mail": 3.0,
        "crm": 3.0,
    },
}

# Django's tasks framework. The immediate backend runs a task inside ``enqueue()``: no
# worker needed, so the site and the tests work as they are. A worker started with
# WORKSHOP_TASKS_BACKEND=django_tasks_db.DatabaseBackend (lab.task_worker() does it)
# runs them from the database instead, out of the request.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "WORKSHOP_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}
