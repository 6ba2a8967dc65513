"""Linking loads into chains: from the queryset a loop started with to each relation read.

``listing.product.brand`` is two loads, ``Listing.product`` then ``Product.brand``; the
products the second one starts from were loaded by the first one's queries. A load's
:class:`Route` walks its origins back to the queryset the loop started with (the one
the fix goes on) and lists every step from there: joins that queryset already made,
prefetches it already ran, and the N+1 loads along the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop_site.lab.inspector.loads import Load, Origin
from workshop_site.lab.inspector.schema import Hop, Model, schema

__all__ = ["Route", "Step", "route"]

_MAX_DEPTH = 8


@dataclass(frozen=True)
class Step:
    hop: Hop
    how: str  # "joined" / "prefetched" (the queryset already does it), or a load's kind
    load: Load | None = None

    @property
    def many(self) -> bool:
        return self.hop.many or self.how in ("reverse", "many_to_many")


@dataclass(frozen=True)
class Route:
    """From the rows of ``model``'s queryset (run by ``origin``) to one load."""

    model: Model
    origin: Origin | None  # None: the rows were loaded before the recording began
    steps: tuple[Step, ...]

    @property
    def names(self) -> list[str]:
        return [step.hop.accessor for step in self.steps]

    @property
    def key(self) -> tuple[Model, int | None]:
        return (self.model, self.origin.index if self.origin is not None else None)


def route(load: Load) -> Route:
    own = Step(load.hop, load.kind, load)
    return _extend(load.origin, load.hop.owner, (own,), 0)


def _extend(origin: Origin | None, owner: Model, tail: tuple[Step, ...], depth: int) -> Route:
    if origin is None or depth > _MAX_DEPTH:
        return Route(owner, None, tail)
    if origin.via is not None:
        via = origin.via
        step = Step(via.hop, via.kind, via)
        return _extend(via.origin, via.hop.owner, (step, *tail), depth + 1)
    if origin.prefetch is not None:
        step = Step(origin.prefetch, "prefetched")
        return _extend(origin.before, origin.prefetch.owner, (step, *tail), depth + 1)
    model = schema().model(origin.select.table) or owner
    joined = tuple(Step(hop, "joined") for hop in origin.hops)
    return Route(model, origin, (*joined, *tail))
