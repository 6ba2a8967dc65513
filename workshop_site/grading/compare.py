"""Compare a learner's result with the reference's, by value, and name the first difference.

Values are first made *canonical*: hashable, and equal when they mean the same thing —
model instances by model and primary key, lists and tuples alike, dicts by their items,
floats rounded to 9 places (``Decimal("12.50")`` already equals ``Decimal("12.5")``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any, NamedTuple, TypeGuard

from django.db.models import Model

from workshop_site.words import plural

__all__ = ["canonical", "first_difference", "show"]

_WIDTH = 70
_EXAMPLES = 2


class _Instance(NamedTuple):
    model: str
    pk: Any

    def __repr__(self) -> str:
        return f"<{self.model} pk={self.pk!r}>"


class _Dict(tuple):
    """A dict's items, sorted: hashable, shown like the dict."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self) + "}"


class _List(tuple):
    """A list: equal to the tuple of the same items, shown as a list."""

    def __repr__(self) -> str:
        return "[" + ", ".join(map(repr, self)) + "]"


class _Set(frozenset):
    def __repr__(self) -> str:
        return "{" + ", ".join(sorted(map(repr, self))) + "}" if self else "set()"


def canonical(value: Any) -> Hashable:
    """A hashable stand-in for ``value`` that compares by meaning (see the module doc)."""
    if isinstance(value, _Instance | _Dict | _Set | _List):
        return value  # already canonical
    if isinstance(value, Model):
        return _Instance(type(value).__name__, value.pk)
    if isinstance(value, dict):
        items = [(canonical(k), canonical(v)) for k, v in value.items()]
        return _Dict(sorted(items, key=lambda kv: repr(kv[0])))
    if isinstance(value, set | frozenset):
        return _Set(canonical(v) for v in value)
    if isinstance(value, list):
        return _List(canonical(v) for v in value)
    if isinstance(value, tuple) and not isinstance(value, _Instance):
        return tuple(canonical(v) for v in value)
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, Hashable):
        return value
    return repr(value)


def show(value: Any, *, width: int = _WIDTH) -> str:
    """A short ``repr`` for messages."""
    text = repr(canonical(value)) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _examples(counter: Counter) -> str:
    shown = [show(item) for item in list(counter.elements())[:_EXAMPLES]]
    return ", ".join(shown)


def _is_sequence(value: Hashable) -> TypeGuard[tuple[Any, ...]]:
    # Model instances and dicts are canonical tuple subclasses too, but not sequences.
    return type(value) in (tuple, _List)


def _is_collection(value: Hashable) -> TypeGuard[tuple[Any, ...]]:
    return _is_sequence(value) or type(value) is _Set


def first_difference(expected: Any, got: Any, *, ordered: bool) -> str | None:
    """``None`` when ``got`` equals ``expected``; otherwise the first difference, in words."""
    exp, act = canonical(expected), canonical(got)
    if exp == act:
        return None
    if type(exp) is _Dict and type(act) is _Dict:
        return _dict_difference(dict(exp), dict(act))
    if _is_collection(exp) and _is_collection(act):
        if ordered and _is_sequence(exp) and _is_sequence(act):
            return _sequence_difference(exp, act)
        return _collection_difference(Counter(exp), Counter(act))
    return f"expected {show(expected)}, got {show(got)}"


def _sequence_difference(exp: tuple, act: tuple) -> str | None:
    if Counter(exp) == Counter(act):
        index = next(i for i, (e, a) in enumerate(zip(exp, act, strict=True)) if e != a)
        return (
            f"the right {plural(len(exp), 'item')} in another order: at position {index} "
            f"expected {show(exp[index])}, got {show(act[index])}"
        )
    for index, (e, a) in enumerate(zip(exp, act, strict=False)):
        if e != a:
            head = ""
            if len(exp) != len(act):
                head = f"expected {plural(len(exp), 'item')}, got {len(act):,}; "
            return f"{head}first difference at position {index}: expected {show(e)}, got {show(a)}"
    shorter = min(len(exp), len(act))
    if len(act) < len(exp):
        return (
            f"expected {plural(len(exp), 'item')}, got the first {len(act):,} of them; "
            f"missing from position {shorter}: {show(exp[shorter])}"
        )
    return (
        f"expected {plural(len(exp), 'item')}, got {len(act):,}: the expected ones, then "
        f"{plural(len(act) - len(exp), 'extra item')} from position {shorter}: "
        f"{show(act[shorter])}"
    )


def _collection_difference(exp: Counter, act: Counter) -> str | None:
    missing, extra = exp - act, act - exp
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"{plural(missing.total(), 'item')} missing (e.g. {_examples(missing)})")
    if extra:
        parts.append(f"{plural(extra.total(), 'unexpected item')} (e.g. {_examples(extra)})")
    return f"expected {plural(exp.total(), 'item')}, got {act.total():,}: " + "; ".join(parts)


def _dict_difference(exp: dict, act: dict) -> str:
    missing = [k for k in exp if k not in act]
    extra = [k for k in act if k not in exp]
    if missing or extra:
        parts = []
        if missing:
            keys = ", ".join(show(k) for k in missing[:_EXAMPLES])
            parts.append(f"{plural(len(missing), 'key')} missing (e.g. {keys})")
        if extra:
            keys = ", ".join(show(k) for k in extra[:_EXAMPLES])
            parts.append(f"{plural(len(extra), 'unexpected key')} (e.g. {keys})")
        return f"expected {plural(len(exp), 'key')}, got {len(act):,}: " + "; ".join(parts)
    key = next(k for k in exp if exp[k] != act[k])
    return f"for key {show(key)}: expected {show(exp[key])}, got {show(act[key])}"
