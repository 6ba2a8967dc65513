"""No outgoing HTTP call in the package lacks a timeout, but the one lesson 08 fixes."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from workshop_site.setup import linted_paths

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "S113", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_checks_for_requests_without_timeout():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S113" in lint["select"]


def test_every_call_has_a_timeout():
    paths, _learners_answers = linted_paths(ROOT)  # the course's files, as make lint
    result = _ruff(*paths)
    assert result.returncode == 0, result.stdout


def test_the_only_exception_is_the_naive_client():
    result = _ruff("--ignore-noqa", "--output-format", "concise", "workshop_site")
    flagged = [line.split(":")[0] for line in result.stdout.splitlines() if "S113" in line]
    assert flagged == ["workshop_site/external/naive.py"], result.stdout
