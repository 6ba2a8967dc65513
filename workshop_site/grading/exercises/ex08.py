"""Lesson 08 (external calls): a partner call that falls back in time, a cassette test, a
test that mocks a partner call and still checks it, and a slow call moved into a task.

All are graded against a partner service the check starts for itself (see
``workshop_site/grading/kinds/partners.py``), never against the learner's own.
"""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from workshop_site.external import client
from workshop_site.external.client import FLAT_SHIPPING, ShippingQuote
from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import (
    CassetteTest,
    FallsBackInTime,
    MockedCallTest,
    OffloadsToTask,
)
from workshop_site.shop import tasks
from workshop_site.shop.models import Customer, Listing, Product, Review

#: The postcode both exercises use; the partner's answer for it is fixed.
POSTCODE = "69001"


# The checks do not depend on the data; the grader still wants rows that grow with the
# sizes (every exercise runs at two sizes), so they count what any lesson's data has.
_LISTINGS = Rows("listings", lambda: Listing.objects.count())

# 08.3: what the learner's test must catch, each under the name `recommendations`


def _never_calls(product_id: int, *, limit: int = 4) -> list[int]:
    return []


def _another_product(product_id: int, *, limit: int = 4) -> list[int]:
    return client.recommendations(product_id + 1, limit=limit)


def _another_limit(product_id: int, *, limit: int = 4) -> list[int]:
    return client.recommendations(product_id, limit=limit + 1)


# 08.4: a review posted through the learner's view


def _post_a_review(view: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Post a review with ``view``; the arguments ``sync_review_to_crm`` must get."""
    product = Product.objects.public().filter(reviews__isnull=False).order_by("id").first()
    customer = Customer.objects.order_by("-id").first()
    if product is None or customer is None:
        raise RuntimeError("the grading data has no reviewed product or no customer")
    data = {"customer": customer.pk, "rating": 5, "text": "Like new, fast delivery."}
    response = view(
        RequestFactory().post(f"/products/{product.slug}/reviews/", data), slug=product.slug
    )
    status = getattr(response, "status_code", None)
    if status is None or status >= 400:
        raise ValueError(f"your view answered {status!r} to a valid review: expected 201")
    review = Review.objects.filter(product=product, customer=customer).latest("id")
    return (review.pk,), {}


EXERCISES = [
    Exercise(
        id="08.1",
        title="A shipping quote that cannot hang the page",
        returns=ShippingQuote,
        expects="a ShippingQuote",
        rows=_LISTINGS,
        checks=(FallsBackInTime(partner="shipping", fallback=FLAT_SHIPPING, args=(POSTCODE,)),),
        time_limit=5.0,
        hints=(
            'Call it with the shipping partner hanging: `partners.configure("shipping", '
            'hang=True)`, then time `shipping_quote("69001")`. What does `requests` wait for?',
            "Pass `timeout=(0.2, 0.5)` to `requests.get`: 0.2 s to connect, 0.5 s between "
            "two bytes of the answer. Then the call raises instead of waiting.",
            "Wrap the call, `raise_for_status()` and `.json()` in `try:` ... `except "
            "(requests.RequestException, ValueError): return FLAT_SHIPPING`.",
        ),
    ),
    Exercise(
        id="08.2",
        title="A cassette test for the shipping quote",
        rows=_LISTINGS,
        checks=(CassetteTest(),),
        hints=(
            "Wrap the client call in `with vcr.use_cassette(str(cassette), "
            "record_mode=record_mode):` and assert on the quote it returns.",
            'Run it once with `record_mode="once"` and the partners running, print the '
            "quote: those are the values to assert (`ShippingQuote(Decimal(...), days, "
            "estimated=False)`).",
            'Keep the key out of the file: `filter_headers=[("authorization", "<hidden>")]`.',
        ),
    ),
    Exercise(
        id="08.3",
        title="A test that mocks the recommendation call and still checks it",
        rows=_LISTINGS,
        checks=(
            MockedCallTest(
                subject=client.recommendations,
                name="recommendations",
                partner="recommendations",
                wrong=(
                    ("returns nothing without calling the partner", _never_calls),
                    ("asks for another product's recommendations", _another_product),
                    ("asks the partner for another number of items", _another_limit),
                ),
            ),
        ),
        hints=(
            "Which method does `recommendations` call to reach the partner? The lesson's "
            "mock replaced the same one for the stock partner.",
            '`with mock.patch.object(PartnerClient, "call", return_value={"items": [3, 5]}) '
            "as call:` around `recommendations(7)`: then nothing leaves the machine.",
            "After the call, `call.assert_called_once_with(...)` with the partner, the method, "
            "the path and the `params` you expect, and `assert` on what the function returned.",
        ),
    ),
    Exercise(
        id="08.4",
        title="Post a review without waiting for the CRM",
        rows=Rows("reviews", lambda: Review.objects.count()),
        read_only=False,  # it posts a review (rolled back)
        checks=(OffloadsToTask(task=tasks.sync_review_to_crm, partner="crm", call=_post_a_review),),
        hints=(
            "Which line of the view waits for the CRM? The customer needs the review saved, "
            "not the CRM told.",
            "`tasks.sync_review_to_crm` does that call; `.enqueue(review.pk)` hands it to the "
            "task backend instead of running it in the request.",
            "Enqueue it after the commit: `transaction.on_commit(partial("
            "tasks.sync_review_to_crm.enqueue, review.pk))` (`from django.db import "
            "transaction`, `from functools import partial`).",
        ),
    ),
]
