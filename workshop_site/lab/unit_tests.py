"""Run ``unittest``/Django ``TestCase`` classes written in a notebook, and say how each went.

``lab.run_tests(OrderHistoryTests)`` runs every ``test_*`` method against the kernel's
database (a Django ``TestCase`` rolls each test back) and prints one line per test, with
the failure's message — not its traceback — under a test that failed.
"""

from __future__ import annotations

import logging
import time
import unittest
from types import TracebackType

from workshop_site.lab.boot import require_started

__all__ = ["TestRun", "run_tests"]

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class TestRun(unittest.TestResult):
    """A ``unittest.TestResult`` that keeps each outcome, in order, for the report."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[tuple[str, str, BaseException | None]] = []
        self.seconds = 0.0

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self.outcomes.append((_name(test), "ok", None))

    def addFailure(self, test: unittest.TestCase, err: _ExcInfo) -> None:
        super().addFailure(test, err)
        self.outcomes.append((_name(test), "FAIL", err[1]))

    def addError(self, test: unittest.TestCase, err: _ExcInfo) -> None:
        super().addError(test, err)
        self.outcomes.append((_name(test), "ERROR", err[1]))

    def report(self) -> str:
        """One line per test; each failure's message indented under it; a summary."""
        lines = []
        for name, status, error in self.outcomes:
            lines.append(f"{name} ... {status}")
            if error is not None:
                text = f"{type(error).__name__}: {error}"
                lines.extend(f"    {line}" for line in text.splitlines())
        failed = len(self.failures) + len(self.errors)
        ran = f"{self.testsRun} test{'' if self.testsRun == 1 else 's'}"
        verdict = "all passed" if not failed else f"{failed} failed"
        lines.append(f"{ran}, {verdict} ({self.seconds:.2f} s)")
        return "\n".join(lines)


def _name(test: unittest.TestCase) -> str:
    return f"{type(test).__name__}.{test._testMethodName}"


def run_tests(*cases: type[unittest.TestCase], quiet: bool = False) -> TestRun:
    """Run the ``test_*`` methods of each ``TestCase`` class; print the report unless quiet."""
    require_started("lab.run_tests()")
    if not cases:
        raise TypeError("run_tests() needs at least one TestCase class")
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(case) for case in cases)
    result = TestRun()
    # A view that raises logs "Internal Server Error" and its traceback through
    # django.request; the report already names the error, so keep the log quiet.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    began = time.perf_counter()
    try:
        suite.run(result)
    finally:
        result.seconds = time.perf_counter() - began
        logger.setLevel(level)
    if not quiet:
        print(result.report())
    return result
