"""The project's own files install what it needs, in one consistent list."""

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[1] >= project["requires-python"].removeprefix(">=")
    assert "-e ." in pip or "." in pip, "environment.yml must install the workshop package itself"
    declared = {_name(r): r.replace(" ", "") for r in project["dependencies"]}
    listed = {_name(r): r.replace(" ", "") for r in pip if not r.startswith("-e") and r != "."}
    assert listed == declared


def test_find_python_refuses_a_bad_override():
    result = subprocess.run(
        ["sh", str(ROOT / "scripts" / "find-python")],
        env={"PYTHON": "/bin/false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "not a working Python >= 3.12" in result.stderr


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
