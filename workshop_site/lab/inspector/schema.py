"""The models behind the SQL: which model a table holds, which relation a join follows.

Built once from Django's app registry (``_meta``); everything the SQL reader finds by
name (``"shop_review"."product_id"``) is turned into models and fields here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import ManyToManyField

from workshop_site.lab.inspector.sql import Join, Select

__all__ = [
    "Hop",
    "Schema",
    "default_ordering",
    "field_for_column",
    "lookup_name",
    "schema",
    "verbose",
]

Model = type[models.Model]


@dataclass(frozen=True)
class Hop:
    """One step along a relation: from ``owner`` rows, ``accessor`` gives ``related`` rows."""

    owner: Model
    accessor: str
    related: Model
    many: bool  # reverse foreign key or many-to-many: a list per row


@dataclass(frozen=True)
class Schema:
    tables: dict[str, Model]  # db_table -> model
    m2m: dict[str, ManyToManyField[models.Model, models.Model]]  # through -> field

    def model(self, table: str | None) -> Model | None:
        return self.tables.get(table) if table else None

    def join_hop(self, select: Select, join: Join) -> tuple[str, Hop] | None:
        """The relation a JOIN of ``select`` follows, as (the alias it starts from, hop).

        ``INNER JOIN "shop_product" ON ("shop_listing"."product_id" = "shop_product"."id")``
        is ``Listing.product`` from the alias ``shop_listing``.
        """
        for near, far in ((join.left, join.right), (join.right, join.left)):
            if far.table != join.alias:
                continue
            near_model = self.model(select.table_of(near.table))
            far_model = self.model(join.table)
            if near_model is None or far_model is None:
                continue
            fk = field_for_column(near_model, near.name)
            if isinstance(fk, models.ForeignKey) and fk.related_model is far_model:
                return near.table, Hop(near_model, fk.name, far_model, many=False)
            back = field_for_column(far_model, far.name)
            if isinstance(back, models.ForeignKey) and back.related_model is near_model:
                accessor = back.remote_field.get_accessor_name()
                if accessor:
                    return near.table, Hop(near_model, accessor, far_model, many=not back.unique)
        return None

    def single_valued(self, select: Select) -> list[tuple[str, list[str]]]:
        """Each alias of ``select`` that its base rows reach through single-valued joins
        (``select_related``), with its path: ``[("shop_listing", []), ("shop_product",
        ["product"])]``."""
        found: list[tuple[str, list[str]]] = [(select.alias, [])]
        for join in select.joins:
            hops = self.path_to(select, join.alias)
            if hops and not any(hop.many for hop in hops):
                found.append((join.alias, [hop.accessor for hop in hops]))
        return found

    def path_to(self, select: Select, alias: str) -> tuple[Hop, ...] | None:
        """The relations from ``select``'s base table to ``alias``, following its joins
        (``select_related("listing__product")`` joins shop_listing then shop_product)."""
        hops: list[Hop] = []
        current = alias
        seen = 0
        while current != select.alias:
            join = next((j for j in select.joins if j.alias == current), None)
            if join is None or seen > len(select.joins):
                return None
            found = self.join_hop(select, join)
            if found is None:
                return None
            current, hop = found
            hops.insert(0, hop)
            seen += 1
        return tuple(hops)


@cache
def schema() -> Schema:
    tables: dict[str, Model] = {}
    m2m: dict[str, ManyToManyField[models.Model, models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        tables[model._meta.db_table] = model
        for field in model._meta.local_many_to_many:
            if isinstance(field, ManyToManyField):
                through = field.remote_field.through
                if isinstance(through, type):
                    m2m[through._meta.db_table] = field
    return Schema(tables, m2m)


def field_for_column(model: Model, column: str) -> models.Field[object, object] | None:
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field
    return None


def lookup_name(model: Model, column: str) -> str | None:
    """The name a queryset method takes for ``column``: ``rating``, or ``customer_id``."""
    field = field_for_column(model, column)
    if field is None:
        return None
    return field.attname if field.is_relation else field.name


def default_ordering(model: Model) -> list[str]:
    """The model's ``Meta.ordering`` as field names (``"pk"`` spelled out)."""
    pk = model._meta.pk.name
    names = []
    for name in model._meta.ordering or ():
        text = str(name)
        names.append(text.replace("pk", pk) if text.lstrip("-") == "pk" else text)
    return names


def verbose(model: Model) -> str:
    """``order_line`` for OrderLine: how the messages name one row of ``model``."""
    return str(model._meta.verbose_name).replace(" ", "_")
