"""Seeded SQLite databases, built once and cached as template files.

Migrating and seeding take about a second; copying a 7 MB file takes milliseconds. So a
database for ``(size, seed)`` is built once into ``<workspace>/templates/`` and copied
wherever a fresh one is needed: each kernel's own database (``boot``), the data sizes of
``compare()`` and the grader's databases. A template's name carries a hash of the
migrations, the seeding code and Django's version, so a change to any of them builds a
new one instead of reusing a stale one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.db import connections

from workshop_site.lab.workspace import workspace

__all__ = ["template", "copy_database", "pointed_at", "schema_key"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def schema_key() -> str:
    """A short hash of what decides a template's content."""
    digest = hashlib.sha256(django.__version__.encode())
    sources = sorted((_PACKAGE_DIR / "shop" / "migrations").glob("*.py"))
    sources.append(_PACKAGE_DIR / "seed.py")
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def pointed_at(path: Path, *, using: str = "default") -> Iterator[None]:
    """Point connection ``using`` at another SQLite file for the duration of the block."""
    connection = connections[using]
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _build(path: Path, *, size: int, seed: int, progress: bool) -> None:
    from django.core.management import call_command

    from workshop_site.seed import seed as seed_rows

    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    with pointed_at(building):
        call_command("migrate", verbosity=0, interactive=False)
        seed_rows(size=size, seed=seed, progress=progress)
    # Atomic: another kernel building the same template at the same time is harmless.
    os.replace(building, path)


def template(*, size: int, seed: int, progress: bool = True) -> Path:
    """The cached seeded database for ``(size, seed)``, built if missing."""
    folder = workspace() / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / f"shop-{schema_key()}-size{size}-seed{seed}.sqlite3"
    if not path.exists():
        _build(path, size=size, seed=seed, progress=progress)
    return path


def copy_database(source: Path, target: Path, *, using: str = "default") -> None:
    """Replace SQLite file ``target`` with a copy of ``source``.

    Connection ``using`` is closed first when it points at ``target``, so no open
    connection keeps reading the replaced file.
    """
    if connections[using].settings_dict["NAME"] == str(target):
        connections[using].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
