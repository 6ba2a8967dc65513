from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from workshop_site.lab.capture import queries
from workshop_site.notebook_runner import execute_notebook
from workshop_site.seed import seed

# pytest-socket keeps this process offline (see pyproject.toml). The Python processes the
# tests start (notebook kernels, `python -c` children) are out of its reach: they inherit
# this PYTHONPATH, and so import tests/offline/sitecustomize.py at start-up, which lets
# them connect to this machine only.
OFFLINE = str(Path(__file__).resolve().parent / "offline")
_paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if OFFLINE not in _paths:  # a pytest-xdist worker inherits it from the controller
    os.environ["PYTHONPATH"] = os.pathsep.join([OFFLINE, *_paths])


@pytest.fixture
def seeded(db, request):
    """The test database, seeded: 50 customers (fast, with every relation present), or the
    test module's ``SEED_SIZE`` when its claims need more rows."""
    return seed(size=getattr(request.module, "SEED_SIZE", 50), seed=7)


@pytest.fixture
def recorded():
    """``recorded(fn, *args, **kwargs)``: what ``fn`` returned, and the log of its queries."""

    def call(fn, *args, **kwargs):
        with queries() as log:
            value = fn(*args, **kwargs)
        return value, log

    return call


@pytest.fixture
def partners(settings):
    """The shop's partners on a free loopback port, the shop's clients pointed at them."""
    from workshop_site.external import PartnerService

    with PartnerService(hang_limit=2.0) as service:
        settings.PARTNERS = {**settings.PARTNERS, "URL": service.url}
        yield service


@pytest.fixture(autouse=True, scope="session")
def _progress_file_of_its_own(tmp_path_factory):
    """Checks run by the tests (and the notebooks' kernels, which inherit the environment)
    must not write into the developer's own progress file."""
    path = tmp_path_factory.mktemp("progress") / "progress.jsonl"
    previous = os.environ.get("WORKSHOP_PROGRESS")
    os.environ["WORKSHOP_PROGRESS"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("WORKSHOP_PROGRESS", None)
    else:
        os.environ["WORKSHOP_PROGRESS"] = previous


@pytest.fixture
def grading_sandbox(django_db_blocker, tmp_path, monkeypatch):
    """For the exercise tests: the grader opens its own connections to the grading data
    (outside pytest-django's test database), and its progress goes to a file of its own."""
    monkeypatch.setenv("WORKSHOP_PROGRESS", str(tmp_path / "progress.jsonl"))
    with django_db_blocker.unblock():
        yield


# -- notebooks -------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
#: Each notebook's timings (total, slowest cell), for `make timings`: written once, at the
#: end of the session, by the one process that sees every test's report (pytest-xdist's
#: controller, or the only process), so parallel workers never write the file at once.
TIMINGS = ROOT / "test-artifacts" / "notebook-timings.json"
#: A cell a learner waits on for longer must show a progress bar; this catches a cell that
#: became an order of magnitude too slow (the exact figures go to TIMINGS).
SLOWEST_CELL_SECONDS = 20
_timings: dict[str, dict] = {}


def notebook_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture
def run_notebook(record_property):
    """``run_notebook(path)``: execute it headless in a fresh kernel (nbclient), record its
    timings and check that no cell took more than SLOWEST_CELL_SECONDS; the run. When
    ``tests/claims/<notebook>.py`` exists, its claims are checked and its activities tried
    in the same kernel, during the same run (see tests/claims/__init__.py)."""
    import nbformat
    from claims import Checker, load

    def run(path: Path, *, timeout: int = 180):
        found = load(path)
        checker = Checker(found, nbformat.read(path, as_version=4)) if found else None
        executed = execute_notebook(path, timeout=timeout, cwd=path.parent, after_cell=checker)
        if checker is not None:
            checker.finish()
        index, seconds, first_line = executed.slowest
        record_property(
            "notebook_timing",
            {
                "notebook": notebook_id(path),
                "total_seconds": round(executed.total_seconds, 2),
                "slowest_cell": index,
                "slowest_cell_seconds": round(seconds, 2),
                "slowest_cell_first_line": first_line,
            },
        )
        assert seconds < SLOWEST_CELL_SECONDS, (
            f"{notebook_id(path)} cell {index} ({first_line!r}) took {seconds:.1f} s"
        )
        return executed

    return run


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "notebook_timing":
                entry = dict(value)
                _timings[entry.pop("notebook")] = entry


def pytest_sessionfinish(session):
    if not _timings or hasattr(session.config, "workerinput"):  # a worker reports, no more
        return
    TIMINGS.parent.mkdir(exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    data.update(_timings)
    TIMINGS.write_text(json.dumps(data, indent=2, sort_keys=True))


# -- order: the longest tests first ------------------------------------------------------------

_NOTEBOOK_PARAM = re.compile(r"\[(?:[\w-]+/)?([\w.-]+\.ipynb)\]")


def _notebook_bytes(nodeid: str) -> int:
    found = _NOTEBOOK_PARAM.search(nodeid)
    if not found:
        return 0
    for folder in ("notebooks", "solutions", "exercises"):
        path = ROOT / folder / found.group(1)
        if path.exists():
            return path.stat().st_size
    return 0


def _transactional(item: pytest.Item) -> bool:
    """Does pytest-django run ``item`` in a transactional database (after the others)?"""
    cls = getattr(item, "cls", None)
    if cls is not None:
        from django.test import TestCase, TransactionTestCase

        if issubclass(cls, TransactionTestCase):
            return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def pytest_collection_modifyitems(config, items):
    """Modules with notebooks first (the most notebook bytes first), then those with other
    slow tests, then the rest; a module's tests stay in their order. pytest-xdist hands
    tests out in this order: started last, a long notebook kept one worker busy after the
    other had finished. As pytest-django orders them (its hook runs first), transactional
    tests still run after every other database test. The order is the same in every
    worker, as xdist requires: it depends on the files alone."""
    weights: dict[str, tuple[int, int]] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        slow = 1 if item.get_closest_marker("slow") else 2
        kind = 0 if item.get_closest_marker("notebook") else slow
        group, size = weights.get(module, (2, 0))
        weights[module] = (min(group, kind), size - _notebook_bytes(item.nodeid))
    first = {}
    for index, item in enumerate(items):
        first.setdefault(item.nodeid.split("::", 1)[0], index)

    def key(item: pytest.Item) -> tuple[int, ...]:
        module = item.nodeid.split("::", 1)[0]
        return (_transactional(item), *weights[module], first[module])

    items.sort(key=key)
