"""The columns a query selects, as ``table.column``: what ``only()``, ``defer()``,
``values()`` and ``values_list()`` change (lesson 06).

Read with the inspector's SQL reader (``workshop_site.lab.inspector.sql``), so a column
of a joined table is named by its table, not by the alias Django gave it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from workshop_site.lab.inspector.sql import parse

__all__ = ["columns_of", "selected_columns"]


def columns_of(sql: str) -> list[str]:
    """The plain columns in the SELECT list of ``sql``, e.g. ``shop_product.title``."""
    select = parse(sql)
    if select is None:
        raise ValueError(f"not a SELECT this reader understands: {sql[:80]!r}")
    return [f"{select.table_of(c.table) or c.table}.{c.name}" for c in select.columns]


def selected_columns(queryset: QuerySet[Any]) -> list[str]:
    """The columns ``queryset`` selects (its SQL, compiled without running it)."""
    sql, _ = queryset.query.get_compiler(using=queryset.db).as_sql()
    return columns_of(sql)
