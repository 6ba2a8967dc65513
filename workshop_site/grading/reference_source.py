"""One source for each reference answer: the solutions notebook's cell.

``make exercises`` writes, for each ``solutions/NN_topic_solutions.ipynb``, the committed
module ``workshop_site/grading/references/refNN.py``: every function a ``lab.check("NN.k",
function)`` of the notebook grades, with what it needs from the notebook — its imports,
the functions and classes it calls, the constants it reads — copied in notebook order,
the ``# BEGIN SOLUTION`` / ``# END SOLUTION`` lines dropped. The grader runs those
functions, ``lab.solution()`` shows them, and a test fails when a module is out of date
with its notebook. The exercise modules (``exercises/exNN.py``) keep the checks, hints
and data, not the code.

What a reference may use from its notebook: imports, functions, classes, and constants
(an assignment of literals, or of names that are themselves constants or imports).
A value the notebook computes at run time (``run = lab.traffic(...)``) is not a
reference's to use: the generator names it and stops.

Pure functions, no files (``workshop_site.grading.generate`` writes them).
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import nbformat

from workshop_site.grading.notebooks import BEGIN, END

__all__ = [
    "ReferenceError_",
    "cell_python",
    "module_name",
    "reference_module",
    "REFERENCES_PACKAGE",
]

#: Where the generated modules live (a package of the grader).
REFERENCES_PACKAGE = "workshop_site.grading.references"
_BUILTINS = frozenset(dir(builtins))
_CHECK_ID = re.compile(r"^\d\d[a-z]?\.\d+$")


class ReferenceError_(ValueError):
    """A solutions notebook whose references cannot be written as a module."""


def module_name(solutions_file: str) -> str:
    """``03_n_plus_one_solutions.ipynb`` → ``ref03``; an episode ``09a_...`` → ``ref09a``."""
    number = solutions_file.split("_", 1)[0]
    return f"ref{number}"


@dataclass
class _Definition:
    name: str
    kind: str  # "import", "def", "constant", "computed"
    text: str  # the statement as written (markers dropped); for an import, one name
    uses: frozenset[str]  # global names it reads
    order: tuple[int, int]  # (cell, statement): notebook order
    cell: int


@dataclass
class _Check:
    exercise: str
    function: str
    cell: int
    scope: dict[str, _Definition] = field(default_factory=dict)  # what was defined then


def cell_python(source: str) -> str:
    """A cell's source as Python: IPython's magics (``%%queries``, ``!ls``) translated."""
    from IPython.core.inputtransformer2 import TransformerManager

    return str(TransformerManager().transform_cell(source))  # type: ignore[no-untyped-call]


def _without_markers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip() not in (BEGIN, END))


def _segment(source: str, node: ast.stmt) -> str:
    lines = source.splitlines()
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(lines[first - 1 : node.end_lineno])


def _globals_used(text: str) -> frozenset[str]:
    """The global names a function or class statement reads (exactly, with symtable)."""
    found: set[str] = set()

    def walk(table: symtable.SymbolTable) -> None:
        for symbol in table.get_symbols():
            if symbol.is_global() or (table.get_type() == "module" and symbol.is_referenced()):
                found.add(symbol.get_name())
            elif table.get_type() == "class" and symbol.is_referenced() and not symbol.is_local():
                found.add(symbol.get_name())
        for child in table.get_children():
            walk(child)

    walk(symtable.symtable(text, "<cell>", "exec"))
    return frozenset(found - _BUILTINS)


def _is_constant(node: ast.expr, scope: dict[str, _Definition]) -> bool:
    """Literals, containers of constants, simple arithmetic, attributes of imports."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_constant(e, scope) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _is_constant(k, scope) for k in node.keys) and all(
            _is_constant(v, scope) for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left, scope) and _is_constant(node.right, scope)
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand, scope)
    if isinstance(node, ast.Name):
        known = scope.get(node.id)
        return known is not None and known.kind in ("import", "constant")
    if isinstance(node, ast.Attribute):
        return _is_constant(node.value, scope)
    return False


