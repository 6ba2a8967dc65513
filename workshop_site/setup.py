"""Set-up, in one place: every ``make`` target runs ``python -m workshop_site.setup TARGET``.

On machines without ``make`` (most Windows laptops) the same command, from the workshop
folder, with a Python 3.12 or newer::

    py -3.12 -m workshop_site.setup lab          # Windows
    python3 -m workshop_site.setup lab           # anywhere
    python -m workshop_site.setup test -- -k seed
    python -m workshop_site.setup lab --offline D:\\wheelhouse

It creates ``.venv`` when missing and installs into it what the target needs: the
workshop for ``lab`` (what learners need), the test tools too (the ``test`` extra) for
``lint`` and ``test``. ``.venv/.installed`` records what was installed from which
``pyproject.toml``, so nothing is installed twice. Standard library only: it runs before
anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workshop_site import jupyter_settings
from workshop_site.exercise_files import learner_notebooks

__all__ = [
    "TARGETS",
    "Target",
    "venv_python",
    "install_command",
    "commands_for",
    "linted_paths",
    "running_as_root",
    "ensure_installed",
    "main",
]

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
LINTED = ["workshop_site", "tests", "notebooks", "solutions", "exercises", "benchmarks"]

#: Said once by ``lab`` when it runs as root; ``make doctor`` warns with the same words.
ROOT_REASON = (
    "JupyterLab refuses to run as root without --allow-root, which `make lab` passes "
    "(containers, cloud VMs and some lab machines log you in as root). Notebook code then "
    "runs as root too: a normal user account is safer when you have one."
)


@dataclass(frozen=True)
class Target:
    """One command: what it needs installed, and what it says it does."""

    help: str
    extras: tuple[str, ...] | None = ()  # None: nothing installed (the venv at most)


TARGETS: dict[str, Target] = {
    "install": Target("install the workshop into .venv (what learners need)"),
    "lab": Target("set up, then open the workshop in JupyterLab on 127.0.0.1"),
    "lint": Target("ruff check, ruff format --check and mypy", ("test",)),
    "check": Target("lint and the fast tests: the developer's loop, under a minute", ("test",)),
    "test": Target("lint, then the whole test suite but PostgreSQL and the browser", ("test",)),
    "test-slow": Target(
        "the suites that need more than Python: PostgreSQL, a browser, a JupyterHub",
        ("test", "hub"),
    ),
    "test-postgres": Target("the test suite on a throwaway PostgreSQL server", ("test",)),
    "doctor": Target("is this machine ready? one line per check, with fixes"),
    "exercises": Target("generate exercises/ from solutions/ (--force: over your answers)"),
    "site": Target("the shop as a real site with Django Debug Toolbar on 127.0.0.1:8000"),
    "class": Target("a class on JupyterHub on this machine, a local account each (root)", ("hub",)),
    "course": Target("the course table and every lesson's navigation, from the notebooks"),
    "timings": Target("copy the last test run's notebook timings into the course table"),
    "wheelhouse": Target("download every wheel for an offline room into wheelhouse/", None),
    "reset": Target("forget your progress and every cached database (.workshop/)", None),
    "clean": Target("reset, and remove .venv/ (and .class-hub/)", None),
}


def venv_python(venv_dir: Path | None = None, *, windows: bool | None = None) -> Path:
    windows = os.name == "nt" if windows is None else windows
    return (venv_dir or VENV) / ("Scripts/python.exe" if windows else "bin/python")


def install_command(
    python: Path, *, extras: Sequence[str] = (), offline: str | None = None
) -> list[str]:
    """pip, quiet: no progress bars, no notices, no setuptools boxes (see below)."""
    spec = f".[{','.join(sorted(extras))}]" if extras else "."
    # setuptools reports every editable install with a 6-line box ("Please be careful with
    # folders in your working directory..."), which pip shows even with --quiet. This is
    # the only warning silenced; pip's own warnings and every error still show.
    command = [str(python), "-W", "ignore:Editable installation:UserWarning", "-m", "pip"]
    command += ["install", "--quiet", "--disable-pip-version-check", "-e", spec]
    if offline:
        command += ["--no-index", "--find-links", offline]
    return command


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def linted_paths(root: Path = ROOT) -> tuple[list[str], list[Path]]:
    """What ruff checks, and the exercises notebooks it leaves alone because they hold the
    learner's work (answers, outputs): lint is the course's, not the learner's."""
    theirs = learner_notebooks(root / "exercises")
    paths: list[str] = []
    for name in LINTED:
        folder = root / name
        if not folder.exists():
            continue
        if name == "exercises" and theirs:
            ours = sorted(set(folder.glob("*.ipynb")) - set(theirs))
            paths += [p.relative_to(root).as_posix() for p in ours]
        else:
            paths.append(name)
    return paths, theirs


