"""Lesson 05's exercises: each grader rejects the naive page and the near misses (the
shop's own method reused, every relation prefetched, two plain counts that multiply each
other, counts loaded into Python; the lesson's page named as the worst), each with a
message that names it, and accepts the reference and another right answer.

The lesson cells closest to each exercise, pasted (issue 21: none passes):

- 05.1 ← the shop's ``optimize_for_history()`` the lesson points to, and the lesson's
  ``details`` cell pattern (``optimize_for_*()`` reused as is): the brand stays an N+1
  (``test_05_1_rejects_the_order_history_method_which_stops_at_the_product``).
- 05.2 ← the lesson's ``two_counts`` cell (two plain ``Count``) on customers
  (``test_05_2_rejects_two_plain_counts_that_multiply_each_other``).
- 05.3 ← the lesson's page, the product list, and its relation
  (``test_05_3_rejects_the_lessons_page``).
"""

from __future__ import annotations

import pytest
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from exercise_asserts import fails, passes

from workshop_site.grading.exercises.ex05 import shipments
from workshop_site.grading.references import ref05
from workshop_site.shop.models import Customer, Order, OrderLine, Review
from workshop_site.shop.querysets import OrderQuerySet

pytestmark = pytest.mark.usefixtures("grading_sandbox")


# -- 05.1: the orders to ship ----------------------------------------------------------


def _paid(queryset_class=OrderQuerySet):
    return queryset_class(Order).filter(status=Order.Status.PAID).newest_first()


class ComposedOrders(OrderQuerySet):
    """Another right answer: the method made of two pieces of its own."""

    def with_customer(self):
        return self.select_related("customer__address")

    def with_lines(self):
        lines = OrderLine.objects.select_related("listing__product__brand").order_by("id")
        return self.prefetch_related(Prefetch("lines", queryset=lines))

    def optimize_for_list(self):
        return self.with_lines().with_customer()


def test_05_1_accepts_the_reference_and_a_method_made_of_pieces():
    passes("05.1", ref05.orders_to_ship)
    passes("05.1", lambda: shipments(_paid(ComposedOrders).optimize_for_list()))


@pytest.mark.slow
def test_05_1_rejects_the_naive_page():
    fails("05.1", lambda: shipments(_paid()), "scaling", "paid orders", "similar queries")


def test_05_1_rejects_the_order_history_method_which_stops_at_the_product():
    fails(
        "05.1",
        lambda: shipments(_paid().select_related("customer__address").optimize_for_history()),
        "scaling",
        "one per product",
        'select_related("listing__product__brand")',
    )


def orders_without_the_address():
    lines = Prefetch("lines", OrderLine.objects.select_related("listing__product__brand"))
    return shipments(_paid().select_related("customer").prefetch_related(lines))


def orders_prefetched_hop_by_hop():
    orders = _paid().select_related("customer__address")
    return shipments(orders.prefetch_related("lines__listing__product__brand"))


def test_05_1_rejects_the_customer_without_the_address():
    fails("05.1", orders_without_the_address, "scaling", "customer.address")


@pytest.mark.slow
def test_05_1_rejects_a_prefetch_per_hop_over_the_budget():
    fails(
        "05.1",
        orders_prefetched_hop_by_hop,
        "budget",
        "5 queries",
        "the budget is 2",
        "one `Prefetch` whose queryset joins them",
    )


# -- 05.2: the support team's customer list --------------------------------------------


def _support(customers):
    return [(c.name, c.address.city, c.order_count, c.review_count) for c in customers]


def _customers():
    return Customer.objects.select_related("address").order_by("id")


def _count_of(model, field):
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def support_subqueries():
    customers = _customers().annotate(
        order_count=Coalesce(_count_of(Order, "customer"), 0),
        review_count=Coalesce(_count_of(Review, "customer"), 0),
    )
    return _support(customers)


