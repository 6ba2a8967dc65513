"""Auto-graded exercises: a grader that explains itself.

Learners call ``lab.check("03.1", fn)``, ``lab.hint("03.1")``, ``lab.solution("03.1")``
and ``lab.progress()``. Instructors declare exercises in ``grading/exercises/exNN.py``
(see docs/grading.md), generate exercise notebooks from solutions with ``make exercises``
and follow a class with ``python -m workshop_site.grading report``.
"""

from workshop_site.grading.api import check, exercises
from workshop_site.grading.attempt import Attempt
from workshop_site.grading.exercise import Exercise, Rows
from workshop_site.grading.grader import grade
from workshop_site.grading.hints import hint, solution
from workshop_site.grading.kinds import (
    Budget,
    CassetteTest,
    CatchesBadDeploy,
    Check,
    Diagnosis,
    FallsBackInTime,
    FixesRoute,
    IndexServes,
    MemoryFlat,
    MemoryRatio,
    MockedCallTest,
    OffloadsToTask,
    Outcome,
    PinsPageWithRecord,
    ReadsTraffic,
    Result,
    Scaling,
    Shape,
    Stage,
    TellsNaiveFromFixed,
    Updates,
    WorstPage,
    register,
    registered_kinds,
)
from workshop_site.grading.progress import progress
from workshop_site.grading.verdict import Verdict

__all__ = [
    "Attempt",
    "Budget",
    "CassetteTest",
    "CatchesBadDeploy",
    "Check",
    "Diagnosis",
    "Exercise",
    "FallsBackInTime",
    "FixesRoute",
    "IndexServes",
    "MemoryFlat",
    "MemoryRatio",
    "MockedCallTest",
    "OffloadsToTask",
    "Outcome",
    "PinsPageWithRecord",
    "ReadsTraffic",
    "Result",
    "Rows",
    "Scaling",
    "Shape",
    "Stage",
    "TellsNaiveFromFixed",
    "Updates",
    "WorstPage",
    "Verdict",
    "check",
    "exercises",
    "grade",
    "hint",
    "registered_kinds",
    "progress",
    "register",
    "solution",
]
