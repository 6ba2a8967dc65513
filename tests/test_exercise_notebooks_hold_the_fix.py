"""From lesson 05 on, too, an exercise notebook shows no fix before the learner asks
``lab.hint`` (03 and 04 are checked in their own test modules). Not here: 07, whose
notebooks show the code under test, naive and fixed, because the learner writes the test
and not the fix; 08 and 10, whose recording cells need the partners or the capstone's
state and are read by their exercise tests; 06, whose recording cell runs ``lab.compare``
(a file database, not the test's in-memory one)."""

from pathlib import Path

import pytest
from recording_cells import fixes_shown, shown_before_a_hint

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


@pytest.mark.slow
@pytest.mark.parametrize(
    "notebook",
    [
        "05_composing_querysets",
        "09a_indexes",
        "09b_long_jobs",
        "09c_in_database",
        "09d_templates",
    ],
)
def test_the_exercise_notebook_shows_no_fix_before_a_hint(seeded, notebook):
    shown = shown_before_a_hint(SOLUTIONS / f"{notebook}_solutions.ipynb")
    assert fixes_shown(shown) == [], shown