def _import_text(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    named = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
    if isinstance(node, ast.Import):
        return f"import {named}"
    return f"from {'.' * node.level}{node.module or ''} import {named}"


def _read(notebook: nbformat.NotebookNode) -> list[_Check]:
    """Walk the notebook's code cells in order; each ``lab.check`` with what was defined."""
    scope: dict[str, _Definition] = {}
    checks: list[_Check] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        source = cell_python(cell.source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # not Python the generator can read: defines nothing it can use
        for number, node in enumerate(tree.body):
            order = (index, number)
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    text = _import_text(node, alias)
                    scope[name] = _Definition(name, "import", text, frozenset(), order, index)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                text = _without_markers(_segment(source, node))
                uses = _globals_used(text) - {node.name}
                scope[node.name] = _Definition(node.name, "def", text, uses, order, index)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                kind = (
                    "constant" if value is not None and _is_constant(value, scope) else "computed"
                )
                text = _segment(source, node)
                uses = (
                    frozenset(n.id for n in ast.walk(value) if isinstance(n, ast.Name))
                    if value is not None
                    else frozenset()
                )
                for target in targets:
                    for name_node in ast.walk(target):
                        if isinstance(name_node, ast.Name):
                            scope[name_node.id] = _Definition(
                                name_node.id, kind, text, uses, order, index
                            )
            elif (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
                and _is_lab_check(node.value)
            ):
                exercise_id, function = _check_arguments(node.value, index)
                checks.append(_Check(exercise_id, function, index, dict(scope)))
            else:
                for bound in _names_bound(node):
                    scope[bound] = _Definition(bound, "computed", "", frozenset(), order, index)
    return checks


def _names_bound(node: ast.stmt) -> set[str]:
    """Names a statement other than a definition binds (a for loop's, a with's ...)."""
    bound: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            bound.add(sub.id)
    return bound


def _is_lab_check(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "check"
        and isinstance(func.value, ast.Name)
        and func.value.id == "lab"
    )


def _check_arguments(call: ast.Call, cell: int) -> tuple[str, str]:
    if (
        len(call.args) != 2
        or not isinstance(call.args[0], ast.Constant)
        or not isinstance(call.args[0].value, str)
        or not isinstance(call.args[1], ast.Name)
    ):
        raise ReferenceError_(
            f'cell {cell}: write the check as `lab.check("NN.k", function_name)`, the '
            "function defined in the notebook by name"
        )
    exercise_id = call.args[0].value
    if not _CHECK_ID.match(exercise_id):
        raise ReferenceError_(f"cell {cell}: {exercise_id!r} is not an exercise id like '03.1'")
    return exercise_id, call.args[1].id


def _closure(check: _Check, where: str) -> list[_Definition]:
    """The definitions ``check``'s function needs, transitively, in notebook order."""
    needed: dict[str, _Definition] = {}
    todo = [check.function]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        definition = check.scope.get(name)
        if definition is None:
            raise ReferenceError_(
                f"{where}, {check.exercise}: `{name}` is not defined before the check (cell "
                f"{check.cell}) by an import, a function, a class or a constant"
            )
        if definition.kind == "computed":
            raise ReferenceError_(
                f"{where}, {check.exercise}: the reference uses `{name}`, a value the notebook "
                f"computes at run time (cell {definition.cell}). A reference may use imports, "
                "functions, classes and constants only: compute it inside the function"
            )
        if name == check.function and definition.kind != "def":
            raise ReferenceError_(
                f"{where}, {check.exercise}: `{name}` is not a function or class of the notebook"
            )
        needed[name] = definition
        todo.extend(definition.uses)
    return sorted(needed.values(), key=lambda d: (d.order, d.name))


def reference_module(notebook: nbformat.NotebookNode, *, source: PurePosixPath | str) -> str | None:
    """The text of the references module of a solutions notebook (None: it checks
    nothing)."""
    where = str(source)
    checks = _read(notebook)
    if not checks:
        return None
    chosen: dict[str, _Definition] = {}
    shown: dict[str, list[str]] = {}
    for check in checks:
        if check.exercise in shown:
            raise ReferenceError_(f"{where}: {check.exercise} is checked twice")
        definitions = _closure(check, where)
        for definition in definitions:
            key = definition.text if definition.kind == "import" else definition.name
            known = chosen.get(key)
            if known is not None and known.text != definition.text:
                raise ReferenceError_(
                    f"{where}: `{definition.name}` is defined twice (cells {known.cell} and "
                    f"{definition.cell}) and references need both: give them two names"
                )
            chosen[key] = definition
        shown[check.exercise] = [d.name for d in definitions if d.kind != "import"]
    return _module_text(where, checks, chosen, shown)


def _imports(texts: set[str]) -> list[str]:
    """``import x`` lines, then ``from m import a, b`` grouped by module, sorted."""
    plain = sorted(t for t in texts if t.startswith("import "))
    grouped: dict[str, list[str]] = {}
    for text in texts:
        if text.startswith("from "):
            module, name = text.removeprefix("from ").split(" import ", 1)
            grouped.setdefault(module, []).append(name)
    froms = [f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(grouped.items())]
    return plain + froms


def _module_text(
    where: str,
    checks: list[_Check],
    chosen: dict[str, _Definition],
    shown: dict[str, list[str]],
) -> str:
    imports = _imports({d.text for d in chosen.values() if d.kind == "import"})
    statements: list[str] = []
    for definition in sorted(
        (d for d in chosen.values() if d.kind != "import"), key=lambda d: d.order
    ):
        if definition.text not in statements:  # `A = B = 1` binds two names in one line
            statements.append(definition.text)
    numbers = ", ".join(check.exercise for check in checks)
    head = [
        f"# Generated by `make exercises` from {where}:",
        "# do not edit it, edit the notebook. The reference answers of",
        f"# {numbers}, as the solutions notebook writes them: the grader",
        "# runs these functions and `lab.solution()` shows them.",
        "",
        *imports,
    ]
    body = "\n\n\n".join(statements)
    references = "".join(f"    {c.exercise!r}: {c.function},\n" for c in checks)
    shown_text = "".join(f"    {key!r}: {tuple(names)!r},\n" for key, names in shown.items())
    return (
        "\n".join(head)
        + "\n\n\n"
        + body
        + "\n\n\n#: Each exercise's reference function.\nREFERENCES = {\n"
        + references
        + "}\n#: What `lab.solution()` shows for each exercise: the notebook's definitions.\n"
        + "SHOWN = {\n"
        + shown_text
        + "}\n"
    )
