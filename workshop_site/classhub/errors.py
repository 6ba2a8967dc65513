"""The one error the class hub raises: what went wrong and what to do, in a sentence."""

from __future__ import annotations

__all__ = ["ClassHubError"]


class ClassHubError(RuntimeError):
    """The class cannot start (or stop) as asked; the message says why and what to do."""
