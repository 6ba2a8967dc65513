"""``lab.hint(id)``: the next of an exercise's hints; ``lab.solution(id)``: its reference."""

from __future__ import annotations

import inspect

from workshop_site.grading.exercise import Exercise
from workshop_site.grading.output import Panel, show
from workshop_site.grading.progress import read_events, record
from workshop_site.grading.registry import UnknownExercise, get
from workshop_site.lab.boot import require_started

__all__ = ["hint", "solution", "next_hint"]


def next_hint(exercise_id: str, *, number: int | None = None) -> Panel:
    """Hint ``number`` (default: the one after the last shown) of an exercise, as a panel."""
    exercise = get(exercise_id)
    hints = exercise.hints
    if not hints:
        return Panel(f"💡 {exercise.id}: no hints for this one", "Read the task again.")
    if number is None:
        shown = [
            int(e.get("number", 0))
            for e in read_events()
            if e.get("event") == "hint" and e.get("exercise") == exercise.id
        ]
        number = min(max(shown, default=0) + 1, len(hints))
    number = max(1, min(number, len(hints)))
    record({"event": "hint", "exercise": exercise.id, "number": number})
    more = (
        f'Still stuck? `lab.hint("{exercise.id}")` again gives the next one.'
        if number < len(hints)
        else f'That was the last hint. `lab.solution("{exercise.id}")` shows the reference.'
    )
    return Panel(f"💡 {exercise.id} hint {number} of {len(hints)}", f"{hints[number - 1]}\n{more}")


def hint(exercise_id: str, *, number: int | None = None) -> None:
    """Show the next hint for an exercise (``number=`` picks one); each call goes one further."""
    require_started("lab.hint()")
    try:
        show(next_hint(exercise_id, number=number))
    except UnknownExercise as exc:
        show(Panel("💡 no such exercise", str(exc)))


def solution(exercise_id: str, *, confirm: bool = False) -> None:
    """Show the exercise's reference solution; ``confirm=True`` says you really want to.

    Asking through an argument, not ``input()``, works the same in JupyterLab, in VS Code
    and in a headless run (where there is no one to answer a prompt).
    """
    require_started("lab.solution()")
    try:
        exercise = get(exercise_id)
    except UnknownExercise as exc:
        show(Panel("📖 no such exercise", str(exc)))
        return
    if not confirm:
        show(
            Panel(
                f"📖 {exercise.id}: the solution gives the answer away",
                f'Try `lab.hint("{exercise.id}")` first. To see it anyway, run '
                f'`lab.solution("{exercise.id}", confirm=True)`.',
            )
        )
        return
    record({"event": "solution", "exercise": exercise.id})
    show(
        Panel(
            f"📖 {exercise.id} {exercise.title}: a reference solution",
            "Other answers pass too, when they return the same result within the budget.",
            _source(exercise),
        )
    )


def _source(exercise: Exercise) -> str:
    """The solutions notebook's code for the exercise: its reference and the functions,
    classes and constants of the notebook it uses (``SHOWN`` of its references module)."""
    from workshop_site.grading.reference_lookup import PACKAGE, shown_source

    if str(getattr(exercise.reference, "__module__", "")).startswith(f"{PACKAGE}."):
        return shown_source(exercise.id)
    return inspect.getsource(exercise.reference)
