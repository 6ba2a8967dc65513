""" "Your turn" activities (``lab.predict``, ``lab.try_fix``): checked on the spot, never
raising, recorded apart from the graded exercises.

``try_fix`` measures with ``lab.compare``, which needs a kernel's database file (not the
test database in memory): the end-to-end checks run in a child process that boots the
shop the way a notebook does, as tests/test_measure.py does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from workshop_site.grading.activities import (
    ActivityResult,
    _as_number,
    _predict,
    _try_fix,
    last,
)
from workshop_site.grading.kinds.answers import same_relation

SCRIPT = r"""
import json, os
from workshop_site import lab
from workshop_site.grading import activities
from workshop_site.grading.progress import read_events

lab.start(size=30, quiet=True)
from workshop_site.shop.models import Customer


def letters_naive():
    return [c.address.city for c in Customer.objects.order_by("id")]


def letters():
    return [c.address.city for c in Customer.objects.select_related("address").order_by("id")]


def letters_prefetched():
    return [c.address.city for c in Customer.objects.prefetch_related("address").order_by("id")]


def letters_wrong():
    return letters()[1:]


def raises():
    return [c.address.town for c in Customer.objects.select_related("address")]


cases = {
    "predict_right": lambda: activities._predict("09a.a", 31, letters_naive, "queries"),
    "predict_wrong": lambda: activities._predict("09a.a", "5", letters_naive, "queries"),
    "relation": lambda: activities._predict(
        "09a.b", "customer.address", letters_naive, "relation"
    ),
    "relation_wrong": lambda: activities._predict("09a.b", "orders", letters_naive, "relation"),
    "line": lambda: activities._predict(
        "09a.b", letters_naive.__code__.co_firstlineno + 1, letters_naive, "line"
    ),
    "value": lambda: activities._predict("09a.c", " left  outer", lambda: "LEFT OUTER", "value"),
    "predict_raises": lambda: activities._predict("09a.a", 1, raises, "queries"),
    "fix_right": lambda: activities._try_fix("09a.d", letters, letters_naive, 1, (10, 30)),
    "fix_naive": lambda: activities._try_fix("09a.d", letters_naive, letters_naive, None, (10, 30)),
    "fix_budget": lambda: activities._try_fix(
        "09a.d", letters_prefetched, letters_naive, 1, (10, 30)
    ),
    "fix_wrong_result": lambda: activities._try_fix(
        "09a.d", letters_wrong, letters_naive, None, (10, 30)
    ),
    "fix_raises": lambda: activities._try_fix("09a.d", raises, letters_naive, None, (10, 30)),
}
out = {}
for name, case in cases.items():
    result = case()
    out[name] = {"status": result.status, "headline": result.headline, "message": result.message}
lab.try_fix("09a.d", letters, like=letters_naive, sizes=(10, 30))
out["last"] = activities.last("09a.d").status
out["events"] = [e for e in read_events() if e.get("event") == "activity"]
out["customers"] = Customer.objects.count()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    progress = tmp_path_factory.mktemp("activities") / "progress.jsonl"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "WORKSHOP_PROGRESS": str(progress)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_prediction_is_compared_with_what_runs_now(run):
    assert run["predict_right"]["status"] == "pass"
    assert run["predict_right"]["headline"] == "right: 31 queries"
    assert "30 similar queries, one per customer" in run["predict_right"]["message"]
    wrong = run["predict_wrong"]
    assert (wrong["status"], wrong["headline"]) == ("fail", "you predicted 5; measured: 31 queries")


@pytest.mark.slow
def test_relations_lines_and_values_are_predicted_too(run):
    assert run["relation"]["status"] == "pass"
    assert run["relation_wrong"]["headline"] == (
        "you predicted 'orders'; measured: Customer.address"
    )
    assert run["line"]["status"] == "pass"
    assert run["value"]["status"] == "pass"


@pytest.mark.slow
def test_the_fix_passes_with_the_same_result_and_a_flat_count(run):
    right = run["fix_right"]
    assert right["status"] == "pass", right
    assert right["headline"] == (
        "the same result as `letters_naive`, and 1 query with 10 and 30 customers alike "
        "(it took 11 → 31)"
    )


