"""Seeding speed: the seed's insert path against raw sqlite3.executemany, in one run.

Run: .venv/bin/python benchmarks/seed_insert.py
Prints rows/s for 10k and 100k rows of three columns, the ratio (target >= 0.4), and the
whole-seed time (generation + insert) for the default size (target < 2 s).
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
os.environ["WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from workshop_site.seed import Counts, _generate, insert_rows, seed  # noqa: E402
from workshop_site.shop.models import Address  # noqa: E402


def _rows(n: int) -> list[tuple]:
    rng = random.Random(1)
    return [
        (i, f"{i} rue de la Paix", rng.choice("ABCDEFG") * 8, "75001", "FR")
        for i in range(1, n + 1)
    ]


def seed_path(rows: list[tuple]) -> float:
    Address.objects.all().delete()
    began = time.perf_counter()
    with transaction.atomic():
        insert_rows(Address, ["id", "street", "city", "postcode", "country"], rows)
    return time.perf_counter() - began


def raw_sqlite(rows: list[tuple]) -> float:
    path = Path(tempfile.mkdtemp()) / "raw.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE a (id integer primary key, street text, city text,"
        " postcode text, country text)"
    )
    began = time.perf_counter()
    with db:
        db.executemany("INSERT INTO a VALUES (?, ?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"{'rows':>8} {'seed path rows/s':>17} {'raw sqlite3 rows/s':>19} {'ratio':>6}")
    worst = 1.0
    for n in (10_000, 100_000):
        rows = _rows(n)
        ours = min(seed_path(rows) for _ in range(3))
        raw = min(raw_sqlite(rows) for _ in range(3))
        ratio = raw / ours
        worst = min(worst, ratio)
        print(f"{n:>8,} {n / ours:>17,.0f} {n / raw:>19,.0f} {ratio:>6.2f}")
    connection.close()
    os.environ["WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "whole.sqlite3")
    connection.settings_dict["NAME"] = os.environ["WORKSHOP_DB"]
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    seed(size=1000, seed=42)
    whole = time.perf_counter() - began
    generation = time.perf_counter()
    _generate(Counts.for_size(1000), random.Random(42))
    generation = time.perf_counter() - generation
    print(
        f"whole seed at the default size (1,000 customers): {whole:.2f} s "
        f"(of which generating rows {generation:.2f} s); target < 2 s"
    )
    print(
        "insert ratio (seed path / raw sqlite3, worst of the two sizes): "
        f"{worst:.2f}; target >= 0.4"
    )
    return 0 if worst >= 0.4 and whole < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