def _lint(py: str) -> list[list[str]]:
    paths, theirs = linted_paths()
    if theirs:
        names = ", ".join(p.name for p in theirs)
        print(
            f"exercises/ holds your work ({names}): lint leaves those notebooks alone and "
            "the tests use them as generated; your files are not changed."
        )
    return [
        [py, "-m", "ruff", "check", *paths],
        [py, "-m", "ruff", "format", "--check", *paths],
        [py, "-m", "mypy"],
    ]


#: pytest's markers (pyproject.toml): ``notebook``, ``slow`` (builds large databases or
#: waits on purpose), ``timing`` (compares times measured in the same test); ``postgres``,
#: ``browser``, ``hub`` and ``install`` (need a server, Chromium, root and Node.js for a
#: class on JupyterHub, or run pip as a deployment does: ``test-slow``, run by .ci/run).
_SLOW_SUITES = "postgres or browser or hub or install"
_FAST = f"not notebook and not slow and not timing and not ({_SLOW_SUITES})"
_ALL_BUT_SLOW_SUITES = f"not timing and not ({_SLOW_SUITES})"
_TIMING = f"timing and not ({_SLOW_SUITES})"
#: A command whose exit status 5 (pytest: no test selected) is not a failure.
NONE_SELECTED_OK = "--none-selected-ok"


def default_workers() -> str:
    """pytest-xdist's workers: one more than the CPUs. With one per CPU they stood idle a
    quarter of the time (notebook kernels starting, partners answering late); on 2 cores
    `make test`'s parallel part took 312 s with 2 workers, 260 s with 3, 248 s with 4."""
    return str((os.cpu_count() or 1) + 1)


def _pytest(py: str, markers: str, args: Sequence[str], *, workers: str | None) -> list[str]:
    # worksteal: a worker that runs out takes queued tests from the others, so a long
    # notebook started late no longer keeps one worker busy alone (load: 308 s, 260 s).
    parallel = ["-n", workers, "--dist", "worksteal"] if workers and workers != "0" else []
    return [py, "-m", "pytest", *parallel, "-m", markers, *args]


def _test(py: str, args: Sequence[str], workers: str) -> list[list[str]]:
    # The tests run on parallel workers (pytest-xdist; default_workers). The `timing`
    # tests compare times measured in the same test, so they run afterwards, one at a
    # time: no other worker can tilt them.
    return [
        *_lint(py),
        _pytest(py, _ALL_BUT_SLOW_SUITES, args, workers=workers),
        [NONE_SELECTED_OK, *_pytest(py, _TIMING, args, workers=None)],
    ]


