"""The same verdicts on a loaded machine: every exercise's reference and its naive answer,
graded on a quiet machine, then with two CPU-bound processes beside the grader.

Run: .venv/bin/python benchmarks/grading_under_load.py [--only 02.1] [--rounds 3]

Each answer is graded ``--rounds`` times (default 3) in each condition, in this process
as in a kernel (one ``lab.start()``, the grading databases built once). The naive answers
are ``tests/naive_answers.py``'s. Prints, per exercise, how many times each answer
passed, quiet and loaded, and the slowest check; exits 1 unless every reference passed
every time and every naive answer failed every time.

A classroom hub runs about one CPU per eight learners: two busy loops on a 2-core machine
(a load of about 3 with the grader) are closer to that than an idle laptop.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOGS = 2


@contextmanager
def busy_neighbours(count: int) -> Iterator[list[int]]:
    """``count`` processes spinning on a CPU each, for the block."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(1.0)  # let them take their CPUs
        yield [hog.pid for hog in hogs]
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def grade_all(ids: list[str], rounds: int, naive: dict) -> tuple[dict, dict, list[str]]:
    """Pass counts per (exercise, answer), the slowest check per exercise, and the
    messages of unexpected verdicts."""
    from workshop_site.grading import grade
    from workshop_site.grading.registry import get

    passes: dict[tuple[str, str], int] = defaultdict(int)
    slowest: dict[str, float] = defaultdict(float)
    surprises: list[str] = []
    for exercise_id in ids:
        answers = {"reference": get(exercise_id).reference, "naive": naive[exercise_id]}
        for _ in range(rounds):
            for name, answer in answers.items():
                verdict = grade(exercise_id, answer, progress=False)
                passes[exercise_id, name] += verdict.passed
                slowest[exercise_id] = max(slowest[exercise_id], verdict.seconds)
                if verdict.passed != (name == "reference"):
                    surprises.append(f"{exercise_id} {name}: {verdict!r}")
        print(".", end="", flush=True)
    print()
    return passes, slowest, surprises


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one exercise id, e.g. 02.1")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from workshop_site import lab

    lab.start(quiet=True)
    sys.path.insert(0, str(ROOT / "tests"))
    from naive_answers import NAIVE

    from workshop_site.grading.registry import all_exercises
    from workshop_site.grading.sandbox import prepare

    exercises = all_exercises()
    ids = [args.only] if args.only else list(exercises)
    unknown = [i for i in ids if i not in exercises or i not in NAIVE]
    if unknown:
        print(f"no exercise (or no naive answer) {', '.join(unknown)}", file=sys.stderr)
        return 2
    prepare({size for i in ids for size in exercises[i].sizes}, progress=False)

    print(f"quiet: {len(ids)} exercise(s) × 2 answers × {args.rounds} round(s)")
    quiet = grade_all(ids, args.rounds, NAIVE)
    quiet_load = os.getloadavg()[0]
    with busy_neighbours(HOGS):
        print(f"loaded: {HOGS} CPU-bound processes beside the grader")
        loaded = grade_all(ids, args.rounds, NAIVE)
        load = os.getloadavg()[0]

    rounds = args.rounds
    print()
    print(
        f"{os.cpu_count()} CPUs; 1-minute load average at the end of the quiet pass: "
        f"{quiet_load:.1f}, of the loaded pass: {load:.1f} (other work on the machine counts)"
    )
    print(f"passes out of {rounds} per answer")
    print()
    print(
        "| exercise | reference quiet | reference loaded | naive quiet | naive loaded "
        "| slowest check |"
    )
    print("|---|---|---|---|---|---|")
    for exercise_id in ids:
        slowest = max(quiet[1][exercise_id], loaded[1][exercise_id])
        print(
            f"| {exercise_id} | {quiet[0][exercise_id, 'reference']}/{rounds} "
            f"| {loaded[0][exercise_id, 'reference']}/{rounds} "
            f"| {quiet[0][exercise_id, 'naive']}/{rounds} "
            f"| {loaded[0][exercise_id, 'naive']}/{rounds} | {slowest:.1f} s |"
        )
    surprises = quiet[2] + loaded[2]
    for surprise in surprises:
        print(f"\n{surprise}")
    ok = not surprises
    print(
        "\nreferences all passed, naive answers all failed"
        if ok
        else f"\n{len(surprises)} unexpected verdict(s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
