"""The lessons' classic wrong fixes raise Django errors; the grader explains them kindly."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError, FieldFetchBlocked
from django.db.models import FETCH_RAISE

from workshop_site.grading.django_errors import explain
from workshop_site.grading.problems import from_exception
from workshop_site.shop.models import Customer, Pizza, Product


def _raised(fn) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011 - whatever Django raises is the input
        fn()
    return info.value


@pytest.mark.django_db
def test_select_related_on_a_many_to_many_names_prefetch_related():
    error = _raised(lambda: list(Pizza.objects.select_related("toppings")))
    assert isinstance(error, FieldError)
    advice = explain(error)
    assert "`select_related` can only follow a relation that points to one row" in advice
    assert 'prefetch_related("toppings")' in advice
    assert "this model has no relation `select_related` can follow" in advice


@pytest.mark.django_db
def test_select_related_on_a_reverse_foreign_key_lists_what_it_can_follow():
    error = _raised(lambda: list(Product.objects.select_related("brand", "images")))
    advice = explain(error)
    assert 'prefetch_related("images")' in advice
    assert "here `select_related` can follow `brand`" in advice


@pytest.mark.django_db
def test_select_related_on_a_plain_field_says_it_takes_relations():
    error = _raised(lambda: list(Product.objects.select_related("title")))
    assert explain(error) == (
        "`title` is a plain field, already in each row: `select_related` takes relations "
        "only (here `select_related` can follow `brand`)."
    )


@pytest.mark.django_db
def test_fetch_raise_names_the_field_that_was_not_loaded(seeded):
    def strict():
        return [c.address.city for c in Customer.objects.fetch_mode(FETCH_RAISE)]

    error = _raised(strict)
    assert isinstance(error, FieldFetchBlocked)
    assert "`Customer.address`, which the query did not load" in explain(error)


def test_other_errors_get_no_advice():
    assert explain(ValueError("chunk_size must be provided")) == ""
    assert explain(FieldError("Cannot resolve keyword 'x' into field.")) == ""


@pytest.mark.django_db
def test_the_grader_adds_the_advice_after_the_error_and_the_learners_line():
    def menu():
        return list(Pizza.objects.select_related("toppings"))

    problem = from_exception(_raised(menu))
    lines = problem.message.splitlines()
    assert problem.kind == "raised"
    assert lines[0].startswith("your code raised FieldError: Invalid field name(s)")
    assert any("in menu: return list(" in line for line in lines[1:-1])
    assert 'prefetch_related("toppings")' in lines[-1]
