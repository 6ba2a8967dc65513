"""Is the returned value what the exercise asks for? Then evaluate whatever is still lazy.

A function that returns a lazy queryset or a generator has not done its work yet: the
queries would run later, outside the function, where a page pays for them and the grader
cannot count them. So unless the exercise asks for a queryset, that gets its own message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Manager, QuerySet

from workshop_site.grading.compare import show
from workshop_site.grading.problems import Problem

__all__ = ["accept", "materialize", "describe_type"]

_ARTICLES = {"int": "an int", "object": "anything"}


def describe_type(returns: type | tuple[type, ...]) -> str:
    """``list`` → "a list", ``(list, tuple)`` → "a list or a tuple"."""
    types = returns if isinstance(returns, tuple) else (returns,)
    return " or ".join(_ARTICLES.get(t.__name__, f"a {t.__name__}") for t in types)


def _wants_list(returns: type | tuple[type, ...]) -> bool:
    types = returns if isinstance(returns, tuple) else (returns,)
    return any(issubclass(list, t) for t in types)


def _wanted(returns: type | tuple[type, ...], expects: str) -> str:
    return expects or describe_type(returns)


def accept(
    raw: Any,
    *,
    returns: type | tuple[type, ...],
    expects: str = "",
    use: Callable[[Any], Any] | None = None,
) -> Any | Problem:
    """The value to compare (``use`` applied, lazy parts evaluated), or the problem."""
    wanted = _wanted(returns, expects)
    if not isinstance(raw, returns):
        return _wrong_type(raw, wanted, lists=_wants_list(returns))
    value = use(raw) if use is not None else raw
    return materialize(value)


def _wrong_type(raw: Any, wanted: str, *, lists: bool) -> Problem:
    if raw is None:
        return Problem(
            "type", f"your function returned None — is a `return` missing? Expected {wanted}."
        )
    if isinstance(raw, QuerySet | Manager):
        return Problem(
            "type",
            f"your function returned a {type(raw).__name__}, which is lazy: no query has "
            "run yet, so the work would happen later, outside your function, where the "
            f"page pays for it and the grader cannot count it. Expected {wanted}"
            + (": return `list(...)` of it." if lists else "."),
        )
    if isinstance(raw, Iterator):
        return Problem(
            "type",
            f"your function returned a {type(raw).__name__}, which has not run yet: its "
            "work (and its queries) would happen later, outside your function. Expected "
            f"{wanted}: build a list (`[... for ...]`, not `(... for ...)`).",
        )
    return Problem(
        "type", f"your function returned a {type(raw).__name__} ({show(raw)}); expected {wanted}"
    )


def materialize(value: Any, *, depth: int = 2) -> Any:
    """Evaluate querysets and iterators, also one level inside lists, tuples and dicts."""
    if isinstance(value, Manager):
        value = value.all()
    if isinstance(value, QuerySet | Iterator):
        value = list(value)
    if depth == 0:
        return value
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(materialize(item, depth=depth - 1) for item in value)
    if isinstance(value, dict):
        return {key: materialize(item, depth=depth - 1) for key, item in value.items()}
    return value
