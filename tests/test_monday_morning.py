"""docs/monday-morning.md, applied to a fresh Django project: every block marked
``# file: <path>`` is written (or appended, with ``(append)``) as the page shows it, then
the project's checks, tests and lint must pass — and its pins must fail on an N+1.

The fresh project gets a small app of its own first (what a learner's project already
has): customers, their orders, an ``order-list`` page and ``make_orders(n)``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "monday-morning.md"
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)
FILE = re.compile(r"^# file: (?P<path>\S+)(?P<append> \(append\))?\n")

APP = {
    "shop/__init__.py": "",
    "shop/models.py": """
from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
""",
    "shop/views.py": """
from django.http import HttpResponse

from shop.models import Order


def order_list(request):
    orders = Order.objects.select_related("customer").order_by("id")
    return HttpResponse("\\n".join(f"#{o.pk} {o.customer.name}" for o in orders))
""",
    "shop/factories.py": """
from shop.models import Customer, Order


def make_orders(n):
    return [Order.objects.create(customer=Customer.objects.create(name=f"c{i}")) for i in range(n)]
""",
}
SETTINGS_FOR_THE_APP = '\nINSTALLED_APPS += ["shop"]\n'
URLS_FOR_THE_APP = """
from django.urls import path as _path
from shop.views import order_list

urlpatterns += [_path("orders/", order_list, name="order-list")]
"""


def blocks() -> list[tuple[str, bool, str]]:
    """(path, append?, code) of every block of the page marked ``# file: ...``."""
    found = []
    for match in BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        body = match["body"]
        marked = FILE.match(body)
        if marked:
            found.append((marked["path"], bool(marked["append"]), body[marked.end() :]))
    return found


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # The fresh project's own settings, not the workshop's that pytest-django exported.
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings", **(env or {})}
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, f"{done.args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_every_step_of_the_page_has_a_block_to_apply():
    paths = [path for path, _, _ in blocks()]
    assert paths.count("mysite/settings.py") == 2
    assert {"mysite/urls.py", "shop/tests.py", "pyproject.toml", "shop/partners.py"} <= set(paths)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("monday")
    python = sys.executable
    _ok(_run(python, "-m", "django", "startproject", "mysite", str(root), cwd=root))
    for path, text in APP.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text.lstrip("\n"))
    with (root / "mysite/settings.py").open("a") as settings:
        settings.write(SETTINGS_FOR_THE_APP)
    with (root / "mysite/urls.py").open("a") as urls:
        urls.write(URLS_FOR_THE_APP)
    for path, append, code in blocks():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a" if append else "w") as file:
            file.write(("\n" if append else "") + code)
    _ok(_run(python, "manage.py", "makemigrations", "shop", cwd=root))
    return root


def _manage(project: Path, *args: str, mode: str = "once") -> subprocess.CompletedProcess:
    return _run(sys.executable, "manage.py", *args, cwd=project, env={"PERF_REC_MODE": mode})


@pytest.mark.slow
def test_the_project_passes_its_checks_and_tests_and_writes_the_record(project):
    _ok(_manage(project, "check"))
    output = _ok(_manage(project, "test", "shop"))
    assert "Ran 2 tests" in output
    record = project / "shop" / "tests.perf.yml"
    assert "OrderListRecord.test_the_order_list_runs_the_recorded_queries" in record.read_text()
    _ok(_manage(project, "test", "shop", mode="none"))  # as in CI: compared, never written


@pytest.mark.slow
def test_the_debug_toolbar_is_served_in_development(project):
    script = (
        "import django; django.setup()\n"
        "from django.urls import reverse\n"
        "print(reverse('djdt:render_panel'))\n"
    )
    assert (
        _ok(_run(sys.executable, "-c", script, cwd=project)).strip() == "/__debug__/render_panel/"
    )


@pytest.mark.slow
def test_both_pins_fail_when_the_page_becomes_an_n_plus_one(project):
    _ok(_manage(project, "test", "shop"))  # the record exists
    views = project / "shop" / "views.py"
    before = views.read_text()
    views.write_text(before.replace('.select_related("customer")', ""))
    try:
        done = _manage(project, "test", "shop", mode="none")
    finally:
        views.write_text(before)
    assert done.returncode != 0
    assert "failures=2" in done.stderr, done.stderr
    assert "Performance record did not match" in done.stderr


@pytest.mark.slow
def test_the_timeout_lint_flags_a_call_without_a_timeout(project):
    ruff = str(Path(sys.executable).with_name("ruff"))
    _ok(_run(ruff, "check", "--no-cache", "shop/partners.py", cwd=project))
    bad = project / "shop" / "forgot.py"
    bad.write_text("import requests\n\nrequests.get('https://example.com')\n")
    try:
        done = _run(ruff, "check", "--no-cache", "shop/forgot.py", cwd=project)
    finally:
        bad.unlink()
    assert done.returncode == 1
    assert "S113" in done.stdout
