"""lab.start() in real separate processes, as Jupyter kernels are."""

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
from workshop_site import lab
first = lab.start(quiet=True)
from workshop_site.shop.models import Customer, Order
# A learner deletes data, then runs start() again: the data must be whole again.
Order.objects.all().delete()
Customer.objects.filter(pk__lte=10).update(name="changed")
second = lab.start(quiet=True)
third = lab.start(size=SIZE, quiet=True)
print(json.dumps({
    "database": str(first.database),
    "first": first.rows, "second": second.rows, "third": third.rows,
    "changed": Customer.objects.filter(name="changed").count(),
}))
"""


def _run(size: int) -> subprocess.Popen:
    code = SCRIPT.replace("SIZE", str(size))
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_start_twice_is_safe_and_two_kernels_have_their_own_database():
    one, two = _run(60), _run(80)  # at the same time, as two open notebooks
    a, b = _result(one), _result(two)
    assert a["database"] != b["database"]
    for r in (a, b):
        assert r["first"] == r["second"], "start() again must give the same clean data"
        assert r["changed"] == 0
        assert r["first"]["Customer"] == 1000
        assert r["first"]["Order"] == 2000
    assert a["third"]["Customer"] == 60
    assert b["third"]["Customer"] == 80
    # Each kernel removes its own database when it exits (a file, or a PostgreSQL database).
    assert _exists(a["database"]) is False
    assert _exists(b["database"]) is False


def _exists(database: str) -> bool:
    code = (
        "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'workshop_site.settings'); django.setup(); "
        "from workshop_site.lab.databases import database_exists; "
        f"print(database_exists({database!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


_BEFORE_START = """
import json, unittest
from workshop_site import lab

class T(unittest.TestCase):
    def test_x(self):
        pass

calls = {
    "models": lambda: __import__("workshop_site.shop.models"),
    "lab.queries()": lambda: lab.queries().__enter__(),
    "lab.compare()": lambda: lab.compare({"a": lambda: 1}),
    "lab.compare_databases()": lambda: lab.compare_databases({"a": lambda: 1}),
    "lab.latency()": lambda: lab.latency(2),
    "lab.run_tests()": lambda: lab.run_tests(T, quiet=True),
    "lab.traffic()": lambda: lab.traffic(n=1),
    "lab.trace()": lambda: lab.trace("/"),
    "lab.otel_trace()": lambda: lab.otel_trace("/"),
    "lab.serving()": lambda: lab.serving({}).__enter__(),
    "lab.bad_deploy()": lambda: lab.bad_deploy().__enter__(),
    "lab.partners()": lambda: lab.partners(),
    "lab.task_worker()": lambda: lab.task_worker(),
    "lab.row_counts()": lambda: lab.row_counts(),
    "lab.exercises()": lambda: lab.exercises("03"),
    "lab.progress()": lambda: lab.progress(),
    "lab.hint()": lambda: lab.hint("03.1"),
    "lab.solution()": lambda: lab.solution("03.1"),
}
said = {}
for name, call in calls.items():
    try:
        call()
        said[name] = "no error"
    except Exception as exc:
        said[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(said))
"""


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_every_entry_point_used_before_start_says_run_lab_start_first():
    out = subprocess.run(
        [sys.executable, "-c", _BEFORE_START], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout.strip().splitlines()[-1])
    for name, message in said.items():
        assert "run `lab.start()` first" in message, f"{name}: {message}"
        assert "AppRegistryNotReady" in message or "ShopNotStarted" in message, message
        if name != "models":
            assert message.startswith(f"ShopNotStarted: {name} needs the shop"), message


def test_the_guard_shows_one_line_in_a_notebook():
    from workshop_site.lab.boot import ShopNotStarted

    error = ShopNotStarted("lab.queries() needs the shop: run `lab.start()` first")
    assert error._render_traceback_() == [f"ShopNotStarted: {error}"]


def test_start_inside_a_transaction_says_what_to_do():
    code = (
        "from workshop_site import lab; lab.start(size=20, quiet=True)\n"
        "from django.db import transaction\n"
        "with transaction.atomic():\n"
        "    lab.start(size=20, quiet=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert "lab.start() replaces this kernel's database" in last
    assert "outside the `with transaction.atomic():` block" in last