def support_two_plain_counts():
    return _support(
        _customers().annotate(order_count=Count("orders"), review_count=Count("reviews"))
    )


def support_subqueries_without_zero():
    customers = _customers().annotate(
        order_count=_count_of(Order, "customer"), review_count=_count_of(Review, "customer")
    )
    return _support(customers)


def support_without_the_address():
    customers = Customer.objects.annotate(
        order_count=Count("orders", distinct=True), review_count=Count("reviews", distinct=True)
    ).order_by("id")
    return _support(customers)


def support_counted_in_python():
    customers = _customers().prefetch_related("orders", "reviews")
    return [(c.name, c.address.city, len(c.orders.all()), len(c.reviews.all())) for c in customers]


def support_naive():
    customers = Customer.objects.order_by("id")
    return [(c.name, c.address.city, c.orders.count(), c.reviews.count()) for c in customers]


def test_05_2_accepts_the_reference_and_subqueries():
    passes("05.2", ref05.support_list)
    passes("05.2", support_subqueries)


def test_05_2_rejects_two_plain_counts_that_multiply_each_other():
    # The grading data gives many customers both orders and reviews: each count is
    # multiplied by the other relation's rows.
    fails("05.2", support_two_plain_counts, "result", "with 100 customers")


def test_05_2_rejects_a_subquery_count_that_is_null_without_rows():
    fails("05.2", support_subqueries_without_zero, "result", "None")


@pytest.mark.slow
def test_05_2_rejects_the_naive_list():
    fails("05.2", support_naive, "scaling", "customers")


def test_05_2_rejects_counts_without_the_address():
    fails("05.2", support_without_the_address, "scaling", "customer.address")


def test_05_2_rejects_every_order_and_review_loaded_into_python():
    fails("05.2", support_counted_in_python, "budget", "3 queries", "the budget is 1")


# -- 05.3: the worst page and its cause --------------------------------------------------


@pytest.mark.slow  # waits on purpose: out of `make check`, in `make test`
def test_05_3_accepts_the_worst_page_with_any_relation_of_its_largest_group():
    passes("05.3", ref05.worst_page)
    passes("05.3", lambda: ("category", "product"))
    passes("05.3", lambda: ["Category", "Product.brand"])


def test_05_3_rejects_the_lessons_page():
    verdict = fails(
        "05.3",
        lambda: ("Product list", "Listing.product"),
        "worst-page",
        "`Product list` runs 41 queries",
        "another page of the list runs more",
    )
    assert "Category" not in verdict.message.split("Open every page")[0]


def test_05_3_rejects_the_right_page_with_a_relation_that_does_not_repeat_on_it():
    fails(
        "05.3",
        lambda: ("Category", "Category.children"),
        "worst-page",
        "is the worst page, right",
        "`Category.children` is not a relation whose queries repeat",
    )


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (lambda: ("Checkout", "Listing.product"), "is not one of the pages"),
        (lambda: {"page": "Category", "relation": "Listing.product"}, "a page and a relation"),
        (lambda: "Category", "a page and a relation"),
        (lambda: ("Category", ""), "a page and a relation"),
    ],
)
def test_05_3_rejects_answers_of_the_wrong_shape(answer, said):
    fails("05.3", answer, "worst-page", said)


def test_05_3_the_worst_page_is_the_same_at_every_grading_size_and_not_the_lessons():
    """The mutation rule: the lesson's page (the product list) is never the worst, and
    the worst page's largest groups are card relations, at both grading sizes."""
    from workshop_site.grading.exercises.ex05 import guide_pages
    from workshop_site.grading.kinds.pages import survey
    from workshop_site.grading.sandbox import run

    for size in (100, 300):
        found = run(
            lambda: survey(guide_pages()), size=size, accept=lambda v: v, cap=2000, seconds=30
        ).value
        counts = {page.name: page.queries for page in found}
        assert max(counts, key=counts.get) == "Category", counts
        assert counts["Category"] > counts["Product list"], counts
