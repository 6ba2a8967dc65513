"""``lab.compare_databases(...)``: the same comparison on SQLite and on PostgreSQL.

A kernel's Django talks to one database, so each database gets a process of its own:
this module runs ``compare()`` in one subprocess per database (``DATABASE_URL`` set for
PostgreSQL, unset for SQLite) and merges their tables, with a ``database`` column and
variant names such as ``"naive (PostgreSQL 15.18)"`` so ``lab.plot`` draws them apart.

Variants cross the process boundary as a dotted path (``"package.module:function"``) or,
for a function defined in a notebook cell, as its source code, run in a namespace that
already holds the shop's models and Django's ORM names.

Without ``DATABASE_URL`` pointing at PostgreSQL, a throwaway server is started for the
call (``workshop_site.pgserver``; a couple of seconds), and stopped afterwards.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from typing import Any

import pandas as pd

from workshop_site.lab.boot import require_started

__all__ = ["compare_databases"]

DATABASES = ("sqlite", "postgres")


def _spec(name: str, variant: Callable[..., Any] | str) -> dict[str, str]:
    """How the other process finds the function: an import path, its source, or both."""
    if isinstance(variant, str):
        return {"path": variant}
    if getattr(variant, "__name__", "") == "<lambda>":
        raise TypeError(
            f"variant {name!r} is a lambda: compare_databases() needs a named function "
            "(def ...), so that the other database's process can run it"
        )
    spec = {}
    module = getattr(variant, "__module__", "")
    if module and module != "__main__" and "<" not in variant.__qualname__:
        spec["path"] = f"{module}:{variant.__qualname__}"
    try:
        spec["source"] = textwrap.dedent(inspect.getsource(variant))
        spec["name"] = variant.__name__
    except (OSError, TypeError) as exc:
        if not spec:
            raise TypeError(
                f"variant {name!r}: compare_databases() needs a function defined with def "
                f"in a module or a notebook cell, whose source it can read: {exc}"
            ) from exc
    return spec


def _run(database: str, url: str | None, payload: dict[str, Any]) -> pd.DataFrame:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if url:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, "-m", "workshop_site.lab.across_databases"],
        input=json.dumps(payload),
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-8:])
        raise RuntimeError(f"compare on {database} failed:\n{tail}")
    return pd.DataFrame(json.loads(result.stdout.strip().splitlines()[-1]))


def compare_databases(
    variants: Mapping[str, Callable[..., Any] | str],
    *,
    sizes: Sequence[int] = (10, 100, 1000),
    databases: Sequence[str] = DATABASES,
    **options: Any,
) -> pd.DataFrame:
    """Run ``compare(variants, sizes=...)`` once per database; one table for all.

    ``databases`` is any of ``"sqlite"`` and ``"postgres"``; other keyword arguments
    (``repeat``, ``budget``, ``memory``, ``seed``) go to ``compare()``.
    """
    require_started("lab.compare_databases()")
    unknown = [d for d in databases if d not in DATABASES]
    if unknown:
        raise ValueError(f"databases must be among {DATABASES}, got {unknown}")
    payload = {
        "variants": {name: _spec(name, v) for name, v in variants.items()},
        "sizes": list(sizes),
        "options": {**options, "progress": False},
    }
    from tqdm.auto import tqdm

    frames = []
    with ExitStack() as stack:
        # One process per database; a fresh PostgreSQL server also migrates and seeds.
        bar = stack.enter_context(tqdm(databases, desc="compare_databases", unit="database"))
        for database in bar:
            bar.set_postfix_str(database)
            url = None
            if database == "postgres":
                url = os.environ.get("DATABASE_URL", "")
                if not url.startswith("postgres"):
                    from workshop_site.pgserver import throwaway_postgres

                    url = stack.enter_context(throwaway_postgres())
            frames.append(_run(database, url, payload))
    return pd.concat(frames, ignore_index=True)


# -- the subprocess ------------------------------------------------------------------


def _load(spec: dict[str, str]) -> Callable[..., Any]:
    if "path" in spec:
        import importlib

        module, _, qualname = spec["path"].partition(":")
        try:
            target: Any = importlib.import_module(module)
            for part in qualname.split("."):
                target = getattr(target, part)
            return target
        except (ImportError, AttributeError):
            if "source" not in spec:
                raise
    namespace: dict[str, Any] = {}
    exec("from django.db.models import *", namespace)
    exec("from workshop_site.shop.models import *", namespace)
    exec(spec["source"], namespace)
    return namespace[spec["name"]]


def _worker() -> None:
    payload = json.loads(sys.stdin.read())
    from workshop_site.lab.boot import configure_django

    configure_django()
    from django.db import connection

    from workshop_site.lab.measure import compare

    variants = {name: _load(spec) for name, spec in payload["variants"].items()}
    frame = compare(variants, sizes=payload["sizes"], **payload["options"])
    if connection.vendor == "postgresql":
        # The server, not a database: this process never created a database of its own.
        with connection._nodb_cursor() as cursor:
            cursor.execute("SHOW server_version")
            label = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        label = f"SQLite {connection.Database.sqlite_version}"  # type: ignore[attr-defined]
    frame.insert(0, "database", label)
    frame["variant"] = frame["variant"] + f" ({label})"
    print(frame.to_json(orient="records"))


if __name__ == "__main__":
    _worker()
