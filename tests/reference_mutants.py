"""Mutants of the reference answers, made from their source (issue 19's generic guard).

Each reference lives in ``workshop_site/grading/references/refNN.py``, generated from its
solutions notebook. A mutant is that module's source with exactly one part of a query taken
out or turned around, in the definitions ``lab.solution()`` shows for the exercise:

- a ``.filter(...)``, ``.exclude(...)``, ``.order_by(...)`` or ``.distinct()`` call
  dropped (``.all()`` on its receiver instead), and each condition of a filter that has
  several;
- an ``.order_by(...)`` reversed (``.reverse()`` after it);
- an aggregate's ``distinct=True`` dropped;
- a slice's end moved one row earlier (``[:n]`` → ``[:n - 1]``), its start one row later.

The mutated module is compiled and run in a namespace of its own (the real module is not
touched), and the mutant is the exercise's function taken from it. ``mutants()`` lists
them all, in a stable order, with an id such as ``"00.2: order_by at line 16:70 reversed"``
(the line and column of the call's name, or of the slice).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from workshop_site.grading import references

__all__ = ["Mutant", "mutants", "mutants_of", "reference_modules"]

_DROPPED = {"filter", "exclude", "order_by", "distinct"}


@dataclass(frozen=True)
class Mutant:
    """One change to one reference: ``make()`` compiles it and returns the function."""

    exercise: str
    change: str  # "order_by at line 16 reversed"
    module: str
    source: str  # the whole mutated module

    @property
    def id(self) -> str:
        return f"{self.exercise}: {self.change}"

    def make(self) -> Callable[..., Any]:
        namespace: dict[str, Any] = {"__name__": f"{self.module}__mutant"}
        exec(compile(self.source, f"<mutant of {self.module}: {self.change}>", "exec"), namespace)
        function: Callable[..., Any] = namespace["REFERENCES"][self.exercise]
        return function


@dataclass(frozen=True)
class _Site:
    node: ast.AST
    how: str  # "dropped", "reversed", "condition dropped", "distinct=True dropped", ...
    position: int = 0  # which condition, for "condition dropped"

    def where(self) -> str:
        """The line and column of the call's name (``.filter`` in a chain), or the slice."""
        node = self.node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return f"line {node.func.end_lineno}:{node.func.end_col_offset - len(node.func.attr)}"
        if isinstance(node, ast.Subscript):
            return f"line {node.slice.lineno}:{node.slice.col_offset}"
        return f"line {getattr(node, 'lineno', '?')}:{getattr(node, 'col_offset', '?')}"

    def describe(self) -> str:
        name = ""
        if isinstance(self.node, ast.Call):
            func = self.node.func
            name = func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)
        if self.how == "condition dropped":
            assert isinstance(self.node, ast.Call)
            conditions = [*self.node.args, *self.node.keywords]
            condition = ast.unparse(conditions[self.position])
            return f"{name} at {self.where()}: {condition} dropped"
        if self.how.startswith("slice"):
            return f"{self.how} at {self.where()}"
        return f"{name} at {self.where()} {self.how}"


def _sites(definition: ast.AST) -> Iterator[_Site]:
    for node in ast.walk(definition):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _DROPPED:
                yield _Site(node, "dropped")
                if func.attr in ("filter", "exclude") and len(node.args) + len(node.keywords) > 1:
                    for position in range(len(node.args) + len(node.keywords)):
                        yield _Site(node, "condition dropped", position)
                if func.attr == "order_by" and (node.args or node.keywords):
                    yield _Site(node, "reversed")
            for keyword in node.keywords:
                if (
                    keyword.arg == "distinct"
                    and isinstance(keyword.value, ast.Constant)
                    and keyword.value.value is True
                ):
                    yield _Site(node, "distinct=True dropped")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            if node.slice.upper is not None:
                yield _Site(node, "slice's end moved one row earlier")
            if node.slice.lower is not None:
                yield _Site(node, "slice's start moved one row later")


def _position(node: ast.AST) -> tuple[Any, ...]:
    """Where a node starts and ends: calls chained on one receiver start at the same place."""
    return (
        type(node),
        *(getattr(node, a, None) for a in ("lineno", "col_offset", "end_lineno", "end_col_offset")),
    )


def _call(receiver: ast.expr, method: str) -> ast.Call:
    return ast.Call(ast.Attribute(receiver, method, ast.Load()), [], [])


class _Apply(ast.NodeTransformer):
    """Applies one site's change to a fresh parse of the module (matched by position)."""

    def __init__(self, site: _Site) -> None:
        self.where = _position(site.node)
        self.how = site.how
        self.position = site.position

    def _is_site(self, node: ast.AST) -> bool:
        return _position(node) == self.where

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not self._is_site(node):
            return node
        if self.how == "dropped":
            assert isinstance(node.func, ast.Attribute)
            # `.all()` keeps the code valid whatever the receiver: a queryset, a model's
            # manager or a related manager (which can't be iterated itself).
            return _call(node.func.value, "all")
        if self.how == "reversed":
            # `.reverse()` reverses any ordering: fields, expressions, `*fields`.
            return _call(node, "reverse")
        if self.how == "condition dropped":
            arguments = len(node.args)
            if self.position < arguments:
                del node.args[self.position]
            else:
                del node.keywords[self.position - arguments]
            return node
        node.keywords = [k for k in node.keywords if k.arg != "distinct"]
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if self._is_site(node) and isinstance(node.slice, ast.Slice):
            if self.how.startswith("slice's end") and node.slice.upper is not None:
                node.slice.upper = ast.BinOp(node.slice.upper, ast.Sub(), ast.Constant(1))
            elif self.how.startswith("slice's start") and node.slice.lower is not None:
                node.slice.lower = ast.BinOp(node.slice.lower, ast.Add(), ast.Constant(1))
        return node


def reference_modules() -> list[Any]:
    """The generated reference modules, ref00 first."""
    names = sorted(m.name for m in pkgutil.iter_modules(references.__path__))
    return [importlib.import_module(f"{references.__name__}.{name}") for name in names]


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
    return found


def mutants_of(
    source: str,
    shown: dict[str, tuple[str, ...]],
    module: str,
    *,
    skip: Callable[[str, str], bool] = lambda exercise, name: False,
) -> list[Mutant]:
    """The mutants of one module's ``source``: ``shown`` maps each exercise to the
    definitions to mutate; ``skip(exercise, definition)`` leaves one out."""
    definitions = _definitions(ast.parse(source))
    found = []
    for exercise, names in shown.items():
        for name in names:
            if skip(exercise, name):
                continue
            for site in _sites(definitions[name]):
                mutated = ast.fix_missing_locations(_Apply(site).visit(ast.parse(source)))
                found.append(Mutant(exercise, site.describe(), module, ast.unparse(mutated)))
    return found


def mutants(*, skip: Callable[[str, str], bool] = lambda exercise, name: False) -> list[Mutant]:
    """Every mutant of every reference module, ref00 first."""
    return [
        mutant
        for module in reference_modules()
        for mutant in mutants_of(
            inspect.getsource(module), module.SHOWN, module.__name__, skip=skip
        )
    ]
