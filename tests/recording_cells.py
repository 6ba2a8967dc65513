"""What an exercise notebook shows before the learner asks for a hint: its recording
cells (the naive function, recorded and diagnosed), run here in exercise mode.

From lesson 03 on an exercise notebook never prints the fix (issue 21): the inspector
names the relation and the line, ``lab.hint`` gives the fix. The exercise tests run the
recording cells of their solutions notebook — every code cell but the set-up, the
answers (``lab.check``) and the progress table — and assert on what they print.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import nbformat

from workshop_site import lab
from workshop_site.lab.inspector import mode

__all__ = ["FIX_WORDS", "fixes_shown", "shown_before_a_hint"]

#: Words that give a fix away: a queryset method the learner is meant to find.
FIX_WORDS = ("Fix", "try ", "select_related(", "prefetch_related(", "Prefetch(", "to_attr")
#: The learner's own code, quoted by the trap's diagnosis: no fix in it.
_QUOTED = re.compile(r'the earlier prefetch_related\("\w+"\)')

_SKIPPED = ("lab.start(", "lab.check(", "lab.progress(", "lab.exercises(")


def shown_before_a_hint(solutions: Path) -> str:
    """The text the recording cells of ``solutions`` print and display, in exercise mode."""
    notebook = nbformat.read(solutions, as_version=4)
    setup = [c.source for c in notebook.cells if c.cell_type == "code" and "lab.start(" in c.source]
    if not setup or "lab.exercises(" not in setup[0]:
        raise AssertionError(f"{solutions.name}: the set-up cell must turn exercise mode on")
    namespace: dict[str, object] = {"lab": lab}
    out = io.StringIO()
    with mode(exercise=True), contextlib.redirect_stdout(out):
        for cell in notebook.cells:
            if cell.cell_type != "code" or any(call in cell.source for call in _SKIPPED):
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(solutions), "exec"), namespace)
            if last is not None:
                shown = eval(compile(ast.Expression(last.value), str(solutions), "eval"), namespace)
                html = getattr(shown, "_repr_html_", None)
                print(html() if html else repr(shown))
    return out.getvalue()


def fixes_shown(text: str) -> list[str]:
    """The fix words in ``text``, leaving out the learner's own code it quotes."""
    text = _QUOTED.sub("", text)
    return [word for word in FIX_WORDS if word in text]
