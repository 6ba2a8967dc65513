"""docs/reference.md: every snippet runs, in order, against the seeded shop, and does what
its comments say (the query counts are checked); its TestCase classes pass, and fail
when the code they pin regresses; every lesson links to it (its navigation cell, written
by ``make course``)."""

from __future__ import annotations

import re
import unittest
from pathlib import Path

import nbformat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workshop_site import course

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
#: "# 3 queries" at the end of a snippet's line: what that line must cost.
COUNTED = re.compile(r"#\s*(\d+) quer(?:y|ies)\b")
#: What the page covers (issue 20): each has a section heading.
TOPICS = (
    "select_related",
    "prefetch_related",
    "Prefetch",
    "Fetch modes",
    "only",
    "defer",
    "values",
    "values_list",
    "iterator(chunk_size=...)",
    "explain()",
    "assertNumQueries",
    "django-perf-rec",
)


def snippets() -> list[str]:
    return FENCE.findall(REFERENCE.read_text())


def _statements(snippet: str) -> list[tuple[str, int | None]]:
    """The snippet cut into top-level statements, each with the query count its comment
    claims (None: no claim)."""
    import ast

    tree = ast.parse(snippet)
    lines = snippet.splitlines()
    found = []
    for node in tree.body:
        source = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        claim = COUNTED.search(source)
        found.append((source, int(claim[1]) if claim else None))
    return found


def test_the_page_covers_every_topic():
    headings = [line for line in REFERENCE.read_text().splitlines() if line.startswith("## ")]
    for topic in TOPICS:
        assert any(topic in heading for heading in headings), f"no section on {topic}"
    assert len(snippets()) >= 10


#: The page's two TestCases run inside this test's own test transaction. On PostgreSQL the
#: second one (django-perf-rec) finds its connection closed by the first's class teardown;
#: the snippets are the same on both databases, so the page is proven on SQLite.
SQLITE_ONLY = pytest.mark.skipif(
    "connection.vendor != 'sqlite'",
    reason="nested TestCases close the PostgreSQL connection: proven on SQLite",
)


@SQLITE_ONLY
def test_every_snippet_runs_and_costs_what_it_says(seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # django-perf-rec writes its record here
    # django-perf-rec puts its YAML beside the test's file: here, in tmp_path.
    namespace: dict = {"__name__": "reference_snippets", "__file__": str(tmp_path / "snippets.py")}
    claims = 0
    for snippet in snippets():
        for source, claimed in _statements(snippet):
            with CaptureQueriesContext(connection) as captured:
                exec(compile(source, str(REFERENCE), "exec"), namespace)
            if claimed is not None:
                claims += 1
                assert len(captured) == claimed, (
                    f"docs/reference.md says {claimed} for:\n{source}\nit ran {len(captured)}"
                )
    assert claims >= 7
    _run_its_tests(namespace, must_pass=True)
    assert list(tmp_path.glob("**/*.perf.yml")) or list((tmp_path / "perf_records").glob("*"))


def _run_its_tests(namespace: dict, *, must_pass: bool) -> unittest.TestResult:
    cases = [
        value
        for value in namespace.values()
        if isinstance(value, type)
        and issubclass(value, unittest.TestCase)
        and value.__module__ == "reference_snippets"
    ]
    assert len(cases) == 2, cases
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.loadTestsFromTestCase(case) for case in cases
    )
    result = unittest.TestResult()
    suite.run(result)
    if must_pass:
        assert result.wasSuccessful(), result.failures + result.errors
    return result


@SQLITE_ONLY
def test_its_tests_fail_when_the_pages_regress(seeded, tmp_path, monkeypatch):
    """The assertNumQueries and django-perf-rec tests are not decoration: with the order
    history and the product list served naive, both fail."""
    from workshop_site.lab.deploys import serving

    monkeypatch.chdir(tmp_path)
    # django-perf-rec puts its YAML beside the test's file: here, in tmp_path.
    namespace: dict = {"__name__": "reference_snippets", "__file__": str(tmp_path / "snippets.py")}
    for snippet in snippets():
        exec(compile(snippet, str(REFERENCE), "exec"), namespace)
    _run_its_tests(namespace, must_pass=True)  # records the product list, as it is
    naive = {"shop:order_history": "shop:order_history_naive"}
    naive["shop:product_list"] = "shop:product_list_naive"
    with serving(naive):
        result = _run_its_tests(namespace, must_pass=False)
    failed = sorted(test.id().rsplit(".", 1)[-1] for test, _ in result.failures + result.errors)
    assert failed == ["test_product_list", "test_the_history_does_not_grow_with_the_orders"]


@pytest.mark.parametrize("lesson", course.lessons(), ids=lambda lesson: lesson.number)
def test_every_lesson_links_to_the_reference(lesson):
    notebook = nbformat.read(lesson.path, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert f"]({course.REFERENCE_LINK})" in prose, f"{lesson.path.name} does not link the reference"
