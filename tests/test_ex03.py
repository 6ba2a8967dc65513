"""Lesson 03's exercises: each grader rejects the naive answer and the classic wrong fix,
with a message that says what to do, and accepts the reference and another right answer."""

from __future__ import annotations

import pytest
from django.db.models import FETCH_PEERS
from exercise_asserts import fails, passes

from workshop_site.grading.references import ref03
from workshop_site.shop.models import Customer, Order, OrderLine, Review

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 03.1 ------------------------------------------------------------------------------


def envelopes_naive():
    waiting = Customer.objects.filter(welcome_letter_sent=False)
    return [(c.name, c.address.street, c.address.postcode, c.address.city) for c in waiting]


def envelopes_values():
    waiting = Customer.objects.filter(welcome_letter_sent=False)
    return list(
        waiting.values_list("name", "address__street", "address__postcode", "address__city")
    )


def envelopes_peers():
    waiting = Customer.objects.filter(welcome_letter_sent=False).fetch_mode(FETCH_PEERS)
    return [(c.name, c.address.street, c.address.postcode, c.address.city) for c in waiting]


def test_03_1_accepts_the_reference_and_a_values_list_join():
    passes("03.1", ref03.welcome_envelopes)
    passes("03.1", envelopes_values)


def test_03_1_rejects_the_n_plus_one_naming_the_relation_and_the_fix():
    fails(
        "03.1",
        envelopes_naive,
        "scaling",
        "one per customer",
        "reads customer.address",
        'select_related("address")',
    )


def test_03_1_rejects_a_second_query_and_says_a_join_does_it_in_one():
    fails(
        "03.1",
        envelopes_peers,
        "budget",
        "2 queries",
        "the budget is 1",
        "`select_related` joins it",
    )


# -- 03.2 ------------------------------------------------------------------------------


def _pending_lines():
    return OrderLine.objects.filter(order__status=Order.Status.PENDING)


def packing_naive():
    return [(ln.order_id, ln.listing.product.title, ln.quantity) for ln in _pending_lines()]


def packing_first_hop_only():
    lines = _pending_lines().select_related("listing")
    return [(ln.order_id, ln.listing.product.title, ln.quantity) for ln in lines]


def packing_values():
    return list(_pending_lines().values_list("order_id", "listing__product__title", "quantity"))


def test_03_2_accepts_the_reference_and_a_values_list_join():
    passes("03.2", ref03.packing_list)
    passes("03.2", packing_values)


def test_03_2_rejects_the_naive_two_level_n_plus_one():
    fails(
        "03.2",
        packing_naive,
        "scaling",
        "lines of pending orders",
        'select_related("listing__product")',
    )


def test_03_2_rejects_joining_the_first_hop_only():
    fails(
        "03.2",
        packing_first_hop_only,
        "scaling",
        "one per listing",
        "reads order_line.listing.product",
        "Each hop (line → listing → product) is a foreign key.",
    )


# -- 03.3 ------------------------------------------------------------------------------


def apologies_naive():
    return [review.customer.mailing_label for review in Review.objects.filter(rating=1)]


def apologies_customer_only():
    reviews = Review.objects.filter(rating=1).select_related("customer")
    return [review.customer.mailing_label for review in reviews]


def apologies_from_customers():
    # Another right answer: the same labels, one per 1-star review, from the customers'
    # side (a customer with two 1-star reviews gets two letters, as in the reference).
    reviews = Review.objects.filter(rating=1).select_related("customer__address")
    customers = [review.customer for review in reviews]
    return [
        f"{c.name}\n{c.address.street}\n{c.address.postcode} {c.address.city}" for c in customers
    ]


def test_03_3_accepts_the_reference_and_another_right_answer():
    passes("03.3", ref03.apology_letters)
    passes("03.3", apologies_from_customers)


def test_03_3_rejects_the_naive_answer():
    fails("03.3", apologies_naive, "scaling", "1-star reviews", "one per review")


def test_03_3_rejects_joining_the_customer_only_and_points_at_the_property():
    fails(
        "03.3",
        apologies_customer_only,
        "scaling",
        "shop/models.py:",
        "(in mailing_label) reads review.customer.address",
        "count the foreign keys",
    )
