"""The make-less set-up (Windows) and the wheelhouse run the same steps as the Makefile."""

from pathlib import Path

from workshop_site import setup, wheelhouse


def test_venv_python_path_per_platform():
    assert setup.venv_python(Path("v"), windows=True) == Path("v/Scripts/python.exe")
    assert setup.venv_python(Path("v"), windows=False) == Path("v/bin/python")


def test_offline_install_uses_only_the_wheelhouse():
    command = setup.install_command(Path("py"), offline="stick/wheelhouse")
    assert command[-3:] == ["--no-index", "--find-links", "stick/wheelhouse"]
    assert "-e" in command
    assert ".[test]" in command


def test_test_target_lints_then_runs_pytest_like_make_test():
    commands = setup.commands_for("test", Path("py"))
    assert commands[0][1:4] == ["-m", "ruff", "check"]
    assert commands[1][1:5] == ["-m", "ruff", "format", "--check"]
    assert commands[-1] == ["py", "-m", "pytest"]


def test_lab_target_listens_on_loopback_only():
    (command,) = setup.commands_for("lab", Path("py"))
    assert "--ServerApp.ip=127.0.0.1" in command
    assert command[-1] == "notebooks/00_welcome.ipynb"


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
