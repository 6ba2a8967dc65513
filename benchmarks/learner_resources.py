"""What one learner costs a JupyterHub: every lesson and its solutions, run in order.

Run: .venv/bin/python benchmarks/learner_resources.py
Each notebook runs in a kernel of its own (as in JupyterLab, one per open notebook), one
after the other. Prints the kernels' peak memory (the largest resident set of any of
them) and their CPU time, from the operating system's accounting of finished children.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from workshop_site.course import lessons
from workshop_site.exercise_files import solutions_name
from workshop_site.notebook_runner import execute_notebook

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    paths = []
    for lesson in lessons():
        paths.append(lesson.path)
        solution = ROOT / "solutions" / solutions_name(lesson.path.name)
        if solution.exists():
            paths.append(solution)
    began = time.perf_counter()
    for path in paths:
        run = execute_notebook(path, timeout=300, cwd=path.parent)
        print(f"{path.parent.name}/{path.name:<34} {run.total_seconds:6.1f} s of cells")
    wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{len(paths)} notebooks in {wall:.0f} s wall")
    print(f"peak memory of one kernel: {peak_mb:.0f} MB")
    print(f"CPU time of all kernels: {cpu:.0f} s ({cpu / wall:.2f} CPUs on average while running)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
