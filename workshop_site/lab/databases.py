"""Seeded databases, built once and cached as templates, copied wherever one is needed.

Migrating and seeding take about a second; copying a 7 MB file takes milliseconds. So a
database for ``(size, seed)`` is built once into ``<workspace>/templates/`` and copied
wherever a fresh one is needed: each kernel's own database (``boot``), the data sizes of
``compare()`` and the grader's databases. A template's name carries a hash of the
migrations, the seeding code and Django's version, so a change to any of them builds a
new one instead of reusing a stale one.

A build or a copy writes under a name of its own (``building-<owner>-...``,
``partial-<owner>-...``, see ``leftovers``) and renames when complete: another kernel
never sees half a database, a failed one is removed at once, and one killed midway is
removed by the next ``lab.start()``. A full disk or a read-only workspace is reported in
one line (``WorkspaceError``) naming the folder and the fix.

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
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import django
from django.db import DatabaseError, OperationalError, connections

from workshop_site.lab.file_lock import locked_file
from workshop_site.lab.leftovers import owned_pid, owner_tag, process_gone
from workshop_site.lab.workspace import workspace, workspace_error

__all__ = [
    "template",
    "copy_database",
    "drop_database",
    "database_exists",
    "DatabaseUnreachable",
    "pointed_at",
    "postgres_name",
    "prune_databases",
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


class DatabaseUnreachable(OperationalError):
    """The PostgreSQL server in ``DATABASE_URL`` cannot be reached: one paragraph saying
    what was tried and what to check, instead of the driver's traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def _unreachable(using: str, exc: Exception) -> DatabaseUnreachable:
    settings = connections[using].settings_dict
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    who = settings.get("USER") or "(no user: your login name)"
    said = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
    return DatabaseUnreachable(
        f"Could not connect to the PostgreSQL server that DATABASE_URL names ({where}, "
        f"user {who}): {said}. Check that the server runs "
        "and listens on that host and port, that the user name and password in DATABASE_URL "
        'are right (`psql "$DATABASE_URL"` tries them), and that this user may create '
        "databases (each kernel gets one of its own). Or unset DATABASE_URL to use SQLite, "
        "or run `scripts/with-postgres COMMAND` for a throwaway server."
    )


@contextmanager
def _server_cursor(using: str) -> Iterator:
    # Django's own way to run CREATE/DROP DATABASE: a cursor on the server's maintenance
    # database, never on the database being created or dropped.
    with ExitStack() as stack:
        # When the server cannot be reached, Django first warns that it falls back from
        # the "postgres" database to another (a paragraph of its own): one message is enough.
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            try:
                cursor = stack.enter_context(connections[using]._nodb_cursor())
            except OperationalError as exc:  # the first contact with the server
                raise _unreachable(using, exc) from None
        for warning in said:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
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
    building = path.with_name(f"building-{owner_tag()}-{path.name}")
    try:
        _migrate_and_seed(building, size=size, seed=seed, progress=progress, using=using)
    except BaseException as exc:  # a full disk, Ctrl-C...: leave nothing half built
        connections[using].close()
        try:
            drop_database(building, using=using)
        except Exception as cleanup:
            exc.add_note(f"and {building} could not be removed: {cleanup}")
        problem = None if _is_postgres(using) else workspace_error(exc, path.parent)
        if problem is not None:
            raise problem from None
        raise
    _publish(building, path, using=using)


def _migrate_and_seed(building: Path, *, size: int, seed: int, progress: bool, using: str) -> None:
    from django.core.management import call_command

    from workshop_site.seed import seed as seed_rows

    drop_database(building, using=using)
    if _is_postgres(using):
        qn = connections[using].ops.quote_name
        with _server_cursor(using) as cursor:
            cursor.execute(f"CREATE DATABASE {qn(postgres_name(building))}")
    with pointed_at(building, using=using):
        call_command("migrate", verbosity=0, interactive=False, database=using)
        seed_rows(size=size, seed=seed, progress=progress, using=using)


def _publish(building: Path, path: Path, *, using: str) -> None:
    # Atomic: another kernel building the same template at the same time is harmless.
    if _is_postgres(using):
        qn = connections[using].ops.quote_name
        with _server_cursor(using) as cursor:
            try:
                cursor.execute(
                    f"ALTER DATABASE {qn(postgres_name(building))} "
                    f"RENAME TO {qn(postgres_name(path))}"
                )
            except DatabaseError:
                if not database_exists(path, using=using):
                    raise
                # Another kernel published the same template first: keep theirs.
                cursor.execute(f"DROP DATABASE {qn(postgres_name(building))} WITH (FORCE)")
    else:
        os.replace(building, path)


def template(*, size: int, seed: int, progress: bool = True, using: str = "default") -> Path:
    """The cached seeded database for ``(size, seed)``, built if missing."""
    folder = workspace() / "templates"
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise workspace_error(exc, folder) or exc from None
    path = folder / f"shop-{schema_key()}-size{size}-seed{seed}.sqlite3"
    if not database_exists(path, using=using):
        # One build per template: processes that start together (test workers, a class's
        # kernels sharing a workspace) wait for it instead of each replacing the file
        # under copies already taken from it. (Unlocked on Windows: a second build there
        # only repeats the work.)
        with locked_file(folder / f"{path.name}.lock"):
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
    partial = target.with_name(f"partial-{owner_tag()}-{target.name}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise workspace_error(exc, target.parent) or exc from None
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def prune_databases(*, using: str = "default") -> list[str]:
    """On PostgreSQL, drop the databases this user's dead processes on this host left
    (a killed kernel's, a killed build's, ``compare()``'s); return their names."""
    if not _is_postgres(using):
        return []
    with _server_cursor(using) as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'ws\\_%%'")
        names = [row[0] for row in cursor.fetchall()]
    dropped = []
    qn = connections[using].ops.quote_name
    for name in names:
        pid = owned_pid(name.removeprefix("ws_"), separator="_")
        # A database has no "last written" time to compare with: only a process that is
        # gone counts (one whose id was reused keeps its database until it is gone too).
        if pid is None or pid == os.getpid() or not process_gone(pid, last_written=float("inf")):
            continue
        with _server_cursor(using) as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {qn(name)} WITH (FORCE)")
        dropped.append(name)
    return dropped
