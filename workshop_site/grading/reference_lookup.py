"""The reference answer of an exercise, and the code ``lab.solution()`` shows for it, from
the modules ``make exercises`` generates out of the solutions notebooks
(``workshop_site/grading/references/refNN.py``; see ``workshop_site.grading.reference_source``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["PACKAGE", "MissingReference", "reference", "shown_source"]

#: The package of the generated modules.
PACKAGE = "workshop_site.grading.references"


class MissingReference(LookupError):
    """No solutions notebook checks this exercise."""


def _module(exercise_id: str) -> Any:
    lesson = exercise_id.split(".", 1)[0]
    try:
        return importlib.import_module(f"{PACKAGE}.ref{lesson}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{PACKAGE}.ref{lesson}":
            raise
        raise MissingReference(
            f"{exercise_id}: no references module for lesson {lesson}: does a "
            f"solutions/{lesson}_*_solutions.ipynb check it? Then run `make exercises`."
        ) from None


def reference(exercise_id: str) -> Callable[..., Any]:
    """The reference function of ``exercise_id`` (its solutions notebook's)."""
    found: Callable[..., Any] | None = getattr(_module(exercise_id), "REFERENCES", {}).get(
        exercise_id
    )
    if found is None:
        raise MissingReference(
            f'{exercise_id}: its solutions notebook has no `lab.check("{exercise_id}", ...)`: '
            "add the exercise there, then run `make exercises`"
        )
    return found


def shown_source(exercise_id: str) -> str:
    """The code ``lab.solution()`` shows: the notebook's definitions the reference uses."""
    module = _module(exercise_id)
    names = getattr(module, "SHOWN", {}).get(exercise_id, ())
    parts = []
    for name in names:
        value = getattr(module, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            parts.append(inspect.getsource(value).rstrip())
        else:
            parts.append(f"{name} = {value!r}")
    return "\n\n\n".join(parts)