def _lab(py: str) -> list[list[str]]:
    command = [py, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1", "--ServerApp.root_dir=."]
    if running_as_root():
        print(f"Running as root: {ROOT_REASON}")
        command.append("--allow-root")
    return [[*command, "notebooks/00_welcome.ipynb"]]


def commands_for(
    target: str, python: Path, args: Sequence[str] = (), *, workers: str | None = None
) -> list[list[str]]:
    """What ``target`` runs once the environment is installed (``args`` go to pytest for
    the test targets, to the generator for ``exercises``; ``workers`` is pytest-xdist's
    ``-n``, "0" for one process). A command starting with :data:`NONE_SELECTED_OK` may
    select no test."""
    py = str(python)
    workers = workers or default_workers()
    manage = [py, "manage.py"]
    site = "--settings=workshop_site.settings_site"
    commands: dict[str, Callable[[], list[list[str]]]] = {
        "install": lambda: [],
        "lab": lambda: _lab(py),
        "lint": lambda: _lint(py),
        "check": lambda: [*_lint(py), _pytest(py, _FAST, args, workers=workers)],
        "test": lambda: _test(py, args, workers),
        "test-slow": lambda: [[NONE_SELECTED_OK, *_pytest(py, _SLOW_SUITES, args, workers=None)]],
        "test-postgres": lambda: [[py, "-m", "workshop_site.pgserver", py, "-m", "pytest", *args]],
        "doctor": lambda: [[py, "-m", "workshop_site.doctor", *args]],
        "exercises": lambda: [[py, "-m", "workshop_site.grading.generate", *args]],
        "site": lambda: [
            [*manage, "prepare_site", site],
            [*manage, "runserver", "127.0.0.1:8000", site],
        ],
        "class": lambda: [[py, "-m", "workshop_site.classhub", *args]],
        "course": lambda: [[py, "-m", "workshop_site.course"]],
        "timings": lambda: [[py, "-m", "workshop_site.course", "--timings"]],
        "wheelhouse": lambda: [[py, "-m", "workshop_site.wheelhouse", "wheelhouse", *args]],
        "reset": lambda: [],
        "clean": lambda: [],
    }
    return commands[target]()


def _pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _installed() -> set[str] | None:
    """The extras installed from this very pyproject.toml, or None (install again)."""
    try:
        stamp = json.loads(STAMP.read_text())
        if stamp["pyproject"] == _pyproject_hash():
            return set(stamp["extras"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _python_version_check() -> None:
    if sys.version_info < (3, 12):  # noqa: UP036 - runs before install, maybe on an old Python
        raise SystemExit(
            f"This is Python {sys.version.split()[0]}; the workshop needs 3.12 or newer.\n"
            "Windows: install it from python.org, then run `py -3.12 -m workshop_site.setup lab`."
        )


def ensure_venv() -> Path:
    _python_version_check()
    python = venv_python()
    if not python.exists():
        print(f"Creating {VENV.name}/ with Python {sys.version.split()[0]} ({sys.executable})")
        venv.EnvBuilder(with_pip=True).create(VENV)
    return python


def ensure_installed(*, extras: Sequence[str] = (), offline: str | None = None) -> Path:
    """``.venv`` with the workshop (and ``extras``) installed from the current
    pyproject.toml; installs only what is missing."""
    python = ensure_venv()
    installed = _installed()
    if installed is not None and set(extras) <= installed:
        return python
    wanted = set(extras) | (installed or set())
    what = "the workshop" + (" and the test tools" if "test" in wanted else "")
    print(f"Installing {what} into {VENV.name}/ (the first time takes a minute or two)...")
    sys.stdout.flush()
    command = install_command(python, extras=sorted(wanted), offline=offline)
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode:
        raise SystemExit(
            f"pip could not install {what} (exit status {result.returncode}); its messages are "
            "above. Offline? See the README's 'A room with bad Wi-Fi'."
        )
    STAMP.write_text(json.dumps({"pyproject": _pyproject_hash(), "extras": sorted(wanted)}))
    return python


def ensure_jupyter_settings() -> None:
    # An editable install skips data files: see workshop_site/jupyter_settings.py.
    jupyter_settings.install(VENV)


def _remove(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
        print(f"removed {path.relative_to(ROOT)}/")


def _reset() -> None:
    _remove(ROOT / ".workshop")
    home = os.environ.get("WORKSHOP_HOME")
    if home:
        print(f"WORKSHOP_HOME={home} is yours: delete what you want from it yourself.")


def _run(command: list[str]) -> int:
    """Run a command in the foreground, after what this printed (also in a log). Ctrl-C
    goes to it too (the terminal sends it to both): it decides how to stop (JupyterLab
    asks to confirm, and shuts its kernels down), and this waits for it, never kills it."""
    sys.stdout.flush()
    process = subprocess.Popen(command, cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_site.setup",
        description="Set up and run the workshop (the Makefile's targets, without make).",
        epilog="\n".join(f"  {name:<14}{t.help}" for name, t in TARGETS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", choices=list(TARGETS), metavar="TARGET")
    parser.add_argument("--offline", metavar="WHEELHOUSE", help="install from this folder only")
    parser.add_argument("--force", action="store_true", help="exercises: over your answers")
    parser.add_argument(
        "--workers", help="tests: pytest-xdist workers (default: CPUs + 1; 0: one process)"
    )
    parser.add_argument("args", nargs="*", help="after --: passed on (pytest's options...)")
    options = parser.parse_args(argv)
    target = TARGETS[options.target]
    if options.target in ("reset", "clean"):
        _reset()
        if options.target == "clean":
            _remove(VENV)
            _remove(ROOT / ".class-hub")  # the class's shared environment (make class)
        return 0
    if target.extras is None:
        python = ensure_venv()
    else:
        python = ensure_installed(extras=target.extras, offline=options.offline)
        ensure_jupyter_settings()
    args = [*options.args, *(["--force"] if options.force else [])]
    for command in commands_for(options.target, python, args, workers=options.workers):
        none_ok = command[0] == NONE_SELECTED_OK
        returncode = _run(command[1:] if none_ok else command)
        if returncode and not (none_ok and returncode == 5):
            return returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
