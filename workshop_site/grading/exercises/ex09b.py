"""Lesson 09b (memory in long jobs): another table's export in bounded memory.

The lesson exports the orders; the exercise exports the reviews, whose rows carry their
text. Graded on its result and on its peak memory as the table grows.
"""

from __future__ import annotations

from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.kinds import MemoryFlat, Result
from workshop_site.shop.models import Review


def review_line(review: Review) -> str:
    """One review as a line of the moderation team's export."""
    return (
        f"{review.pk};{review.product_id};{review.customer_id};{review.rating};"
        f"{review.created_at:%Y-%m-%d};{len(review.text)}\n"
    )


EXERCISES = [
    Exercise(
        id="09b.1",
        title="The reviews export in bounded memory",
        returns=tuple,
        expects="a tuple (number of reviews, hex digest)",
        sizes=(200, 800),
        time_limit=10.0,  # the memory probe (tracemalloc) slows Python down several times
        rows=Rows("reviews", lambda: Review.objects.count()),
        checks=(
            Result(),
            MemoryFlat(
                at_most=2.0,
                advice="How many reviews does your loop hold at once? `.iterator()` alone "
                "reads 2,000 rows at a time: most of the table here.",
                fix="Stream the reviews: `.iterator(chunk_size=500)`, or batches of 500 by "
                'primary key (`filter(pk__gt=last).order_by("pk")[:500]`).',
            ),
        ),
        hints=(
            "Measure a plain loop's peak at two sizes (`lab.peak_memory(...)`): does it grow "
            "with the reviews?",
            "A `for` loop over a queryset fills its result cache: every review stays in "
            "memory until the loop ends. `.iterator()` keeps no cache.",
            '`Review.objects.order_by("pk").iterator(chunk_size=500)` holds 500 reviews at a '
            "time, whatever the size of the table.",
        ),
    ),
]
