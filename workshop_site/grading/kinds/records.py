"""The kind that judges a learner's django-perf-rec record of a page (lesson 07).

The learner's function is a test taking one argument, the record file to write and read
(``record_file``). The grader runs it three times on the grading data, each in the sandbox
(rolled back, query cap, time limit), in django-perf-rec's default mode (``once``): the
first run must write a record of the page's queries into that file; the second, on the
same code, must pass; the third, with one query added to the page, must fail on
django-perf-rec's assertion and leave the record as it was.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.test import override_settings

from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["PinsPageWithRecord", "one_more_query", "recorded_queries"]


def recorded_queries(record: Path) -> dict[str, list[str]]:
    """Each record name in the django-perf-rec file → its ``db`` fingerprints."""
    loaded = yaml.safe_load(record.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for name, operations in loaded.items() if isinstance(loaded, dict) else ():
        found[str(name)] = [
            str(operation["db"])
            for operation in operations or ()
            if isinstance(operation, dict) and "db" in operation
        ]
    return found


@contextmanager
def one_more_query() -> Iterator[str]:
    """A careless edit of ``querysets.py``: ``CategoryQuerySet.public`` runs one more query
    each time the category page (or anything else) calls it. Yields what it did, in words."""
    from workshop_site.shop.models import Category
    from workshop_site.shop.querysets import CategoryQuerySet

    original = CategoryQuerySet.public

    def public_with_one_more_query(self: Any) -> Any:
        Category.objects.exists()  # the regression: a query nobody needs
        return original(self)

    CategoryQuerySet.public = public_with_one_more_query  # type: ignore[method-assign]
    try:
        yield "one more query on the page (`Category.objects.exists()` in `public()`)"
    finally:
        CategoryQuerySet.public = original  # type: ignore[method-assign]


@register
@dataclass(frozen=True)
class PinsPageWithRecord(Check):
    """The learner's test records the page ``url_name`` into the file it is given, passes
    on the same code, and fails once a query is added. ``marker``: a piece of SQL only
    that page runs, which the record must hold (it records that page, not another one)."""

    url_name: str
    marker: str

    kind = "pins-page-with-record"
    failure = "the record does not pin the page"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function is a test: it is called here, three times

    def evaluate(self, attempt: Attempt) -> Outcome:
        test = attempt.submitted
        try:
            inspect.signature(test).bind(Path("record.perf.yml"))
        except TypeError:
            return self.fail(
                "your test must take the record file as its one argument",
                fix="`def test_…(record_file):`, and record into `path=str(record_file)`",
            )
        except ValueError:  # no signature to read: let the call decide
            pass
        with tempfile.TemporaryDirectory(prefix="perf-rec-check-") as folder:
            record = Path(folder) / "pages.perf.yml"
            with override_settings(PERF_REC={"MODE": "once"}):
                return self._judge(attempt, lambda: test(record), record)

    def _judge(self, attempt: Attempt, call: Callable[[], Any], record: Path) -> Outcome:
        first = _measure(attempt, call)
        if (stopped := self.stopped(first, context="recording the page")) is not None:
            return stopped
        if (failed := self._recorded(record)) is not None:
            return failed
        queries = sum(len(found) for found in recorded_queries(record).values())
        again = _measure(attempt, call)
        if again.problem is not None:
            return self.fail(
                "on the same code, the second run of your test fails: "
                f"{again.problem.message.splitlines()[0]}\nA record compares a page with "
                "itself: the same record name and the same page, run after run."
            )
        before = record.read_text(encoding="utf-8")
        with one_more_query() as change:
            regressed = _measure(attempt, call)
        if regressed.problem is None:
            return self.fail(
                f"your test still passes with {change}: a record that lets a new query "
                "through pins nothing",
                fix="Leave `PERF_REC` alone in the test: in `overwrite` mode a record never "
                "fails, and a new record name each run compares with nothing.",
            )
        if "AssertionError" not in regressed.problem.message:
            return self.fail(
                f"with {change}, your test failed, but not on django-perf-rec's assertion: "
                f"{regressed.problem.message.splitlines()[0]}"
            )
        if record.read_text(encoding="utf-8") != before:
            return self.fail(f"with {change}, your test failed, and rewrote the record")
        return self.passed(
            f"recorded {queries} {'query' if queries == 1 else 'queries'} of the page",
            "passed again on the same code",
            f"failed with {change}",
        )

    def _recorded(self, record: Path) -> Outcome | None:
        if not record.exists():
            return self.fail(
                "your test wrote no record into the file it was given",
                fix="`django_perf_rec.record(record_name=..., path=str(record_file))`",
            )
        found = recorded_queries(record)
        queries = [sql for fingerprints in found.values() for sql in fingerprints]
        if not queries:
            return self.fail(
                f"the record holds no query ({', '.join(found) or 'no record name'})",
                fix=f'Request the page inside the `with` block: `reverse("{self.url_name}", ...)`.',
            )
        if not any(self.marker in sql for sql in queries):
            return self.fail(
                f"the record holds {len(queries)} queries, none with `{self.marker}`: "
                "it records another page",
                fix=f'Request `reverse("{self.url_name}", ...)` inside the `with` block.',
            )
        return None


def _measure(attempt: Attempt, call: Callable[[], Any]) -> Run:
    return attempt.measure(call, size=attempt.sizes[0], raw=True)
