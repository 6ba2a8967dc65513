"""How long a learner waits for ``lab.check()``, and an instructor for a class's report.

Run: .venv/bin/python benchmarks/grading.py [--notebooks 20]

1. ``check()`` at the exercises' default sizes, in this process as in a kernel: the first
   check of a kernel (it copies the grading databases), then the median and worst of
   repeated checks of a right answer, an N+1, a lazy queryset and a raising answer.
   Target: under 3 s each; exits 1 when missed.
2. ``python -m workshop_site.grading report`` on a folder of 20 learners' notebooks (half
   of them solved, half with an N+1 answer), timed end to end as an instructor runs it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from workshop_site import lab

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 7
TARGET_SECONDS = 3.0


def _answers() -> dict[str, object]:
    from workshop_site.shop.models import Customer

    def waiting():
        return Customer.objects.filter(welcome_letter_sent=False)

    return {
        "right (select_related)": lambda: [
            c.mailing_label for c in waiting().select_related("address")
        ],
        "N+1 (diagnosed)": lambda: [c.mailing_label for c in waiting()],
        "lazy queryset": lambda: waiting(),
        "raises": lambda: [c.mailing_lable for c in waiting()],
    }


def bench_check() -> float:
    from workshop_site.grading import grade
    from workshop_site.grading.sandbox import prepare

    exercise = "01.1"
    prepare({100, 300}, progress=False)  # as lab.exercises("01") does when a notebook opens
    answers = _answers()
    began = time.perf_counter()
    grade(exercise, answers["right (select_related)"], progress=False)
    first = time.perf_counter() - began
    print(f"check() of {exercise}, sizes 100 and 300 customers")
    print(f"  first check in this process (copies the grading data): {first * 1000:7.1f} ms")
    worst = first
    for name, answer in answers.items():
        times = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            verdict = grade(exercise, answer, progress=False)
            times.append(time.perf_counter() - began)
        worst = max(worst, *times)
        print(
            f"  {name:<24} {verdict.mark}  median {statistics.median(times) * 1000:7.1f} ms, "
            f"worst {max(times) * 1000:7.1f} ms  ({REPEAT} runs)"
        )
    return worst


def _submissions(folder: Path, count: int) -> None:
    solved = ROOT / "solutions" / "01_instruments_solutions.ipynb"
    naive = nbformat.read(ROOT / "exercises" / "01_instruments_exercises.ipynb", as_version=4)
    from workshop_site.grading.notebooks import STUB

    for cell in naive.cells:
        cell.source = cell.source.replace(
            f'    {STUB}\n\n\nlab.check("01.1"',
            '    return welcome_letter_labels_naive()\n\n\nlab.check("01.1"',
        )
    for number in range(count):
        target = folder / f"learner{number:02d}.ipynb"
        if number % 2 == 0:
            target.write_bytes(solved.read_bytes())
        else:
            nbformat.write(naive, target)


def bench_report(count: int) -> float:
    with tempfile.TemporaryDirectory(prefix="submissions-") as tmp:
        folder = Path(tmp)
        _submissions(folder, count)
        command = [sys.executable, "-m", "workshop_site.grading", "report", str(folder)]
        began = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - began
    print()
    print(f"$ python -m workshop_site.grading report <{count} notebooks>")
    print(result.stdout.split("\n\n")[0])
    print(f"  wall time {seconds:.1f} s ({seconds / count:.2f} s per notebook)")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=20)
    args = parser.parse_args()
    lab.start(quiet=True)
    worst = bench_check()
    bench_report(args.notebooks)
    ok = worst < TARGET_SECONDS
    print(f"\ncheck() worst {worst:.2f} s: {'within' if ok else 'over'} {TARGET_SECONDS:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
