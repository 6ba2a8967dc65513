"""``from workshop_site import lab``: lazy names (PEP 562), each from a module named for its
job, and nothing loaded before it is used."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

from workshop_site import lab


def test_importing_lab_loads_no_django():
    code = (
        "import sys\n"
        "from workshop_site import lab\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", lab.__all__)
def test_every_export_resolves_from_its_module(name):
    value = getattr(lab, name)
    assert not isinstance(value, types.ModuleType), f"lab.{name} is a module"
    assert name in dir(lab)


def test_no_module_shares_its_name_with_an_export():
    modules = {m.removeprefix("workshop_site.lab.") for m in lab._EXPORTS.values()}
    # lab/diagnose.py is the last one, renamed by issue 18 (see lab/__init__.py).
    assert modules & set(lab.__all__) <= {"diagnose"}


@pytest.mark.parametrize(
    "module",
    ["network_delay", "visitors", "request_trace", "alert_rules", "local_partners", "task_queue"],
)
def test_a_submodule_imports_as_a_module_and_leaves_the_export_alone(module):
    imported = importlib.import_module(f"workshop_site.lab.{module}")
    assert isinstance(imported, types.ModuleType)
    assert getattr(lab, module) is imported
    assert callable(lab.latency)
    assert callable(lab.traffic)
    assert callable(lab.partners)


def test_an_unknown_name_says_so():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        lab.no_such_thing  # noqa: B018
