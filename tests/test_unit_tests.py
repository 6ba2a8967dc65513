"""lab.run_tests: TestCase classes written in a notebook, run and reported one line per test."""

from __future__ import annotations

import logging
import unittest

import pytest
from django.core.exceptions import FieldFetchBlocked

from workshop_site.lab.unit_tests import run_tests


class _Examples(unittest.TestCase):
    __test__ = False  # run by run_tests below, not collected by pytest

    def test_passes(self):
        self.assertEqual(1, 1)  # noqa: PT009 - a TestCase, as a learner writes one

    def test_fails(self):
        self.assertEqual(1, 2, "one is not two")  # noqa: PT009

    def test_errors(self):
        raise FieldFetchBlocked("Fetching of Order.customer blocked.")


def test_run_tests_reports_each_test_and_the_failures_messages(capsys):
    result = run_tests(_Examples)
    printed = capsys.readouterr().out
    assert result.testsRun == 3
    assert len(result.failures) == len(result.errors) == 1
    assert "_Examples.test_fails ... FAIL\n    AssertionError: 1 != 2 : one is not two" in printed
    assert "_Examples.test_errors ... ERROR\n    FieldFetchBlocked: Fetching of" in printed
    assert "_Examples.test_passes ... ok" in printed
    assert printed.rstrip().splitlines()[-1].startswith("3 tests, 2 failed (")
    assert "Traceback" not in printed
    with pytest.raises(TypeError, match="at least one TestCase"):
        run_tests()


class _Logging(unittest.TestCase):
    __test__ = False

    def test_logs_an_error(self):
        logging.getLogger("django.request").error("Internal Server Error: /x/")


def test_run_tests_keeps_django_request_errors_quiet_and_restores_the_level(caplog):
    logger = logging.getLogger("django.request")
    before = logger.level
    with caplog.at_level(logging.DEBUG):
        assert run_tests(_Logging, quiet=True).wasSuccessful()
    assert "Internal Server Error" not in caplog.text
    assert logger.level == before
