"""Seeded databases, built once and cached as templates, copied wherever one is needed.

Migrating and seeding take about a second; copying a 7 MB file takes milliseconds. So a
database for ``(size, seed)`` is built once into ``<workspace>/templates/`` and copied
wherever a fresh one is needed: each kernel's own database (``boot``), the data sizes of
``compare()`` and the grader's databases. A template's name carries a hash of the
migrations, the seeding code and Django's version, so a change to any of them builds a
new one instead of reusing a stale one.

Databases are named by SQLite file paths. On PostgreSQL (``DATABASE_URL``) the same
calls work: a path stands for the database named after its file name
(:func:`postgres_name`), a copy is ``CREATE DATABASE ... TEMPLATE ...`` (PostgreSQL's own
fast file-level copy), so callers never need to know which backend they run on.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.db import connections

from workshop_site.lab.workspace import workspace

__all__ = [
    "template",
    "copy_database",
    "drop_database",
    "database_exists",
    "pointed_at",
    "postgres_name",
    "schema_key",
]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def schema_key() -> str:
    """A short hash of what decides a template's content: every installed app's
    migrations (a newly installed app adds tables), the seeding code, Django's version."""
    from django.apps import apps

    digest = hashlib.sha256(django.__version__.encode())
    sources = []
    for app in apps.get_app_configs():
        sources.extend(sorted((Path(app.path) / "migrations").glob("*.py")))
    sources.append(_PACKAGE_DIR / "seed.py")
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def postgres_name(path: Path | str) -> str:
    """The PostgreSQL database that a database path stands for (at most 63 characters)."""
    stem = Path(path).name.replace(".sqlite3", "")  # "x.sqlite3.123.building" -> "x.123.building"
    name = "ws_" + re.sub(r"[^a-z0-9_]", "_", stem.lower())
    if len(name) > 63:
        name = name[:50] + "_" + hashlib.sha256(name.encode()).hexdigest()[:12]
    return name


def _name_for(path: Path | str, using: str) -> str:
    return postgres_name(path) if _is_postgres(using) else str(path)


@contextmanager
def _server_cursor(using: str) -> Iterator:
    # Django's own way to run CREATE/DROP DATABASE: a cursor on the server's maintenance
    # database, never on the database being created or dropped.
    with connections[using]._nodb_cursor() as cursor:
        yield cursor


def database_exists(path: Path | str, *, using: str = "default") -> bool:
    if not _is_postgres(using):
        return Path(path).exists()
    with _server_cursor(using) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [postgres_name(path)])
        return cursor.fetchone() is not None


def drop_database(path: Path | str, *, using: str = "default") -> None:
    """Remove the database (file, or PostgreSQL database) if it exists."""
    if not _is_postgres(using):
        for candidate in (Path(path), *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))):
            candidate.unlink(missing_ok=True)
        return
    qn = connections[using].ops.quote_name
    with _server_cursor(using) as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {qn(postgres_name(path))} WITH (FORCE)")


@contextmanager
def pointed_at(path: Path | str, *, using: str = "default") -> Iterator[None]:
    """Point connection ``using`` at another database for the duration of the block."""
    connection = connections[using]
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = _name_for(path, using)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _build(path: Path, *, size: int, seed: int, progress: bool, using: str) -> None:
    from django.core.management import call_command

    from workshop_site.seed import seed as seed_rows

    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    drop_database(building, using=using)
    if _is_postgres(using):
        qn = connections[using].ops.quote_name
        with _server_cursor(using) as cursor:
            cursor.execute(f"CREATE DATABASE {qn(postgres_name(building))}")
    with pointed_at(building, using=using):
        call_command("migrate", verbosity=0, interactive=False, database=using)
        seed_rows(size=size, seed=seed, progress=progress, using=using)
    # Atomic: another kernel building the same template at the same time is harmless.
    if _is_postgres(using):
        qn = connections[using].ops.quote_name
        with _server_cursor(using) as cursor:
            if database_exists(path, using=using):
                cursor.execute(f"DROP DATABASE {qn(postgres_name(building))} WITH (FORCE)")
            else:
                cursor.execute(
                    f"ALTER DATABASE {qn(postgres_name(building))} "
                    f"RENAME TO {qn(postgres_name(path))}"
                )
    else:
        os.replace(building, path)


def template(*, size: int, seed: int, progress: bool = True, using: str = "default") -> Path:
    """The cached seeded database for ``(size, seed)``, built if missing."""
    folder = workspace() / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / f"shop-{schema_key()}-size{size}-seed{seed}.sqlite3"
    if not database_exists(path, using=using):
        _build(path, size=size, seed=seed, progress=progress, using=using)
    return path


def copy_database(source: Path | str, target: Path | str, *, using: str = "default") -> None:
    """Replace database ``target`` with a copy of ``source``.

    Connection ``using`` is closed first when it points at ``target``, so no open
    connection keeps reading the replaced database.
    """
    connection = connections[using]
    if connection.settings_dict["NAME"] == _name_for(target, using):
        connection.close()
    if _is_postgres(using):
        qn = connection.ops.quote_name
        drop_database(target, using=using)
        with _server_cursor(using) as cursor:
            cursor.execute(
                f"CREATE DATABASE {qn(postgres_name(target))} TEMPLATE {qn(postgres_name(source))}"
            )
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
