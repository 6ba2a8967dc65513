"""What an exercise notebook shows before the learner asks for a hint: its recording
cells (the naive function, recorded and diagnosed), run here in exercise mode.

From lesson 03 on an exercise notebook never prints the fix (issue 21): the inspector
names the relation and the line, ``lab.hint`` gives the fix. The exercise tests run the
recording cells of their solutions notebook — every code cell but the set-up, the
answers (``lab.check``) and the progress table — and assert on what they print.

Two more ways a notebook can give the fix away, checked for every exercises notebook from
03 on: its code imports the tool an answer uses (``answer_tools_shown``: a stub leaves the
imports above it), and its own run prints it (``shown_in_run``, read from the exercises
notebooks' run in test_grading_notebooks.py, with their partners and their state).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import io
import re
from pathlib import Path

import nbformat

from workshop_site import lab
from workshop_site.lab.inspector import mode
from workshop_site.notebook_runner import NotebookRun

__all__ = [
    "ANSWER_TOOLS",
    "FIX_WORDS",
    "answer_tools_shown",
    "fixes_shown",
    "shown_before_a_hint",
    "shown_in_run",
]

#: Words that give a fix away: a queryset method the learner is meant to find, the other
#: lessons' tools (loading less, streaming, indexes, work in the database, tasks, cassettes)
#: and, in lesson 07, where the learner writes the test, the test's.
FIX_WORDS = (
    "Fix",
    "try ",
    "select_related(",
    "prefetch_related(",
    "Prefetch(",
    "to_attr",
    "values_list(",
    ".only(",
    ".defer(",
    "iterator(",
    "Index(",
    "Subquery(",
    "OuterRef(",
    "Left(",
    "on_commit(",
    "use_cassette(",
    "assert_queries_flat",
    "forbid_lazy_loads",
    "assertNumQueries",
    "CaptureQueriesContext",
    "django_perf_rec.record(",
)
#: What an answer imports, by the name it binds: imported in a cell the learner sees
#: before writing, it names the tool. (A statement's own tools stay: the `models` of the
#: `models.Index` asked for, 08's `mock` and `vcr`, 07.3's `django_perf_rec`.)
ANSWER_TOOLS = frozenset(
    {
        "Prefetch",
        "Count",
        "Sum",
        "F",
        "Exists",
        "OuterRef",
        "Subquery",
        "Left",
        "transaction",
        "partial",
        "assert_queries_flat",
        "forbid_lazy_loads",
        "CaptureQueriesContext",
    }
)
#: A call's keyword that an answer adds (08's timeouts): in a cell shown before, the fix.
_ANSWER_KEYWORDS = frozenset({"timeout"})
#: Cells of a run that are no diagnosis: the code under study (the naive code; in 07, on
#: purpose, the naive and the fixed code the learner's test must tell apart), and the
#: set-up and the progress table, which list the lesson's activities by their titles.
_NOT_A_DIAGNOSIS = ("lab.show_source(", "lab.start(", "lab.exercises(", "lab.progress(")
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


def answer_tools_shown(notebook: nbformat.NotebookNode) -> list[str]:
    """The answers' tools that ``notebook``'s code cells import (or, for a keyword, pass),
    as "cell 5: assert_queries_flat"."""
    from workshop_site.grading.reference_source import cell_python

    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell_python(cell.source))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
                found += [f"cell {index}: {name}" for name in names if name in ANSWER_TOOLS]
            elif isinstance(node, ast.Call):
                found += [
                    f"cell {index}: {keyword.arg}="
                    for keyword in node.keywords
                    if keyword.arg in _ANSWER_KEYWORDS
                ]
    return found


def shown_in_run(run: NotebookRun) -> str:
    """What an executed notebook printed and displayed (its checks' first messages too), but
    the code it shows on purpose, its set-up and its progress table."""
    shown = copy.copy(run.notebook)
    cells = run.notebook.cells
    shown.cells = [c for c in cells if not any(call in c.source for call in _NOT_A_DIAGNOSIS)]
    return dataclasses.replace(run, notebook=shown).outputs_text()


def fixes_shown(text: str) -> list[str]:
    """The fix words in ``text``, leaving out the learner's own code it quotes."""
    text = _QUOTED.sub("", text)
    return [word for word in FIX_WORDS if word in text]
