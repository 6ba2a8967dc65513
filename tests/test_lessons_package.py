"""``workshop_site/lessons/`` holds the lessons' examples only, until the lesson notebooks
type them in their cells: tooling (measuring, plotting, data, grading helpers) is in
``lab/``, and neither the lab nor the grader imports a lesson's example."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workshop_site"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("folder", ["lab", "grading"])
def test_the_lab_and_the_grader_never_import_a_lesson(folder):
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imports(path) if name.startswith("workshop_site.lessons")
        )
        for path in (PACKAGE / folder).rglob("*.py")
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_lessons_hold_no_templates_or_data_files():
    files = [p for p in (PACKAGE / "lessons").rglob("*") if p.is_file()]
    assert all(p.suffix == ".py" for p in files if "__pycache__" not in p.parts), files
