"""The sentences a finding shows: plain text for ``print``, HTML for the notebook view.

A message is built once as a list of pieces, each plain words or code; ``plain()`` joins
them as they are (no markdown backticks in a printed line) and ``html()`` wraps the code
in ``<code>``. In exercise mode the message names the relation, the line and where the
rows came from, and leaves the fix to the learner (and to ``lab.hint``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from workshop_site.lab.capture import Source
from workshop_site.lab.inspector.fixes import Fix, Read
from workshop_site.lab.inspector.loads import Load
from workshop_site.lab.inspector.routes import Route
from workshop_site.lab.inspector.schema import verbose

__all__ = ["Message", "expression", "message", "where"]


@dataclass
class Message:
    pieces: list[tuple[str, bool]] = field(default_factory=list)  # (text, is code)

    def text(self, words: str) -> Message:
        self.pieces.append((words, False))
        return self

    def code(self, words: str) -> Message:
        self.pieces.append((words, True))
        return self

    def plain(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def html(self) -> str:
        return "".join(
            f"<code>{html.escape(text)}</code>" if is_code else html.escape(text)
            for text, is_code in self.pieces
        )


def where(source: Source | None, message: Message) -> Message:
    """``cell line 3`` or ``shop/models.py:50 (in mailing_label)``."""
    if source is None:
        return message.text("an unknown line")
    message.code(source.short)
    if not (source.in_notebook or source.function.startswith("<")):  # <module>, <lambda>
        message.text(" (in ").code(source.function).text(")")
    return message


def expression(load: Load, route: Route) -> str:
    """What the loop reads, as code: ``listing.product.brand``, ``product.images.count()``."""
    if load.kind == "deferred":
        return f"{verbose(load.hop.owner)}.{load.hop.accessor}"
    if load.kind == "lookup":
        owner = verbose(load.hop.owner)
        return f"{load.hop.related.__name__} by {owner}.{load.hop.accessor}_id"
    steps = route.steps
    parts = [verbose(steps[0].hop.owner)]
    for number, step in enumerate(steps, start=1):
        parts.append(step.hop.accessor)
        # After a list-valued step the code loops over its rows: start again from one.
        if step.many and number < len(steps):
            parts = [verbose(step.hop.related)]
    text = ".".join(parts)
    first = re.search(r"\.(first|last|latest|earliest)\(", load.group.code)
    suffix = {
        "count": ".count()",
        "exists": ".exists()",
        "aggregate": ".aggregate(...)",
        "first": f".{first[1] if first else 'first'}()",
        "get": ".get(...)",
    }
    if load.filters:
        text += ".filter(...)"
    if load.ordering and not (load.shape == "first" and _by_pk_only(load)):
        text += ".order_by(...)"
    if load.shape in suffix:
        return text + suffix[load.shape]
    if load.shape == "slice":
        return text + "[...]"
    if load.kind in ("reverse", "many_to_many") and not (load.filters or load.ordering):
        return text + ".all()"
    return text


def _by_pk_only(load: Load) -> bool:
    """``.first()``/``.last()`` on an unordered queryset order by the primary key."""
    pk = load.hop.related._meta.pk
    ordering = load.ordering or ()
    return len(ordering) == 1 and pk is not None and ordering[0].column.name == pk.column


def message(
    load: Load,
    route: Route,
    *,
    fix: Fix | None,
    read: Read | None,
    hint: str,
    peers: bool,
    exercise: bool,
) -> Message:
    """The finding's message; ``fix`` None and ``exercise`` True leave the fix out."""
    owner = verbose(load.hop.owner)
    said = Message().text(f"{load.group.count} similar queries, one per {owner}: ")
    where(load.group.source, said)
    expr = expression(load, route)
    if load.kind == "deferred":
        said.text(" reads ").code(expr).text(", which the queryset deferred.")
    elif load.kind == "lookup":
        said.text(" looks up each ").code(load.hop.related.__name__)
        said.text(" by ").code(f"{owner}.{_attname(load)}")
        said.text(" instead of following ").code(f"{owner}.{load.hop.accessor}").text(".")
    elif load.manual and read is not None and read.was:
        said.text(" runs ").code(read.was).text(f" for each {owner}.")
    elif load.prefetched and (load.filters or load.ordering):
        method = "a .filter()" if load.filters else "an .order_by()"
        said.text(" calls ").code(expr).text(f"; {method} on a related manager ignores ")
        said.text("the earlier ").code(f'prefetch_related("{load.hop.accessor}")').text(".")
    else:
        said.text(" reads ").code(expr).text(".")
    rows = _rows(route)
    if exercise:
        if route.origin is not None and route.origin.query.source is not None:
            said.text(f" The {rows} come from the queryset at ")
            where(route.origin.query.source, said).text(".")
        return said
    if fix:
        said.text(" Fix: add ").code("." + fix.code).text(f" to the queryset of {rows} ")
        _location(route, load, said)
        if fix.only is not None:
            said.text(", in place of its only()/defer()")
        elif fix.load_deferred:
            said.text(", or drop its only()/defer()")
        if read is not None:
            said.text(", then read ").code(read.now)
            if read.was and not load.manual:
                said.text(" instead of ").code(read.was)
        said.text(".")
        if peers:
            said.text(" Or ").code(".fetch_mode(FETCH_PEERS)").text(
                " on that queryset: the first read then loads it for all the rows at once."
            )
    if hint:
        said.text(" Hint: ").text(hint).text(".")
    return said


def _rows(route: Route) -> str:
    return str(route.model._meta.verbose_name_plural)


def _location(route: Route, load: Load, said: Message) -> None:
    origin = route.origin
    if origin is None:
        said.text("(loaded before the recording began)")
        return
    source = origin.query.source
    if source is None:
        said.text("(its line is unknown)")
    elif load.group.source is not None and (source.filename, source.lineno) == (
        load.group.source.filename,
        load.group.source.lineno,
    ):
        said.text("(same line)")
    else:
        said.text("(")
        where(source, said)
        said.text(")")


def _attname(load: Load) -> str:
    for found in load.hop.owner._meta.concrete_fields:
        if found.name == load.hop.accessor:
            return found.attname
    return f"{load.hop.accessor}_id"