@pytest.mark.slow
def test_a_growing_count_names_the_relation_but_not_the_fix(run):
    naive = run["fix_naive"]
    assert naive["status"] == "fail"
    assert (
        naive["headline"]
        == "the query count still grows: 11 with 10 customers, 31 with 30 customers"
    )
    assert "reads customer.address" in naive["message"]
    assert "select_related" not in naive["message"]


@pytest.mark.slow
def test_a_flat_count_over_the_budget_says_so(run):
    budget = run["fix_budget"]
    assert (budget["status"], budget["headline"]) == ("fail", "flat, but 2 queries where 1 will do")


@pytest.mark.slow
def test_a_faster_wrong_answer_is_not_a_fix(run):
    wrong = run["fix_wrong_result"]
    assert (wrong["status"], wrong["headline"]) == (
        "fail",
        "not the same result as `letters_naive`",
    )
    assert (
        "the results differ; on this notebook's data: expected 30 items, got 29"
        in (wrong["message"])
    )


@pytest.mark.slow
def test_code_that_raises_is_a_message_with_its_line(run):
    for name in ("predict_raises", "fix_raises"):
        raised = run[name]
        assert (raised["status"], raised["headline"]) == (
            "fail",
            "your code raised AttributeError",
        )
        assert "'Address' object has no attribute 'town'" in raised["message"]
    assert run["customers"] == 30, "the notebook's data is unchanged"


@pytest.mark.slow
def test_each_check_is_recorded_as_an_activity_and_kept_in_the_kernel(run):
    assert run["last"] == "pass"
    (event,) = run["events"]
    assert event["exercise"] == "09a.d"
    assert (event["form"], event["status"]) == ("edit", "pass")
    assert event["queries"] == {"10": 1, "30": 1}


def test_numbers_are_read_the_way_people_type_them():
    assert [_as_number(x) for x in (3, "3", " 1,001 ", 4.0)] == [3, 3, 1001, 4]
    assert [_as_number(x) for x in (True, "three", 2.5, None)] == [None, None, None, None]


@pytest.mark.parametrize(
    ("typed", "relation", "same"),
    [
        ("address", "Customer.address", True),
        ("customer.address", "Customer.address", True),
        ("Customer.address", "Customer.address", True),
        ("customer__address", "Customer.address", True),
        ("review.address", "Customer.address", False),
        ("name", "Customer.address", False),
        (3, "Customer.address", False),
    ],
)
def test_a_relation_is_named_by_its_field_with_or_without_its_model(typed, relation, same):
    assert same_relation(typed, relation) is same


def test_an_unanswered_prediction_waits_without_measuring_anything():
    def never():
        raise AssertionError("measured before the learner predicted")

    result = _predict("03.a", ..., never, "queries")
    assert (result.status, result.headline) == ("todo", "your prediction first")
    assert "Replace `...`" in result.message
    assert _predict("03.a", "lots", never, "queries").status == "todo"


def test_an_id_that_is_not_an_activitys_is_an_error_not_an_exception():
    result = _predict("03.1", 3, lambda: None, "queries")
    assert result.status == "error"
    assert '"03.a"' in result.message
    assert _predict("03.a", 3, lambda: None, "speed").status == "error"


def test_a_function_called_instead_of_passed_is_named():
    result = _try_fix("03.b", [1, 2], lambda: [1, 2], None, (10, 100))
    assert result.status == "error"
    assert "without parentheses" in result.message


def test_a_result_shows_and_records_as_an_activity_event():
    result = ActivityResult(
        "03.b", "edit", "pass", "1 query", queries={10: 1, 100: 1}, answer="", measured=""
    )
    assert repr(result).startswith("✅ 03.b — 1 query")
    assert "<code>" not in result._repr_html_() or "03.b" in result._repr_html_()
    record = result.as_record()
    assert record["event"] == "activity"
    assert record["exercise"] == "03.b"
    assert record["queries"] == {"10": 1, "100": 1}
    assert last("99.z") is None
