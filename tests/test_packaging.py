"""The project's own files install what it needs, in one consistent list."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _conda_pip(path: Path) -> tuple[str, list[str]]:
    env = yaml.safe_load(path.read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    return python, pip


def _assert_same_requirements(path: Path, *, extras: tuple[str, ...] = ()) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python, pip = _conda_pip(path)
    assert python.split("=")[1] >= project["requires-python"].removeprefix(">=")
    wanted = [*project["dependencies"]]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    declared = {_name(r): r.replace(" ", "") for r in wanted}
    listed = {_name(r): r.replace(" ", "") for r in pip if not r.startswith("-e") and r != "."}
    assert listed == declared, f"{path.relative_to(ROOT)} disagrees with pyproject.toml"
    return pip


def test_environment_yml_agrees_with_pyproject():
    pip = _assert_same_requirements(ROOT / "environment.yml")
    assert "-e ." in pip, "environment.yml must install the workshop package itself"


def test_binder_environment_agrees_with_pyproject():
    # The image of a class on a hub too: the hub extra (nbgitpuller, jupyter-server-proxy).
    pip = _assert_same_requirements(ROOT / "binder" / "environment.yml", extras=("hub",))
    # repo2docker installs the environment before the repository is there.
    assert "-e ." not in pip


def test_binder_scripts_are_executable():
    for name in ("postBuild", "start"):
        path = ROOT / "binder" / name
        assert os.access(path, os.X_OK), f"binder/{name} must be executable"
        assert path.read_text().startswith("#!/bin/bash")


def test_binder_start_sets_what_the_kernel_needs_and_runs_the_command():
    result = subprocess.run(
        [str(ROOT / "binder" / "start"), "env"], capture_output=True, text=True, check=True
    )
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert env["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    assert env["DJANGO_SETTINGS_MODULE"] == "workshop_site.settings"


@pytest.mark.install  # pip, as repo2docker runs it: `make test-slow`
def test_binder_postbuild_installs_the_package_and_boots_the_shop(tmp_path):
    # As repo2docker does: from the repository's root, with the environment's Python first.
    # An install may reach the package registry (the suite's one exception to offline), so
    # the offline guard of the suite's child processes (conftest.py) is left out here.
    bin_dir = Path(sys.executable).parent
    keep = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    result = subprocess.run(
        [str(ROOT / "binder" / "postBuild")],
        cwd=ROOT,
        env={
            **keep,  # Binder: SQLite
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "WORKSHOP_HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "templates").glob("shop-*.sqlite3")), "no template database built"


def test_the_version_is_the_changelogs_newest():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    from workshop_site import VERSION

    newest = re.search(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert newest, "CHANGELOG.md has no version heading"
    assert version == VERSION == newest.group(1)


def test_find_python_refuses_a_bad_override():
    result = subprocess.run(
        ["sh", str(ROOT / "scripts" / "find-python")],
        env={"PYTHON": "/bin/false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "not a working Python >= 3.12" in result.stderr


@pytest.mark.slow
def test_find_python_finds_one_here():
    result = subprocess.run(
        ["sh", str(ROOT / "scripts" / "find-python")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    version = subprocess.run(
        [result.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
    )
    assert version.stdout.strip() == "True"


def test_starting_jupyter_does_not_build_iri_parsers():
    # nbformat and JupyterLab's event schemas import jsonschema's format checkers; from
    # jsonschema 4.24 on these import rfc3987-syntax, which compiles Lark parsers at import
    # (about 3 s of CPU per process: every test worker, every learner's server on a hub).
    code = "import sys, nbformat, jupyter_events.validators;print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "jsonschema imports rfc3987-syntax: see pyproject.toml"
