"""A class on JupyterHub, under load: N scripted learners working a lesson at a human pace.

Run (as root; Node.js for the hub's proxy):

    .venv/bin/python benchmarks/hub_load.py --learners 5 10 20 30

For each N: a fresh class (workshop_site/classhub: JupyterHub on 127.0.0.1, N local
accounts). Each learner arrives within ``--arrive`` seconds, logs in through the hub's
REST API, starts a server, pulls the course with nbgitpuller, then in a kernel opened on
the lesson's notebook (REST + websocket, as JupyterLab does) runs ``lab.start()`` and the
lesson's cells, one every ``--pace`` seconds give or take ``--jitter``, and in a second
kernel its exercises: each naive answer the notebook defines (which should fail) and each
solution (which should pass), through ``lab.check``. The cells and answers are read from
the repository when it runs (workshop_site/classhub/lesson_plan.py).

Prints per N: learners ready, cells run, cell latency (send to reply) p50/p95/max for the
lesson's cells and for the checks, checks passed when they should and failed when they
should, errors, peak memory (resident sets of each learner's processes, summed: per
learner, and for the whole class with the hub and its proxy), and CPU (the learners'
processes and the hub's, as CPU-seconds and as CPUs on average over the run; and the
machine's whole use). With ``--budget SECONDS`` the learners still working by then are
stopped and the row reports what was done (cells run, latencies, verdicts so far) and how
many learners finished: a class too big for the machine still gives figures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop_site.classhub import ClassHub, class_hub
from workshop_site.classhub.client import HubClient
from workshop_site.classhub.lesson_plan import SCRIPTED_LESSON, LessonPlan, lesson_plan
from workshop_site.classhub.scripted import CellRecord, Pace, arrive, work_lesson

MB = 1024 * 1024


@dataclass
class Usage:
    """Memory and CPU of the class, sampled once a second from /proc (psutil)."""

    peak_learner: dict[int, int] = field(default_factory=dict)  # uid → bytes
    peak_kernel: int = 0  # the largest resident set of one kernel
    peak_kernels: dict[int, int] = field(default_factory=dict)  # uid → a learner's kernels
    peak_total: int = 0
    cpu_learner: dict[int, float] = field(default_factory=dict)  # uid → CPU seconds
    cpu_hub: float = 0.0


def _cpu(process: psutil.Process) -> float:
    # A process's own time and that of the children it has reaped (a kernel shut down is
    # reaped by its Jupyter server): nothing lost between samples, nothing counted twice.
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


class Sampler(threading.Thread):
    def __init__(self, hub: ClassHub) -> None:
        super().__init__(daemon=True)
        self.uids = {learner.uid for learner in hub.learners}
        self.hub_pid = hub.pid
        self.usage = Usage()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()

    def sample(self) -> None:
        memory: dict[int, int] = dict.fromkeys(self.uids, 0)
        cpu: dict[int, float] = dict.fromkeys(self.uids, 0.0)
        kernels: dict[int, int] = dict.fromkeys(self.uids, 0)
        for process in psutil.process_iter(["uids", "cmdline"]):
            uid = process.info["uids"].real
            if uid not in self.uids:
                continue
            try:
                rss = process.memory_info().rss
                memory[uid] += rss
                cpu[uid] += _cpu(process)
            except psutil.Error:
                continue
            if "ipykernel_launcher" in " ".join(process.info["cmdline"] or ()):
                kernels[uid] += rss
                self.usage.peak_kernel = max(self.usage.peak_kernel, rss)
        hub_memory, hub_cpu = 0, 0.0
        try:
            hub = psutil.Process(self.hub_pid)
            for process in [hub, *hub.children(recursive=True)]:
                if process.uids().real == 0:  # the hub and its proxy, not the learners'
                    hub_memory += process.memory_info().rss
                    # Their own time only: the hub reaps the learners' servers it stops.
                    times = process.cpu_times()
                    hub_cpu += times.user + times.system
            self.usage.cpu_hub = max(self.usage.cpu_hub, hub_cpu)
        except psutil.Error:
            pass
        for uid in self.uids:
            self.usage.peak_learner[uid] = max(self.usage.peak_learner.get(uid, 0), memory[uid])
            self.usage.peak_kernels[uid] = max(self.usage.peak_kernels.get(uid, 0), kernels[uid])
            self.usage.cpu_learner[uid] = max(self.usage.cpu_learner.get(uid, 0.0), cpu[uid])
        self.usage.peak_total = max(self.usage.peak_total, sum(memory.values()) + hub_memory)


@dataclass
class Outcome:
    learner: str
    spawn_seconds: float | None = None
    records: list[CellRecord] = field(default_factory=list)
    failure: str = ""
    finished: bool = False  # the whole lesson and its exercises, within the budget


async def _learner(
    client: HubClient,
    hub: ClassHub,
    index: int,
    plan: LessonPlan,
    options: argparse.Namespace,
    outcome: Outcome,
) -> None:
    learner = hub.learners[index]
    rng = random.Random(options.seed * 1000 + index)
    await asyncio.sleep(rng.uniform(0, options.arrive))
    try:
        session, outcome.spawn_seconds = await arrive(client, learner, hub.course)
        await work_lesson(
            client,
            session,
            plan,
            folder=hub.course.folder,
            pace=Pace(options.pace, options.jitter),
            rng=rng,
            records=outcome.records,  # filled as it goes: kept if the budget runs out
        )
        outcome.finished = True
        await client.stop_server(session)
    except Exception as exc:  # one learner's failure is a figure, not the end of the run
        outcome.failure = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


async def _class(
    hub: ClassHub, plan: LessonPlan, options: argparse.Namespace, outcomes: list[Outcome]
) -> None:
    """Every learner at once; those still working after ``--budget`` seconds are stopped
    (the class's own clean-up stops their servers and kernels)."""
    client = HubClient(hub.url)
    tasks = [
        asyncio.create_task(_learner(client, hub, i, plan, options, outcomes[i]))
        for i in range(len(hub.learners))
    ]
    _, pending = await asyncio.wait(tasks, timeout=options.budget)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _latency(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{_percentile(values, 0.5):.2f} / {_percentile(values, 0.95):.2f} / {max(values):.2f} s"


def run_class(learners: int, plan: LessonPlan, options: argparse.Namespace) -> dict[str, str]:
    with class_hub(learners, prefix=options.prefix) as hub:
        sampler = Sampler(hub)
        machine_before = psutil.cpu_times()
        began = time.monotonic()
        sampler.start()
        outcomes = [Outcome(learner.name) for learner in hub.learners]
        asyncio.run(_class(hub, plan, options, outcomes))
        sampler.stopped.set()
        sampler.join()
        wall = time.monotonic() - began
        machine_after = psutil.cpu_times()
    busy = (machine_after.user + machine_after.system) - (
        machine_before.user + machine_before.system
    )
    records = [r for o in outcomes for r in o.records]
    ready = [o for o in outcomes if o.records]
    lesson = [r.seconds for r in records if r.phase == "lesson" and r.status == "ok"]
    checks = [r for r in records if r.expected]
    right = [(e, r.shown.get(e)) for r in checks for e, v in r.expected.items() if v == "pass"]
    wrong = [(e, r.shown.get(e)) for r in checks for e, v in r.expected.items() if v == "fail"]
    errors = [
        f"{r.learner} {r.phase} cell {r.index}: {r.status} {r.error}"
        for r in records
        if r.status != "ok"
    ]
    errors += [f"{o.learner}: {o.failure}" for o in outcomes if o.failure]
    usage = sampler.usage
    per_learner = list(usage.peak_learner.values())
    cpu_learners = sum(usage.cpu_learner.values())
    spawns = [o.spawn_seconds for o in outcomes if o.spawn_seconds is not None]
    expected_cells = len(plan.cells) + len(plan.exercise_steps)
    row = {
        "N": str(learners),
        "ready": f"{len(ready)}/{learners}",
        "server ready in (p50 / max)": f"{statistics.median(spawns):.1f} / {max(spawns):.1f} s"
        if spawns
        else "-",
        "cells run": f"{sum(r.status == 'ok' for r in records)}/{expected_cells * learners}",
        "lesson cell latency p50 / p95 / max": _latency(lesson),
        "check latency p50 / p95 / max": _latency([r.seconds for r in checks if r.status == "ok"]),
        "passed when they should": f"{sum(shown == 'pass' for _, shown in right)}/{len(right)}",
        "failed when they should": f"{sum(shown == 'fail' for _, shown in wrong)}/{len(wrong)}",
        "errors": str(len(errors)),
        "peak memory per learner (max / median)": (
            f"{max(per_learner) / MB:.0f} / {statistics.median(per_learner) / MB:.0f} MB"
            if per_learner
            else "-"
        ),
        "kernels: one at its peak / a learner's (max)": (
            f"{usage.peak_kernel / MB:.0f} / {max(usage.peak_kernels.values()) / MB:.0f} MB"
            if usage.peak_kernels
            else "-"
        ),
        "peak memory in total (with hub)": f"{usage.peak_total / MB:.0f} MB",
        "CPU: learners / hub": (
            f"{cpu_learners:.0f} / {usage.cpu_hub:.0f} CPU-s "
            f"({cpu_learners / wall:.2f} / {usage.cpu_hub / wall:.2f} CPUs)"
        ),
        "machine CPU busy": f"{busy / wall / psutil.cpu_count():.0%} of {psutil.cpu_count()} CPUs",
        "wall": f"{wall:.0f} s",
    }
    finished = sum(o.finished for o in outcomes)
    if options.budget is not None and finished < learners:
        row["wall"] += f" (budget: {finished}/{learners} learners finished)"
    for error in errors[:10]:
        print(f"  error: {error}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[3, 5], help="N, one class each")
    parser.add_argument(
        "--lesson", default=SCRIPTED_LESSON, help=f"the lesson to work (default {SCRIPTED_LESSON})"
    )
    parser.add_argument("--pace", type=float, default=5.0, help="seconds between cells (default 5)")
    parser.add_argument("--jitter", type=float, default=2.0, help="± seconds (default 2)")
    parser.add_argument("--arrive", type=float, default=30.0, help="arrivals spread over (s)")
    parser.add_argument("--prefix", default="loadlearner", help="account names' prefix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--budget",
        type=float,
        help="stop the learners still working after this many seconds and report what "
        "was done by then (default: no limit)",
    )
    options = parser.parse_args(argv)
    plan = lesson_plan(options.lesson)
    print(
        f"Lesson {plan.lesson}: {len(plan.cells)} cells in {plan.notebook}, then "
        f"{len(plan.exercise_steps)} in {plan.exercises_notebook} "
        f"({len(plan.checks)} checks: {sum(v == 'pass' for _, v in plan.checks)} right answers, "
        f"{sum(v == 'fail' for _, v in plan.checks)} naive ones); a cell every "
        f"{options.pace:g} ± {options.jitter:g} s; arrivals over {options.arrive:g} s; "
        f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB",
        flush=True,
    )
    rows = []
    for learners in options.learners:
        print(f"N = {learners}...", flush=True)
        rows.append(run_class(learners, plan, options))
        print("  " + "; ".join(f"{k}: {v}" for k, v in rows[-1].items()), flush=True)
    print()
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row[c] for c in columns) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
