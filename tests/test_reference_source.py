"""One source for each reference answer: the solutions notebook's cell, copied by
``make exercises`` into ``workshop_site/grading/references/refNN.py``, which the grader
runs and ``lab.solution()`` shows."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from course_files import committed_text

from workshop_site.grading.exercise import FROM_SOLUTIONS, Exercise
from workshop_site.grading.generate import planned_references, stale_references
from workshop_site.grading.reference_lookup import MissingReference, reference, shown_source
from workshop_site.grading.reference_source import ReferenceError_, module_name, reference_module
from workshop_site.grading.registry import all_exercises

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "workshop_site.grading.references"


def _notebook(*cells: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return notebook


def _module(*cells: str) -> dict:
    text = reference_module(_notebook(*cells), source="solutions/03_x_solutions.ipynb")
    assert text is not None
    namespace: dict = {}
    exec(compile(text, "ref03.py", "exec"), namespace)
    return namespace | {"__text__": text}


def test_the_references_are_up_to_date_with_the_solutions():
    to_write, orphans = stale_references(ROOT)
    out_of_date = sorted(p.name for p in [*to_write, *orphans])
    assert not out_of_date, f"references out of date: {out_of_date}: run `make exercises`"


def test_committed_references_are_exactly_what_the_generator_writes():
    for path, text in planned_references(ROOT).items():
        committed = committed_text(path)
        assert committed is None or committed == text, f"{path.name}: run `make exercises`"


def test_every_declared_exercise_runs_its_solutions_notebooks_reference():
    for exercise in all_exercises().values():
        module = exercise.reference.__module__
        assert module == f"{PACKAGE}.ref{exercise.lesson}", (
            f"{exercise.id}: its reference comes from {module}, not from its solutions "
            "notebook: drop `reference=` from its declaration"
        )


def test_no_exercise_module_keeps_a_second_copy_of_a_reference():
    for path in (ROOT / "workshop_site" / "grading" / "exercises").glob("ex*.py"):
        assert "reference=" not in path.read_text(), f"{path.name} declares a reference"


def test_the_module_holds_the_function_its_imports_helpers_and_constants():
    namespace = _module(
        "from workshop_site import lab\nimport math\nfrom decimal import Decimal as D\n",
        "RATE = 2\nUNUSED = 3\nrun = lab.start()",
        "def helper(x):\n    return math.floor(x) * RATE\n",
        "def answer():\n    # BEGIN SOLUTION\n    return helper(D('2.5'))\n    # END SOLUTION\n",
        'lab.check("03.1", answer)',
    )
    assert namespace["REFERENCES"]["03.1"]() == 4
    assert namespace["SHOWN"]["03.1"] == ("RATE", "helper", "answer")
    text = namespace["__text__"]
    for absent in ("BEGIN SOLUTION", "END SOLUTION", "UNUSED", "lab.start", "workshop_site"):
        assert absent not in text
    assert "from decimal import Decimal as D" in text


def test_a_class_the_reference_uses_comes_with_its_base():
    namespace = _module(
        "from collections import OrderedDict\n",
        "class Box(OrderedDict):\n    def total(self):\n        return sum(self.values())\n",
        "def answer():\n    return Box(a=1, b=2).total()\n",
        'lab.check("03.1", answer)',
    )
    assert namespace["REFERENCES"]["03.1"]() == 3
    assert namespace["SHOWN"]["03.1"] == ("Box", "answer")


def test_magics_and_local_names_do_not_confuse_it():
    namespace = _module(
        "%%time\nlines = [1, 2]",
        "def answer():\n    lines = [3]\n    return sum(lines)\n",
        'lab.check("03.1", answer)',
    )
    assert namespace["REFERENCES"]["03.1"]() == 3


def test_a_value_computed_by_the_notebook_is_named_and_refused():
    with pytest.raises(ReferenceError_, match=r"uses `run`, a value the notebook computes.*cell 0"):
        _module(
            "run = lab.traffic(n=3)", "def answer():\n    return run\n", 'lab.check("03.1", answer)'
        )


def test_a_name_defined_nowhere_is_named():
    with pytest.raises(ReferenceError_, match="`missing` is not defined before the check"):
        _module("def answer():\n    return missing\n", 'lab.check("03.1", answer)')


def test_a_check_that_is_not_a_named_function_is_refused():
    with pytest.raises(ReferenceError_, match="function defined in the notebook by name"):
        _module('lab.check("03.1", lambda: 1)')


def test_a_name_defined_twice_and_needed_twice_is_refused():
    with pytest.raises(ReferenceError_, match="`helper` is defined twice"):
        _module(
            "def helper():\n    return 1\n",
            "def first():\n    return helper()\n",
            'lab.check("03.1", first)',
            "def helper():\n    return 2\n",
            "def second():\n    return helper()\n",
            'lab.check("03.2", second)',
        )


def test_a_notebook_without_checks_has_no_module():
    assert reference_module(_notebook("x = 1"), source="solutions/x.ipynb") is None
    assert module_name("09a_indexes_solutions.ipynb") == "ref09a"


def test_lab_solution_shows_the_notebooks_code(seeded):
    shown = shown_source("05.1")
    assert shown.startswith("class OrderListQuerySet(OrderQuerySet):")
    assert "def orders_to_ship():" in shown
    assert "BEGIN SOLUTION" not in shown
    assert 'HEADER = ["order"' not in shown_source("06.2")
    assert shown_source("06.1").startswith(
        "HEADER = ['order', 'date', 'customer', 'product', 'quantity', 'unit_price']"
    )


def test_an_exercise_without_a_solutions_notebook_says_what_to_do():
    with pytest.raises(MissingReference, match=r"no `lab.check\(\"03.9\""):
        reference("03.9")
    with pytest.raises(MissingReference, match="no references module for lesson 42"):
        reference("42.1")
    lonely = Exercise(id="42.1", title="nowhere")
    assert lonely.reference is FROM_SOLUTIONS
    with pytest.raises(LookupError, match="solutions notebook"):
        lonely.reference()
