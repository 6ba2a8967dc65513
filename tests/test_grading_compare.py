"""Results compared by value, and the first difference said in words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workshop_site.grading.compare import canonical, first_difference, show
from workshop_site.shop.models import Customer


def test_equal_values_have_no_difference():
    assert first_difference([("a", 1), ("b", 2)], [["a", 1], ["b", 2]], ordered=True) is None
    assert first_difference({1: Decimal("12.50")}, {1: Decimal("12.5")}, ordered=False) is None
    assert first_difference(0.1 + 0.2, 0.3, ordered=False) is None
    assert first_difference({"b", "a"}, {"a", "b"}, ordered=True) is None


def test_unordered_lists_compare_as_multisets():
    assert first_difference([1, 2, 2], [2, 1, 2], ordered=False) is None
    message = first_difference([1, 2, 2], [2, 1, 3], ordered=False)
    assert message == (
        "expected 3 items, got 3: 1 item missing (e.g. 2); 1 unexpected item (e.g. 3)"
    )


def test_ordered_lists_name_the_first_position():
    assert first_difference(["a", "b", "c"], ["a", "x", "c"], ordered=True) == (
        "first difference at position 1: expected 'b', got 'x'"
    )


def test_the_right_items_in_another_order():
    assert first_difference(["a", "b", "c"], ["c", "b", "a"], ordered=True) == (
        "the right 3 items in another order: at position 0 expected 'a', got 'c'"
    )


def test_too_few_and_too_many_items():
    assert first_difference([1, 2, 3], [1, 2], ordered=True) == (
        "expected 3 items, got the first 2 of them; missing from position 2: 3"
    )
    assert first_difference([1], [1, 5, 6], ordered=True) == (
        "expected 1 item, got 3: the expected ones, then 2 extra items from position 1: 5"
    )


def test_dicts_name_the_key():
    assert first_difference({1: "a", 2: "b"}, {1: "a", 2: "c"}, ordered=False) == (
        "for key 2: expected 'b', got 'c'"
    )
    assert first_difference({1: "a"}, {2: "a"}, ordered=False) == (
        "expected 1 key, got 1: 1 key missing (e.g. 1); 1 unexpected key (e.g. 2)"
    )


def test_scalars():
    assert first_difference(8, 57, ordered=False) == "expected 8, got 57"


@pytest.mark.django_db
def test_model_instances_compare_by_model_and_primary_key(seeded):
    one, other = Customer.objects.order_by("pk")[:2]
    again = Customer.objects.get(pk=one.pk)
    assert canonical(one) == canonical(again)
    assert first_difference([one], [again], ordered=True) is None
    assert first_difference([one], [other], ordered=True) == (
        f"first difference at position 0: expected <Customer pk={one.pk}>, "
        f"got <Customer pk={other.pk}>"
    )


def test_show_is_short():
    assert show("x" * 200).endswith("…")
    assert len(show(list(range(100)))) == 70
