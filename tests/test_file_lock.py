"""Templates are built once when processes start together (the lock), and the lock is
released when the block ends."""

import multiprocessing
import time
from pathlib import Path

from workshop_site.lab.file_lock import locked_file


def _hold(path: str, seconds: float, log: str) -> None:
    with locked_file(Path(path)):
        with open(log, "a") as out:
            out.write(f"in {time.monotonic()}\n")
        time.sleep(seconds)
        with open(log, "a") as out:
            out.write(f"out {time.monotonic()}\n")


def test_two_processes_hold_the_lock_one_after_the_other(tmp_path):
    lock, log = tmp_path / "x.lock", tmp_path / "log"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hold, args=(str(lock), 0.3, str(log))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert events == ["in", "out", "in", "out"]


def test_the_lock_is_released_after_the_block(tmp_path):
    lock = tmp_path / "x.lock"
    with locked_file(lock):
        pass
    with locked_file(lock):  # would wait forever if the first were still held
        pass
