"""How an exercise is declared: one plain dataclass per exercise (see docs/grading.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workshop_site.grading.kinds import Budget, Check, Result, Scaling

__all__ = ["Exercise", "Rows", "DEFAULT_SIZES", "FROM_SOLUTIONS"]

#: Two data sizes (customers; other tables follow in proportion), like the talk's N and
#: N+20: large enough that every table the lessons loop over has rows at both.
DEFAULT_SIZES = (100, 300)
#: "03.1", or "09a.1" for an episode of a lesson split in parts.
_ID = re.compile(r"^\d\d[a-z]?\.\d+$")


def FROM_SOLUTIONS(*args: Any, **kwargs: Any) -> Any:
    """The default reference: the solutions notebook's, filled in by the registry
    (``workshop_site.grading.references``). Called directly, it says so."""
    raise LookupError(
        "this exercise's reference is its solutions notebook's: get the exercise from the "
        "registry (workshop_site.grading.registry.get), which fills it in"
    )


@dataclass(frozen=True)
class Rows:
    """What grows with the data, named for messages: "25 queries for 24 waiting customers".

    ``count`` runs on each grading database (outside the learner's measured code).
    """

    label: str
    count: Callable[[], int]


@dataclass(frozen=True)
class Exercise:
    """One graded exercise. Only ``id`` and ``title`` are required: the reference is the
    function its solutions notebook checks (``lab.check("03.1", fn)``), one source for
    the grader and ``lab.solution()``. A test may pass a ``reference`` of its own."""

    id: str  # "03.1": the lesson's number, a dot, the exercise's number
    title: str
    # The model answer; the learner's must agree with it. Default: the solutions notebook's.
    reference: Callable[..., Any] = FROM_SOLUTIONS
    returns: type | tuple[type, ...] = object  # what the function must return
    expects: str = ""  # the same in words, for messages: "a list of (name, city) tuples"
    checks: tuple[Check, ...] = (Result(), Scaling())
    sizes: tuple[int, ...] = DEFAULT_SIZES
    rows: Rows | None = None
    # What the caller does with the returned value (e.g. a template reading relations);
    # it runs inside the measured block, so its queries count.
    use: Callable[[Any], Any] | None = None
    hints: tuple[str, ...] = ()
    read_only: bool = True  # any INSERT/UPDATE/DELETE fails the attempt
    # Changes to the grading data for this exercise, made inside each run's transaction
    # before the code runs (rolled back after): data where each part of the statement
    # matters (see tests/test_mutations.py).
    setup: Callable[[], None] | None = None
    time_limit: float = 3.0  # seconds per run at one size
    query_cap: int | None = None  # default: 20x the budget, at least 1,000

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"exercise id must look like '03.1', got {self.id!r}")
        if len(self.sizes) < 1 or list(self.sizes) != sorted(set(self.sizes)):
            raise ValueError(f"{self.id}: sizes must be increasing, got {self.sizes!r}")
        if any(s < 1 for s in self.sizes):
            raise ValueError(f"{self.id}: sizes must be positive, got {self.sizes!r}")

    @property
    def lesson(self) -> str:
        """``"03"`` for exercise ``"03.1"`` (``"09a"`` for ``"09a.1"``)."""
        return self.id.split(".", 1)[0]

    @property
    def budget(self) -> int | None:
        """The query budget declared by a :class:`Budget` check, if any."""
        return next((c.queries for c in self.checks if isinstance(c, Budget)), None)

    @property
    def cap(self) -> int:
        """Queries after which a run is stopped: only runaway loops get there."""
        if self.query_cap is not None:
            return self.query_cap
        return max(20 * (self.budget or 0), 1000)
