"""``diagnose(log)``: the N+1s in a query log, each with its relation, line and fix.

The steps, one module each: ``loads`` groups the queries and reads what each group
loads (asking Django's fetch modes, or the SQL), ``routes`` links chains back to the
queryset the loop started with, ``plans`` builds one fix per queryset (``fixes``: the
fix as data), and ``wording`` says it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from workshop_site.lab.capture import QueryLog, Source
from workshop_site.lab.inspector.fixes import Fix, Read
from workshop_site.lab.inspector.loads import Load, loads
from workshop_site.lab.inspector.mode import in_exercise_mode
from workshop_site.lab.inspector.plans import plan
from workshop_site.lab.inspector.routes import Route, route
from workshop_site.lab.inspector.wording import message

__all__ = ["Finding", "KINDS", "diagnose"]

#: forward: a foreign key (or reverse one-to-one) read row by row; reverse: a reverse
#: foreign key's manager; many_to_many; deferred: a field only()/defer() left out;
#: prefetch_filtered: .filter()/.order_by() on a relation already prefetched; lookup: a
#: related row looked up by hand (Model.objects.get(pk=row.fk_id)).
KINDS = ("forward", "reverse", "many_to_many", "deferred", "prefetch_filtered", "lookup")


@dataclass(frozen=True)
class Finding:
    """One N+1: the relation, how many queries, the line, and the fix to apply."""

    relation: str  # "Customer.address", "Product.images", "Product.description"
    kind: str  # one of KINDS
    count: int  # similar queries in the group
    source: Source | None  # the line that ran them
    message: str  # plain text: the line, the relation, the fix (not in exercise mode)
    html: str  # the same message, code marked up
    fix: Fix | None  # for the queryset the rows come from; None in exercise mode/hint only
    #: Django 6.1's other way, when every load from that queryset goes through fetch modes:
    #: ``.fetch_mode(FETCH_PEERS)`` (one query per relation for all the rows, unnamed).
    alternative: Fix | None = None
    read: Read | None = None  # what to read instead, when the fix changes the loop's read
    hint: str = ""  # advice that could not be written as a tested fix
    model: str = ""  # the model of the queryset the fix goes on
    path: str = ""  # the relation's path from that queryset: "product__brand"
    queryset: Source | None = None  # where that queryset ran (None: before recording)

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        return self.html


def diagnose(
    log: QueryLog | Any, *, threshold: int = 3, exercise: bool | None = None
) -> list[Finding]:
    """The N+1 patterns in ``log``: groups of ``threshold`` or more queries from one line
    that each load one row's relation. Most queries first.

    ``exercise`` (default: the kernel's mode, see ``mode.py``) leaves the fix out.
    """
    if threshold < 2:
        raise ValueError(f"threshold must be at least 2 similar queries, got {threshold!r}")
    exercise = in_exercise_mode() if exercise is None else exercise
    found = loads(list(log), threshold=threshold)
    if not found:
        return []
    routed = [(load, route(load)) for load in found]
    by_queryset: dict[tuple[Any, ...], list[tuple[Load, Route]]] = defaultdict(list)
    for load, its_route in routed:
        by_queryset[its_route.key].append((load, its_route))
    findings: list[tuple[Load, Finding]] = []
    for group in by_queryset.values():
        findings += _findings(group, exercise=exercise)
    findings.sort(key=lambda pair: (-pair[0].group.count, pair[0].group.first))
    return [finding for _, finding in findings]


def _findings(routed: list[tuple[Load, Route]], *, exercise: bool) -> list[tuple[Load, Finding]]:
    made = plan(routed)
    fix = made.fix
    peers = all(
        load.kind in ("forward", "deferred") and not any(step.many for step in its_route.steps)
        for load, its_route in routed
    )
    found = []
    for load, its_route in routed:
        hint = made.hints.get(id(load), "")
        read = made.reads.get(id(load))
        shown = None if exercise or not fix else fix
        other = Fix(fix.model, fetch_peers=True) if peers and shown is not None else None
        words = message(
            load,
            its_route,
            fix=shown,
            read=read,
            hint="" if exercise else hint,
            peers=other is not None,
            exercise=exercise,
        )
        origin = its_route.origin
        found.append(
            (
                load,
                Finding(
                    relation=load.relation,
                    kind=_kind(load),
                    count=load.group.count,
                    source=load.group.source,
                    message=words.plain(),
                    html=words.html(),
                    fix=shown,
                    alternative=other,
                    read=None if exercise else read,
                    hint="" if exercise else hint,
                    model=its_route.model.__name__,
                    path="__".join(its_route.names),
                    queryset=origin.query.source if origin is not None else None,
                ),
            )
        )
    return found


def _kind(load: Load) -> str:
    if load.kind in ("reverse", "many_to_many") and load.prefetched:
        if load.filters or load.ordering:
            return "prefetch_filtered"
    return load.kind
