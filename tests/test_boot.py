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
