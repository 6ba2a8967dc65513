"""One environment for the whole class: a Python and the workshop that every learner can run.

A hub's learners are separate system users, and the single-user servers and kernels run as
them: the interpreter, its standard library and the packages must be readable by all.
TLJH puts them in ``/opt/tljh/user``. The project's own ``.venv`` is fine when its Python
is readable by every user; a pyenv Python under ``/root`` (mode 0700) is not, so then the
interpreter is copied beside the class's environment (``.class-hub/python``, without its
test suite and its own site-packages) and the environment is built from that copy, once:
``.class-hub/venv``, with the workshop installed editable from this checkout and the hub's
extra (JupyterHub, nbgitpuller, jupyter-server-proxy).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from workshop_site import jupyter_settings
from workshop_site.classhub.errors import ClassHubError
from workshop_site.setup import ROOT, install_command, venv_python

__all__ = ["SharedEnvironment", "readable_by_all", "shared_environment"]

STATE = ROOT / ".class-hub"


@dataclass(frozen=True)
class SharedEnvironment:
    """The Python every process of the class runs, and what its processes need set."""

    python: Path
    environment: dict[str, str] = field(default_factory=dict)  # LD_LIBRARY_PATH for a copy

    @property
    def bin(self) -> Path:
        return self.python.parent


def closed_folder(path: Path) -> Path | None:
    """The first folder above ``path`` that other users cannot enter, if any."""
    for folder in reversed(path.resolve().parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


def readable_by_all(path: Path) -> bool:
    """Can any user read ``path`` (and reach it: every folder above it searchable)?"""
    if closed_folder(path) is not None:
        return False
    mode = os.stat(path.resolve()).st_mode
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


def _require_reachable_checkout() -> None:
    """The learners' servers run as their own users and import the workshop from this
    checkout (installed editable): a checkout they cannot reach made every server fail to
    start (HTTP 500, "Permission denied" only in the hub's log)."""
    closed = closed_folder(ROOT / "pyproject.toml")
    if closed is not None:
        mode = stat.S_IMODE(os.stat(closed).st_mode)
        raise ClassHubError(
            f"The workshop's checkout ({ROOT}) is inside {closed} (mode {mode:04o}), which "
            "the learners' accounts cannot enter: their servers run as them and load the "
            "workshop from this checkout. Clone it where every user can reach it (under "
            f"/srv or /opt), or let them through: `chmod o+x {closed}`."
        )


def _base_python_readable() -> bool:
    base = Path(sys.base_prefix)
    library = base / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return readable_by_all(Path(sys.executable)) and readable_by_all(library)


def _copy_interpreter(into: Path) -> None:
    """The running Python's installation, without what a venv does not use."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    skip = {base / "lib" / version / "test", base / "lib" / version / "site-packages"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if Path(folder) / name in skip or name == "__pycache__"}

    partial = into.with_name(into.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(base, partial, symlinks=True, ignore=ignore)
    (partial / "lib" / version / "site-packages").mkdir()
    partial.chmod(0o755)
    partial.rename(into)


def _stamp(extras: tuple[str, ...]) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return json.dumps({"pyproject": digest, "extras": list(extras), "python": sys.version})


def shared_environment(*, extras: tuple[str, ...] = ("hub",)) -> SharedEnvironment:
    """The class's environment, built the first time (a minute or two) when the
    project's own Python cannot be run by other users."""
    _require_reachable_checkout()
    if _base_python_readable() and readable_by_all(venv_python()):
        return SharedEnvironment(venv_python())
    base, env_dir = STATE / "python", STATE / "venv"
    libraries = {"LD_LIBRARY_PATH": str(base / "lib")}
    python = venv_python(env_dir)
    stamp = env_dir / ".installed"
    if stamp.is_file() and stamp.read_text() == _stamp(extras) and python.exists():
        return SharedEnvironment(python, libraries)
    STATE.mkdir(exist_ok=True)
    STATE.chmod(0o755)
    # The caller's PYTHONPATH (the test suite's offline guard) is not the class's: pip may
    # need the package index.
    environment = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **libraries}
    if not python.exists() or not stamp.is_file() or sys.version not in stamp.read_text():
        print(
            f"The workshop's Python ({sys.base_prefix}) cannot be read by other users: "
            f"building the class's shared environment in {env_dir.relative_to(ROOT)}/ from a "
            "copy of it (once; a minute or two)...",
            flush=True,
        )
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(env_dir, ignore_errors=True)
        _copy_interpreter(base)
        copied = base / "bin" / Path(sys.executable).resolve().name
        if not copied.exists():
            copied = base / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
        # The copied interpreter makes the venv (symlinks to the copy, pyvenv.cfg naming it).
        create = f"import venv; venv.EnvBuilder(with_pip=True).create({str(env_dir)!r})"
        subprocess.run([str(copied), "-c", create], check=True, env=environment)
    else:
        print(f"Updating the class's environment ({env_dir.relative_to(ROOT)}/)...", flush=True)
    result = subprocess.run(install_command(python, extras=extras), cwd=ROOT, env=environment)
    if result.returncode:
        raise ClassHubError(
            f"pip could not install the workshop into {env_dir} (exit status "
            f"{result.returncode}); its messages are above."
        )
    jupyter_settings.install(env_dir)
    stamp.write_text(_stamp(extras))
    return SharedEnvironment(python, libraries)
