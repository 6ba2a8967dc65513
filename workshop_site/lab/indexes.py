"""Indexes added and removed in a notebook cell, on this kernel's own database.

Each index is created with the SQL the schema editor writes for a migration's
``AddIndex`` (:func:`create_index`), never in the shop's migrations: a notebook cell, not
a deploy. :func:`index_on` keeps one for a block; :func:`table_indexes` lists what a table
has; :func:`index_sql` and :func:`migration_code` show what the database and
``makemigrations`` would write; :func:`plans_with` reads several queries' plans with an
index in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models import QuerySet

from workshop_site.lab.query_plans import analyze, plan

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "create_index",
    "drop_index",
    "index_on",
    "index_sql",
    "migration_code",
    "plans_with",
    "table_indexes",
]


def create_index(model: type[models.Model], index: models.Index) -> str:
    """Run the ``CREATE INDEX`` a migration's ``AddIndex`` runs; the index's name.

    The statement comes from the schema editor, run through a cursor: that also works
    inside a transaction, where SQLite's schema editor refuses to start (it must switch
    off foreign key checks first). An index without a name gets Django's generated one.
    """
    index = index.clone()
    if not index.name:
        index.set_name_with_model(model)
    with _checks_done(), connection.cursor() as cursor:
        cursor.execute(str(index.create_sql(model, _editor())))
    analyze(model)
    return index.name


def drop_index(model: type[models.Model], index: models.Index) -> None:
    """Run the ``DROP INDEX`` a migration's ``RemoveIndex`` runs."""
    with _checks_done(), connection.cursor() as cursor:
        cursor.execute(str(index.remove_sql(model, _editor())))


@contextmanager
def _checks_done() -> Iterator[None]:
    """PostgreSQL refuses to change a table's indexes while rows written earlier in the
    same transaction still wait for their (deferred) foreign key checks: run them now."""
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        if deferred:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _editor() -> Any:
    """A schema editor used only to write SQL: never entered, so it runs nothing itself
    (``deferred_sql`` is what entering it would have set up)."""
    editor = connection.schema_editor(atomic=False)
    editor.deferred_sql = []
    return editor


@contextmanager
def index_on(model: type[models.Model], index: models.Index) -> Iterator[models.Index]:
    """Create ``index`` on ``model``'s table for the block, then drop it (even on error)."""
    create_index(model, index)
    try:
        yield index
    finally:
        drop_index(model, index)


def table_indexes(model: type[models.Model]) -> dict[str, list[str]]:
    """The indexes on ``model``'s table now, read from the database's schema: name →
    columns. The primary key and unique constraints are included: the database keeps an
    index behind each (SQLite names an unnamed one ``__unnamed_constraint_N__``); so are
    PostgreSQL's ``..._like`` twins of indexed text columns."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: list(info["columns"])
        for name, info in sorted(constraints.items())
        if info["index"] or info["primary_key"] or info["unique"]
    }


def plans_with(
    model: type[models.Model],
    index: models.Index,
    querysets: dict[str, Callable[[], QuerySet[Any]]],
) -> pd.DataFrame:
    """With ``index`` created, each query's plan in words: which ones can it serve?"""
    import pandas as pd  # here: the grader imports this module (see capstone.before_after)

    with index_on(model, index):
        return pd.DataFrame(
            [{"query": label, "plan": plan(build()).words()} for label, build in querysets.items()]
        )


def index_sql(model: type[models.Model], index: models.Index) -> str:
    """The ``CREATE INDEX`` statement ``index`` runs on this database (nothing is run)."""
    return str(index.create_sql(model, _editor()))


def migration_code(model: type[models.Model], index: models.Index) -> str:
    """The operation ``makemigrations`` writes for ``index`` added to ``model``'s Meta."""
    from django.db.migrations import AddIndex
    from django.db.migrations.writer import OperationWriter

    code, _imports = OperationWriter(
        AddIndex(model_name=str(model._meta.model_name), index=index), indentation=0
    ).serialize()
    return code
