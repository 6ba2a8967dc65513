"""Classes the learner's code cannot change: the verdict, the check kinds.

A frozen dataclass refuses new values on its instances, but its class stays open:
``Verdict.passed = property(lambda self: True)`` would show ✅ for a failed check while
the progress file records the failure. A class made with :class:`Sealed` (or
:class:`SealedABC`) refuses attribute changes once :func:`seal` has run on it — after
``@dataclass`` has added its methods.
"""

from __future__ import annotations

from abc import ABCMeta
from typing import Any

__all__ = ["Sealed", "SealedABC", "seal"]

_SEALED = "__sealed__"


class Sealed(type):
    """A metaclass whose classes refuse attribute changes once sealed."""

    def __setattr__(cls, name: str, value: Any) -> None:
        if vars(cls).get(_SEALED):
            raise AttributeError(f"{cls.__qualname__} is the grader's: it cannot be changed")
        super().__setattr__(name, value)

    def __delattr__(cls, name: str) -> None:
        if vars(cls).get(_SEALED):
            raise AttributeError(f"{cls.__qualname__} is the grader's: it cannot be changed")
        super().__delattr__(name)


class SealedABC(Sealed, ABCMeta):
    """:class:`Sealed` for abstract base classes."""


def seal[C: type](cls: C) -> C:
    """Seal ``cls`` (a class made with :class:`Sealed`): from now on it cannot change."""
    if not isinstance(cls, Sealed):
        raise TypeError(f"{cls.__qualname__} was not made with the Sealed metaclass")
    type.__setattr__(cls, _SEALED, True)
    return cls
