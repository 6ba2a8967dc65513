"""Lesson 08 (external calls): a partner call that falls back in time, and a cassette test.

Both are graded against a partner service the check starts for itself (see
``workshop_site/grading/partner_checks.py``), never against the learner's own.
"""

from __future__ import annotations

from workshop_site.external.client import FLAT_SHIPPING, ShippingQuote
from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import CassetteTest, FallsBackInTime
from workshop_site.shop.models import Listing

#: The postcode both exercises use; the partner's answer for it is fixed.
POSTCODE = "69001"


# The checks do not depend on the data; the grader still wants rows that grow with the
# sizes (every exercise runs at two sizes), so they count what any lesson's data has.
_LISTINGS = Rows("listings", lambda: Listing.objects.count())

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
]
