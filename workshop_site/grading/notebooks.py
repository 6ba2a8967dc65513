"""From a solutions notebook to its exercises notebook: pure functions, no files.

In ``solutions/NN_topic_solutions.ipynb`` the answer is marked inside a function::

    def waiting_customers_count():
        \"\"\"How many customers wait for their welcome letter?\"\"\"
        # BEGIN SOLUTION
        return Customer.objects.filter(welcome_letter_sent=False).count()
        # END SOLUTION

and the exercises notebook gets the same function with the marked lines replaced by a
stub at the same indent, which the grader reports as "not written yet"::

    def waiting_customers_count():
        \"\"\"How many customers wait for their welcome letter?\"\"\"
        raise NotImplementedError("write your answer here")

A cell tagged ``solution`` (prose or code that gives the answer away) is dropped.
"""

from __future__ import annotations

import copy
import re
from pathlib import PurePosixPath

import nbformat

from workshop_site.grading.problems import STUB_MESSAGE

__all__ = [
    "BEGIN",
    "END",
    "SOLUTION_TAG",
    "STUB",
    "strip_solutions",
    "exercise_notebook",
    "checked_ids",
    "MarkerError",
]

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
SOLUTION_TAG = "solution"
STUB = f'raise NotImplementedError("{STUB_MESSAGE}")'
_CHECK = re.compile(r"""\blab\.check\(\s*["'](\d\d[a-z]?\.\d+)["']""")


class MarkerError(ValueError):
    """BEGIN/END SOLUTION markers that do not pair up."""


def strip_solutions(source: str) -> str:
    """``source`` with every marked region replaced by the stub, at the marker's indent."""
    lines = source.splitlines()
    out: list[str] = []
    indent: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if indent is not None:
                raise MarkerError(f"line {number}: {BEGIN} inside another one")
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + STUB)
        elif stripped == END:
            if indent is None:
                raise MarkerError(f"line {number}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise MarkerError(f"{BEGIN} without {END}")
    return "\n".join(out)


def _is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def exercise_notebook(
    solution: nbformat.NotebookNode, *, source: PurePosixPath | str
) -> nbformat.NotebookNode:
    """The exercises notebook for ``solution`` (read from ``source``, named in metadata)."""
    notebook = copy.deepcopy(solution)
    cells = []
    for cell in notebook.cells:
        if _is_solution_cell(cell):
            continue
        if cell.cell_type == "code":
            try:
                cell.source = strip_solutions(cell.source)
            except MarkerError as exc:
                raise MarkerError(f"{source}, cell {cell.get('id', '?')}: {exc}") from None
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        cells.append(cell)
    notebook.cells = cells
    workshop = dict(notebook.metadata.get("workshop", {}))
    workshop["generated_from"] = str(source)
    notebook.metadata["workshop"] = workshop
    return notebook


def checked_ids(notebook: nbformat.NotebookNode) -> list[str]:
    """The exercise ids a notebook checks (``lab.check("03.1", ...)``), in order."""
    found: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for exercise_id in _CHECK.findall(cell.source):
                if exercise_id not in found:
                    found.append(exercise_id)
    return found
