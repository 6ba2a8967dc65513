"""Set-up has one implementation (workshop_site/setup.py): the Makefile calls it, Windows
learners run it; the wheelhouse covers the same requirements."""

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from workshop_site import jupyter_settings, setup, wheelhouse

ROOT = Path(__file__).resolve().parent.parent


def test_venv_python_path_per_platform():
    assert setup.venv_python(Path("v"), windows=True) == Path("v/Scripts/python.exe")
    assert setup.venv_python(Path("v"), windows=False) == Path("v/bin/python")


def test_every_make_target_runs_the_setup_module():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.search(r"^TARGETS = (.*?)\n\n", makefile, re.M | re.S)
    assert targets, "Makefile: no TARGETS list"
    listed = targets.group(1).replace("\\\n", " ").split()
    assert listed == list(setup.TARGETS), "make and python -m workshop_site.setup differ"
    recipe = re.search(r"^\$\(TARGETS\):\n\t(.*)$", makefile, re.M)
    assert recipe, "no recipe for $(TARGETS)"
    assert "$(SETUP) $@" in recipe.group(1), "a target does its own work"
    assert "-m workshop_site.setup" in makefile


def test_make_prints_the_command_of_each_target():
    result = subprocess.run(
        ["make", "-n", "test", "ARGS=-k seed", "OFFLINE=stick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r'-m workshop_site.setup test --offline "stick" +-- -k seed', result.stdout)


def test_learners_install_the_workshop_and_tests_add_the_test_extra():
    learner = setup.install_command(Path("py"))
    assert learner[-2:] == ["-e", "."]
    tester = setup.install_command(Path("py"), extras=["test"])
    assert tester[-2:] == ["-e", ".[test]"]
    assert setup.TARGETS["lab"].extras == ()
    assert setup.TARGETS["test"].extras == ("test",)
    assert setup.TARGETS["lint"].extras == ("test",)


def test_the_install_is_quiet():
    command = setup.install_command(Path("py"))
    assert "--quiet" in command
    assert "--disable-pip-version-check" in command
    # Only setuptools' editable-install notice is silenced, by its exact text.
    assert command[1:3] == ["-W", "ignore:Editable installation:UserWarning"]
    project = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in project, "a license table makes setuptools print 3 boxes"


def test_offline_install_uses_only_the_wheelhouse():
    command = setup.install_command(Path("py"), offline="stick/wheelhouse")
    assert command[-3:] == ["--no-index", "--find-links", "stick/wheelhouse"]


@pytest.fixture
def venv(tmp_path, monkeypatch):
    """A stand-in .venv whose python "exists", with pip calls recorded, not run."""
    monkeypatch.setattr(setup, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(setup, "STAMP", tmp_path / ".venv" / ".installed")
    python = setup.venv_python()
    python.parent.mkdir(parents=True)
    python.touch()
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(setup.subprocess, "run", run)
    return calls


def test_the_stamp_records_what_was_installed_from_which_pyproject(venv, capsys):
    setup.ensure_installed()
    assert venv[-1][-1] == "."
    setup.ensure_installed()
    assert len(venv) == 1, "nothing new to install"
    setup.ensure_installed(extras=["test"])
    assert venv[-1][-1] == ".[test]"
    setup.ensure_installed()
    assert len(venv) == 2, "the learner's part is in the test install"
    stamp = json.loads(setup.STAMP.read_text())
    assert stamp["extras"] == ["test"]
    assert len(stamp["pyproject"]) == 64
    setup.STAMP.write_text("")  # the Makefile's old empty stamp: install again
    setup.ensure_installed()
    assert len(venv) == 3
    assert "Installing the workshop" in capsys.readouterr().out


def test_test_target_lints_then_runs_pytest_with_its_arguments():
    commands = setup.commands_for("test", Path("py"), ["-k", "seed"])
    assert commands[0][1:4] == ["-m", "ruff", "check"]
    assert commands[1][1:5] == ["-m", "ruff", "format", "--check"]
    assert commands[2] == ["py", "-m", "mypy"]
    markers = "not timing and not (postgres or browser or hub or install)"
    parallel = ["-n", setup.default_workers(), "--dist", "worksteal"]
    assert commands[3] == ["py", "-m", "pytest", *parallel, "-m", markers, "-k", "seed"]
    # The timing tests last, one process, and "none selected" (exit status 5) is fine.
    timing = "timing and not (postgres or browser or hub or install)"
    assert commands[4] == [setup.NONE_SELECTED_OK, "py", "-m", "pytest", "-m", timing, "-k", "seed"]


def test_check_is_lint_and_the_fast_tests_and_workers_can_be_one_process():
    commands = setup.commands_for("check", Path("py"), workers="0")
    assert [c[2] for c in commands[:3]] == ["ruff", "ruff", "mypy"]
    assert commands[3][:4] == ["py", "-m", "pytest", "-m"]
    assert "not notebook and not slow" in commands[3][4]


def test_the_class_installs_the_hub_extra_and_passes_its_options_on():
    assert setup.TARGETS["class"].extras == ("hub",)
    assert setup.TARGETS["test-slow"].extras == ("test", "hub")
    commands = setup.commands_for("class", Path("py"), ["--learners", "5"])
    assert commands == [["py", "-m", "workshop_site.classhub", "--learners", "5"]]
    slow = setup.commands_for("test-slow", Path("py"))[0]
    assert slow[slow.index("-m", 3) + 1] == "postgres or browser or hub or install"


def test_lab_listens_on_loopback_only(monkeypatch):
    monkeypatch.setattr(setup, "running_as_root", lambda: False)
    (command,) = setup.commands_for("lab", Path("py"))
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--allow-root" not in command
    assert command[-1] == "notebooks/00_welcome.ipynb"


def test_lab_as_root_passes_allow_root_and_says_why_once(monkeypatch, capsys):
    monkeypatch.setattr(setup, "running_as_root", lambda: True)
    (command,) = setup.commands_for("lab", Path("py"))
    assert "--allow-root" in command
    out = capsys.readouterr().out
    assert out.count("--allow-root") == 1
    assert "root" in out


def test_lint_leaves_notebooks_holding_a_learners_answers_alone(tmp_path):
    from workshop_site.grading.generate import main as generate

    (tmp_path / "solutions").mkdir()
    solution = nbformat.v4.new_notebook(metadata={"workshop": {"title": "T"}})
    answer = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION"
    solution.cells = [nbformat.v4.new_code_cell(answer)]
    for name in ("01_a_solutions.ipynb", "02_b_solutions.ipynb"):
        nbformat.write(solution, tmp_path / "solutions" / name)
    assert generate(["--root", str(tmp_path)]) == 0
    answered = tmp_path / "exercises" / "02_b_exercises.ipynb"
    notebook = nbformat.read(answered, as_version=4)
    notebook.cells[0].source = "def f():\n  return   1"  # not ruff-formatted
    nbformat.write(notebook, answered)
    paths, theirs = setup.linted_paths(tmp_path)
    assert theirs == [answered]
    assert "exercises/01_a_exercises.ipynb" in paths
    assert "solutions" in paths
    assert "exercises" not in paths
    assert "exercises/02_b_exercises.ipynb" not in paths


def test_jupyterlab_news_pop_up_is_off_by_the_projects_own_setting(tmp_path):
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import get_settings

    app = Path(get_app_dir())
    assert jupyter_settings.target(app.parent.parent.parent).is_file(), (
        "the workshop's JupyterLab settings are not installed: run `make install`"
    )
    found, _ = get_settings(
        str(app / "settings"),
        str(app / "schemas"),
        str(tmp_path),  # a learner who never changed a setting
        schema_name="@jupyterlab/apputils-extension:notification",
    )
    properties = found["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False


def test_the_settings_are_copied_into_an_environment(tmp_path):
    path = jupyter_settings.install(tmp_path)
    assert path == tmp_path / "share/jupyter/lab/settings/overrides.d/django-perf-workshop.json"
    assert json.loads(path.read_text()) == json.loads(jupyter_settings.SOURCE.read_text())


def test_wheelhouse_covers_the_common_laptops_and_every_requirement():
    commands = wheelhouse.download_commands(Path("w"), local=False)
    platforms = {arg for c in commands for arg in c[c.index("--platform") :]}
    for tag in ("manylinux2014_x86_64", "manylinux2014_aarch64", "macosx_11_0_arm64",
                "macosx_10_13_x86_64", "win_amd64"):  # fmt: skip
        assert tag in platforms
    requirements = wheelhouse.requirements()
    assert any(r.startswith("django") for r in requirements)
    assert any(r.startswith("pytest") for r in requirements)
    assert any(r.startswith("setuptools") for r in requirements), "needed to build -e ."
