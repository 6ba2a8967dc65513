"""Check kinds: the pluggable part of an exercise declaration, all exported from here.

``from workshop_site.grading.kinds import Budget, Result, Scaling`` in an exercise
module; the base (:class:`Check`, :class:`Outcome`, :class:`Stage`, :func:`register`) in
:mod:`.base`. The kinds are grouped by what they judge:

- :mod:`.results`: what the code returns (``Result``);
- :mod:`.answers`: what the learner found with the instruments (``Diagnosis``);
- :mod:`.queries`: its queries: growth, budget, SQL shape, UPDATEs per row (``Scaling``,
  ``Budget``, ``Shape``, ``Updates``);
- :mod:`.resources`: peak memory (``MemoryRatio``, ``MemoryFlat``);
- :mod:`.plans`: a query's plan with the learner's index (``IndexServes``);
- :mod:`.traffic`: a route replayed under traffic (``FixesRoute``);
- :mod:`.monitoring`: reading traffic, alerting on it (``ReadsTraffic``,
  ``CatchesBadDeploy``);
- :mod:`.partners`: calls to the shop's partners (``FallsBackInTime``, ``CassetteTest``,
  ``MockedCallTest``);
- :mod:`.tasks`: work moved out of a request into a task (``OffloadsToTask``);
- :mod:`.learner_tests`: a learner's test (``TellsNaiveFromFixed``);
- :mod:`.pages`: a diagnosis of the shop's pages, the worst and its cause (``WorstPage``);
- :mod:`.records`: a learner's django-perf-rec record of a page (``PinsPageWithRecord``).
"""

from workshop_site.grading.kinds.answers import Diagnosis
from workshop_site.grading.kinds.base import (
    Check,
    Outcome,
    Stage,
    failure_label,
    register,
    registered_kinds,
)
from workshop_site.grading.kinds.learner_tests import TellsNaiveFromFixed
from workshop_site.grading.kinds.monitoring import CatchesBadDeploy, ReadsTraffic, Traffic
from workshop_site.grading.kinds.pages import WorstPage
from workshop_site.grading.kinds.partners import CassetteTest, FallsBackInTime, MockedCallTest
from workshop_site.grading.kinds.plans import IndexServes
from workshop_site.grading.kinds.queries import Budget, Scaling, Shape, Updates
from workshop_site.grading.kinds.records import PinsPageWithRecord
from workshop_site.grading.kinds.resources import MemoryFlat, MemoryRatio
from workshop_site.grading.kinds.results import Result
from workshop_site.grading.kinds.tasks import OffloadsToTask
from workshop_site.grading.kinds.traffic import FixesRoute

__all__ = [
    "Budget",
    "CassetteTest",
    "CatchesBadDeploy",
    "Check",
    "Diagnosis",
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
    "Scaling",
    "Shape",
    "Stage",
    "TellsNaiveFromFixed",
    "Traffic",
    "Updates",
    "WorstPage",
    "failure_label",
    "registered_kinds",
    "register",
]
