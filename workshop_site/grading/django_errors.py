"""Django's errors for the lessons' classic wrong fixes, explained in the lessons' words.

Django's message is exact but terse ("Invalid field name(s) given in select_related:
'toppings'. Choices are: (none)"); a learner who tried ``select_related`` on a
many-to-many deserves to hear why it cannot work and what does. ``explain`` returns that
sentence, or "" for any other error; ``problems.from_exception`` adds it to the message.
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldError, FieldFetchBlocked

__all__ = ["explain"]

_INVALID = re.compile(
    r"Invalid field name\(s\) given in select_related: (?P<names>.+?)\. Choices are: "
    r"(?P<choices>.*)$",
    re.S,
)
_NOT_A_RELATION = re.compile(
    r"Non-relational field given in select_related: '(?P<name>[^']+)'\. Choices are: "
    r"(?P<choices>.*)$",
    re.S,
)
_BLOCKED = re.compile(r"Fetching of (?P<field>[\w.]+) blocked\.")


def _choices(text: str) -> str:
    if text.strip() == "(none)":
        return "this model has no relation `select_related` can follow"
    names = ", ".join(f"`{name.strip()}`" for name in text.split(","))
    return f"here `select_related` can follow {names}"


def _names(quoted: str) -> list[str]:
    return re.findall(r"'([^']+)'", quoted)


def explain(exc: BaseException) -> str:
    """What ``exc`` means for a learner of these lessons and what to try, or ""."""
    text = str(exc)
    if isinstance(exc, FieldError):
        if match := _INVALID.match(text):
            names = _names(match["names"])
            listed = ", ".join(f'"{name}"' for name in names)
            shown = " and ".join(f"`{name}`" for name in names)
            return (
                "Good instinct, wrong tool: `select_related` can only follow a relation that "
                "points to one row per object (a `ForeignKey` or a `OneToOneField`), with a "
                f"JOIN. If {shown} is a many-to-many or a reverse foreign key (many rows per "
                "object), a JOIN would repeat each object once per related row: load it with "
                f"`prefetch_related({listed})` instead ({_choices(match['choices'])})."
            )
        if match := _NOT_A_RELATION.match(text):
            return (
                f"`{match['name']}` is a plain field, already in each row: `select_related` "
                f"takes relations only ({_choices(match['choices'])})."
            )
    if isinstance(exc, FieldFetchBlocked) and (match := _BLOCKED.match(text)):
        return (
            f"The queryset uses `FETCH_RAISE`, and the code read `{match['field']}`, which "
            "the query did not load: load it up front (`select_related`, `prefetch_related`) "
            "or drop it from `only()`/`defer()`."
        )
    return ""
