"""Lesson 02 (measure first): fix the route that costs the most server time.

With the lesson's seeded traffic (``lab.traffic(n=300, seed=0)``) that route is the home
page, served by its naive view. The learner writes a fixed view; the check kind
:class:`FixesRoute` serves it at ``shop:home`` and replays the route's requests on the
grading data, against the naive view in the same call.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import FixesRoute
from workshop_site.shop import views
from workshop_site.shop.models import Listing

EXERCISES = [
    Exercise(
        id="02.1",
        title="Fix the route that costs the most server time",
        rows=Rows("public listings", lambda: Listing.objects.public().count()),
        # Each run replays the naive view's requests too, in turns with the learner's.
        time_limit=10.0,
        checks=(
            FixesRoute(
                url_name="shop:home",
                path="/",
                naive=views.home_naive,
                queries=6,
                advice='Trace the naive page (`lab.trace("/", views=run.views)`): which '
                "relations does the template read per card and per menu entry?",
            ),
        ),
        hints=(
            '`lab.trace("/", views=run.views)` then `.repeated()`: the repeated queries '
            "read each card's product, brand, images and categories, and each root "
            "category's children.",
            "The cards: `Listing.objects.public().newest_first().optimize_for_list()`, the "
            "composed method that loads everything a card shows in 3 queries.",
            "The menu: `Category.objects.public().roots().with_public_children()`, then "
            "`[(root, root.public_children) for root in roots]` for the template.",
        ),
    ),
]
