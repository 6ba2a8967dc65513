"""Does the progress file lose a learner's attempts when kernels die while checking?

Run: .venv/bin/python benchmarks/progress_durability.py [--workers 4] [--checks 50]

Four processes (kernels, each with its own shop) run ``lab.check`` 50 times each on one
progress file, as four open notebooks of a learner do. Meanwhile this script SIGKILLs a
random one every so often (it is restarted and carries on with its remaining checks) and
once appends a cut-short line, as a kernel killed in the middle of a write leaves.

Every check carries an attempt id. A check counts as *expected* once its ``record()``
returned True (the worker then notes the id in a ledger of its own): the promise is that
an attempt reported as saved is in the file. At the end it prints

    lines expected / found / lost: 200 / 203 / 0

``found`` counts the attempts the file holds (a worker killed after ``record()`` returned
but before it noted the id adds one that was not expected); ``lost`` are expected attempts
the file does not hold, and must be 0 (exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXERCISE = "00.1"


def _worker(name: str, checks: int, ledger: Path) -> int:
    """One kernel: lab.start(), then checks until ``checks`` are noted in ``ledger``."""
    from workshop_site import lab
    from workshop_site.grading import api

    lab.start(size=20, quiet=True)
    from workshop_site.shop.models import Customer

    done = len(ledger.read_text().splitlines()) if ledger.exists() else 0
    record = api.record
    attempt = {"id": ""}

    def recorded(event: dict) -> bool:
        saved = record({**event, "attempt": attempt["id"]})
        if saved:  # reported as saved: from here on, it must be in the file
            fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, f"{attempt['id']}\n".encode())
            finally:
                os.close(fd)
        return saved

    api.record = recorded  # the check calls it through this name
    started = time.time_ns()
    for number in range(done, checks):
        attempt["id"] = f"{name}-{number}-{started}"

        def waiting() -> int:
            return Customer.objects.filter(welcome_letter_sent=False).count()

        lab.check(EXERCISE, waiting)
    return 0


def _spawn(name: str, checks: int, ledger: Path, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, __file__, "--worker", name, "--checks", str(checks)]
    command += ["--ledger", str(ledger)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def _cut_line(progress: Path) -> None:
    """What a kernel killed in the middle of a write leaves: half a line. It held the lock
    while writing, as every writer does; so does this."""
    import fcntl

    with progress.open("ab") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(b'{"time": "2026-01-01T00:00:00+00:00", "event": "check", "exer')
        file.flush()
        fcntl.flock(file, fcntl.LOCK_UN)


def _noted(ledger: Path) -> int:
    return len(ledger.read_text().splitlines()) if ledger.exists() else 0


def run(*, workers: int, checks: int, kills: int, seed: int) -> int:
    from workshop_site.grading.progress import read_progress

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="progress-durability-"))
    progress = folder / "progress.jsonl"
    env = {**os.environ, "WORKSHOP_HOME": str(folder / "home"), "WORKSHOP_PROGRESS": str(progress)}
    env.pop("DATABASE_URL", None)
    # Build the shop and the grading data once, so the workers only check.
    warm_up = f"from workshop_site import lab; lab.start(size=20); lab.exercises('{EXERCISE[:2]}')"
    quiet_env = {**env, "WORKSHOP_PROGRESS": str(folder / "warm-up.jsonl")}
    subprocess.run([sys.executable, "-c", warm_up], env=quiet_env, check=True, capture_output=True)
    ledgers = {f"w{i}": folder / f"ledger-w{i}.txt" for i in range(workers)}
    running = {name: _spawn(name, checks, ledger, env) for name, ledger in ledgers.items()}
    began = time.perf_counter()
    killed = cut = 0
    cut_at = rng.randint(checks // 4, checks // 2) * workers // 2
    while running:
        time.sleep(rng.uniform(0.3, 1.5))
        for name, process in list(running.items()):
            if process.poll() is not None:
                if process.returncode != 0 and _noted(ledgers[name]) < checks:
                    running[name] = _spawn(name, checks, ledgers[name], env)
                else:
                    del running[name]
        if not cut and sum(_noted(ledger) for ledger in ledgers.values()) >= cut_at:
            _cut_line(progress)
            cut = 1
        if killed < kills and running:
            victim = rng.choice(sorted(running))
            running[victim].send_signal(signal.SIGKILL)
            killed += 1
    seconds = time.perf_counter() - began
    expected = {line for ledger in ledgers.values() for line in ledger.read_text().splitlines()}
    found_read = read_progress(progress)
    found = {
        e["attempt"] for e in found_read.events if e.get("event") == "check" and "attempt" in e
    }
    lost = expected - found
    print(
        f"{workers} processes x {checks} checks of {EXERCISE}, {killed} SIGKILLs, {cut} cut line, "
        f"{seconds:.1f} s; {found_read.damaged} damaged line(s) skipped on reading"
    )
    print(f"lines expected / found / lost: {len(expected)} / {len(found)} / {len(lost)}")
    if lost:
        print("lost:", ", ".join(sorted(lost)[:10]), f"(files kept in {folder})")
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 1 if len(expected) < workers * checks else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--checks", type=int, default=50)
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs sent in all")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args.worker, args.checks, args.ledger)
    return run(workers=args.workers, checks=args.checks, kills=args.kills, seed=args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
