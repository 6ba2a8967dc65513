"""A scripted learner on the hub: arrive (log in, start a server, pull the course), then work
a lesson at a human pace — its cells in one kernel, its exercises in another, as two tabs.

Used by the hub test (one short lesson, no pauses) and ``benchmarks/hub_load.py`` (N
learners at once, a cell every few seconds).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from workshop_site.classhub.accounts import Learner
from workshop_site.classhub.client import HubClient, LearnerSession
from workshop_site.classhub.course import Course
from workshop_site.classhub.kernel import RemoteKernel
from workshop_site.classhub.lesson_plan import LessonPlan, Step, verdicts

__all__ = ["CellRecord", "Pace", "arrive", "work_lesson"]


@dataclass(frozen=True)
class Pace:
    """Seconds between two cells: ``seconds`` give or take ``jitter`` (uniform)."""

    seconds: float = 0.0
    jitter: float = 0.0

    def pause(self, rng: random.Random) -> float:
        return max(0.0, self.seconds + rng.uniform(-self.jitter, self.jitter))


@dataclass
class CellRecord:
    """One cell as a learner ran it."""

    learner: str
    phase: str  # "lesson" | "exercises"
    index: int
    status: str  # ok | error | timeout
    seconds: float
    error: str = ""
    expected: dict[str, str] = field(default_factory=dict)  # a check's: id → pass/fail
    shown: dict[str, str] = field(default_factory=dict)  # the verdicts the cell showed


async def arrive(
    client: HubClient, learner: Learner, course: Course
) -> tuple[LearnerSession, float]:
    """Log in through the hub's API, start the server, pull the course with nbgitpuller;
    the session and the seconds the server took to be ready."""
    session = await client.login(learner.name, learner.password)
    seconds = await client.start_server(session)
    await client.pull_course(session, course)
    return session, seconds


async def _run(
    kernel: RemoteKernel,
    learner: str,
    steps: list[Step],
    phase: str,
    pace: Pace,
    rng: random.Random,
    records: list[CellRecord],
) -> None:
    for index, step in enumerate(steps):
        if index:
            await asyncio.sleep(pace.pause(rng))
        run = await kernel.execute(step.code)
        records.append(
            CellRecord(
                learner,
                phase,
                index,
                run.status,
                run.seconds,
                run.error,
                dict(step.expect),
                verdicts(run.text()) if step.is_check else {},
            )
        )
        if run.status == "timeout":
            break  # the kernel is still busy: the rest would queue behind it


async def work_lesson(
    client: HubClient,
    session: LearnerSession,
    plan: LessonPlan,
    *,
    folder: str,
    pace: Pace = Pace(),
    rng: random.Random | None = None,
    lesson_cells: int | None = None,
    records: list[CellRecord] | None = None,
) -> list[CellRecord]:
    """The lesson's cells (the first ``lesson_cells`` of them, or all), then its exercises,
    each in a kernel of its own opened on the pulled notebook; the lesson's kernel stays
    up while the exercises run (two tabs), and both are shut down at the end.

    Each cell's record is appended to ``records`` (a new list if not given) as soon as it
    has run, so a caller that cancels the learner still has what was done."""
    rng = rng or random.Random(0)
    records = [] if records is None else records
    cells = [Step(code) for code in plan.cells[:lesson_cells]]
    lesson = await client.open_notebook(session, f"{folder}/{plan.notebook}")
    try:
        await _run(lesson, session.name, cells, "lesson", pace, rng, records)
        await asyncio.sleep(pace.pause(rng))
        # The lesson's tab stays open, and so does its kernel, as in JupyterLab.
        exercises = await client.open_notebook(session, f"{folder}/{plan.exercises_notebook}")
        try:
            steps = list(plan.exercise_steps)
            await _run(exercises, session.name, steps, "exercises", pace, rng, records)
        finally:
            await client.close_notebook(session, exercises)
    finally:
        await client.close_notebook(session, lesson)
    return records
