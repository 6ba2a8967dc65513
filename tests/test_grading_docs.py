"""docs/grading.md's examples run as written: "add an exercise in ten minutes" declares an
exercise that grades, and "a new check kind" plugs in. The page is the test's input, so
the guide cannot drift from the code."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from workshop_site.grading import Exercise, Result, grade, registered_kinds
from workshop_site.shop.models import Listing, Order

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "grading.md"
pytestmark = pytest.mark.usefixtures("grading_sandbox")


def _example(after: str, name: str) -> dict:
    """Run the first ```python block after the line ``after`` as module ``name``; its names."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(after)
    code = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert code, f"no python example after {after!r} in {GUIDE.name}"
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their class's module up there
    exec(compile(code.group(1), str(GUIDE), "exec"), module.__dict__)
    return module.__dict__


DECLARED = _example("**2. Declare it**", "grading_guide_declaration")
NEW_KIND = _example("## A new check kind", "grading_guide_new_kind")


def test_the_declared_exercise_passes_its_reference():
    (exercise,) = DECLARED["EXERCISES"]
    verdict = grade(exercise, DECLARED["listings_with_brands"], progress=False)
    assert verdict.passed, verdict.message
    assert any("within the budget of 2" in figure for figure in verdict.figures)


@pytest.mark.slow
def test_the_declared_exercise_rejects_the_n_plus_one():
    (exercise,) = DECLARED["EXERCISES"]

    def naive():
        listings = Listing.objects.filter(is_active=True)
        return [(listing.product.title, listing.product.brand.name) for listing in listings]

    verdict = grade(exercise, naive, progress=False)
    assert (verdict.status, verdict.kind) == ("fail", "scaling"), verdict.message
    assert "active listings" in verdict.message


def order_ids_of_customer_one():
    return list(Order.objects.filter(customer_id=1).values_list("id", flat=True))


def test_the_new_kind_plugs_in_and_judges_the_plan():
    kind = NEW_KIND["PlanUsesIndex"]
    assert registered_kinds()["plan-uses-index"] is kind
    exercise = Exercise(
        id="90.5",
        title="Orders of customer 1",
        reference=order_ids_of_customer_one,
        returns=list,
        checks=(Result(), kind(table="shop_order", index="shop_order_customer_id")),
    )
    assert grade(exercise, order_ids_of_customer_one, progress=False).passed
    scanned = grade(
        exercise, lambda: [o.id for o in Order.objects.all() if o.customer_id == 1], progress=False
    )
    assert (scanned.status, scanned.kind) == ("fail", "plan-uses-index")
    assert scanned.reason == "the plan does not use the index"
    assert "SCAN" in scanned.message
    assert "does not use `shop_order_customer_id" in scanned.message
