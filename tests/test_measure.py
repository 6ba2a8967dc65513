"""lab.compare(): exact counts per size, a wrong variant flagged, the kernel's database kept.

compare() points the default connection at a copy of a seeded template per size. The
test database pytest-django makes is in memory, where that cannot work (closing the
connection would destroy it), so the end-to-end checks run in a child process that boots
the shop the way a notebook does.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workshop_site.lab.measure import COLUMNS, compare, difference

SCRIPT = r"""
import json, os, warnings
from workshop_site import lab

lab.start(size=30, quiet=True)
from django.db import connection
from workshop_site.lab.databases import pointed_at, template
from workshop_site.lab.workspace import workspace
from workshop_site.shop.models import Customer

kernel = connection.settings_dict["NAME"]


def naive():
    return [c.address.city for c in Customer.objects.order_by("id")]


def joined():
    return [c.address.city for c in Customer.objects.select_related("address").order_by("id")]


def wrong():
    return joined()[1:]


def writes():
    Customer.objects.update(name="changed")
    return joined()


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    frame = lab.compare(
        {"naive": naive, "select_related": joined, "wrong": wrong, "writes": writes},
        sizes=[5, 20],
        progress=False,
        memory=True,
    )
with lab.latency(1):
    slow = lab.compare({"naive": naive}, sizes=[5], progress=False)


def boom():
    raise ZeroDivisionError("boom")


try:
    lab.compare({"boom": boom}, sizes=[5], progress=False)
except ZeroDivisionError as exc:
    notes = exc.__notes__
with pointed_at(template(size=20, seed=42)):
    changed_in_template = Customer.objects.filter(name="changed").count()
print(json.dumps({
    "frame": json.loads(frame.to_json(orient="records")),
    "slow": json.loads(slow.to_json(orient="records")),
    "columns": list(frame.columns),
    "warnings": [str(w.message) for w in caught],
    "kernel": kernel,
    "after": connection.settings_dict["NAME"],
    "customers": Customer.objects.count(),
    "changed_in_template": changed_in_template,
    "notes": notes,
    "scratch": sorted(p.name for p in (workspace() / "kernels").glob(f"compare-{os.getpid()}-*")),
}))
"""


@pytest.fixture(scope="module")
def run() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _row(run: dict, variant: str, rows: int) -> dict:
    return next(r for r in run["frame"] if r["variant"] == variant and r["rows"] == rows)


@pytest.mark.slow
def test_one_tidy_row_per_variant_and_size(run):
    assert run["columns"] == COLUMNS
    assert [(r["variant"], r["rows"]) for r in run["frame"]] == [
        (variant, rows)
        for rows in (5, 20)
        for variant in ("naive", "select_related", "wrong", "writes")
    ]
    for row in run["frame"]:
        assert row["db_time_ms"] > 0
        assert row["wall_time_ms"] >= row["db_time_ms"]
        assert row["peak_memory_kb"] > 0
        assert 1 <= row["runs"] <= 5
        assert row["latency_ms"] == 0


def test_exact_query_counts_at_each_size(run):
    assert [_row(run, "naive", n)["queries"] for n in (5, 20)] == [6, 21]
    assert [_row(run, "select_related", n)["queries"] for n in (5, 20)] == [1, 1]


def test_a_variant_with_another_result_is_flagged(run):
    assert [_row(run, "wrong", n)["matches_first"] for n in (5, 20)] == [False, False]
    right = [_row(run, v, n) for v in ("select_related", "writes") for n in (5, 20)]
    assert all(row["matches_first"] for row in right)
    assert run["warnings"] == [
        'compare(): variant "wrong" returned a different result from "naive" at 5 rows '
        "(expected 5 items, got 4): a faster wrong answer is not a fix",
        'compare(): variant "wrong" returned a different result from "naive" at 20 rows '
        "(expected 20 items, got 19): a faster wrong answer is not a fix",
    ]


def test_writes_are_rolled_back_and_the_kernel_database_comes_back(run):
    assert run["after"] == run["kernel"]
    assert run["customers"] == 30  # the kernel's own data, not a compare size
    assert run["changed_in_template"] == 0
    assert run["scratch"] == []


def test_an_error_names_the_variant_and_size_and_still_restores(run):
    assert run["notes"] == ['in compare(): variant "boom" at 5 rows']


def test_simulated_latency_is_measured_and_recorded(run):
    (row,) = run["slow"]
    assert row["latency_ms"] == 1
    assert row["db_time_ms"] >= 6 * 1  # six queries, each at least 1 ms


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"variants": {}}, "at least one variant"),
        ({"variants": {"a": 1}}, "variant 'a' must be a callable, got int"),
        ({"variants": {"a": list}, "sizes": [10, 0]}, r"positive integers, got \[10, 0\]"),
        ({"variants": {"a": list}, "repeat": 0}, "repeat must be at least 1, got 0"),
    ],
)
def test_arguments_are_checked_before_anything_runs(arguments, message):
    variants = arguments.pop("variants")
    with pytest.raises((ValueError, TypeError), match=message):
        compare(variants, **arguments)


def test_refuses_the_in_memory_test_database(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite test databases live in memory")
    with pytest.raises(RuntimeError, match="in memory"):
        compare({"a": list}, sizes=[5], progress=False)


@pytest.mark.parametrize(
    ("expected", "actual", "said"),
    [
        ([1, 2, 3], [1, 2], "expected 3 items, got 2"),
        (["a", "b"], ["a", "c"], "item 1: expected 'b', got 'c'"),
        ({"a": 1}, {"a": 2}, "at key 'a': expected 1, got 2"),
        ({"a": 1}, {"b": 1}, "keys missing: ['a'], extra: ['b']"),
        ([1], (1,), "expected a list, got a tuple"),
        (3, 4, "expected 3, got 4"),
    ],
)
def test_the_difference_is_named(expected, actual, said):
    assert difference(expected, actual) == said
