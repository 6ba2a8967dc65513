"""Exercise ids that changed between versions of the course, and those retired.

A learner's progress file keeps the ids of the day it was written. When an exercise moves
(lesson 09 becoming episodes: ``09.1`` → ``09a.1``), add ``"09.1": "09a.1"`` to
:data:`RENAMED`: the old attempts count for the new id, in ``lab.progress()`` and in the
instructor report. When an exercise leaves the course, add it to :data:`RETIRED` with
what replaced it: its attempts are shown apart, as retired. An id found in a progress file
and in neither table nor the course is shown as retired too ("no longer in the course").
"""

from __future__ import annotations

__all__ = ["RENAMED", "RETIRED", "current_id", "retired_note"]

#: Old id → the id it has now. Chains are followed ("a" → "b" → "c").
RENAMED: dict[str, str] = {}
#: Old id → why it is gone, or what replaced it, in a few words.
RETIRED: dict[str, str] = {
    "01.1": "a select_related fix before lesson 03 taught it; 01.3 measures it instead",
    "01.2": "a prefetch_related fix before lesson 04 taught it; 01.4 diagnoses it instead",
    "02.1": "a fix with lesson 05's composed methods; 02.2 finds the costliest route",
    # Lesson 09 became episodes 09a-09d; each exercise became a transfer (another model,
    # table or page), so an old pass does not count for the new one.
    "09.1": "replaced by 09a.1, an index for a product's newest reviews",
    "09.2": "replaced by 09b.1, the reviews export in bounded memory",
    "09.3": "replaced by 09c.1, cancelled orders back to stock in one UPDATE",
    "09.4": "replaced by 09d.1, the customers' page without its template's queries",
}


def current_id(exercise_id: str) -> str:
    """The id ``exercise_id`` has in this version of the course."""
    seen = {exercise_id}
    while exercise_id in RENAMED:
        exercise_id = RENAMED[exercise_id]
        if exercise_id in seen:
            raise ValueError(f"RENAMED loops through {exercise_id!r}")
        seen.add(exercise_id)
    return exercise_id


def retired_note(exercise_id: str) -> str:
    """What became of a retired exercise, in a few words."""
    return RETIRED.get(exercise_id, "no longer in the course")
