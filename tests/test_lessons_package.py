"""The lessons' examples are typed in the notebooks' cells: the package that used to hold
them (``workshop_site/lessons/``) is gone, and nothing imports it again. Tooling
(measuring, plotting, data, grading helpers) is in ``lab/``; code that only tests need
is under ``tests/`` (``corpus_lesson*.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workshop_site"


def _imports(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_lessons_package_is_gone():
    assert not (PACKAGE / "lessons").exists()


def test_no_module_or_notebook_imports_a_lessons_package():
    sources = {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")
    }
    for folder in ("notebooks", "solutions", "exercises"):
        for path in (ROOT / folder).glob("*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            code = [c.source for c in notebook.cells if c.cell_type == "code"]
            sources[str(path.relative_to(ROOT))] = "\n".join(
                line
                for line in "\n".join(code).splitlines()
                if not line.lstrip().startswith(("%", "!"))
            )
    offenders = {
        name: sorted(i for i in _imports(src) if i.startswith("workshop_site.lessons"))
        for name, src in sources.items()
    }
    assert not {name: found for name, found in offenders.items() if found}
