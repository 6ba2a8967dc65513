"""A class on one machine: JupyterHub on 127.0.0.1 with a local account per learner.

    with class_hub(learners=3) as hub:
        hub.url, hub.learners, hub.course, hub.progress_files()

What runs, and what a real deployment uses instead:

- JupyterHub itself (PyPI ``jupyterhub``), its configurable-http-proxy (npm), the hub's
  database and secrets in the class's folder;
- the PAM authenticator with a generated password per learner (TLJH: its first-use
  authenticator or an OAuth one; a conference: GitHub or the organiser's OAuth);
- the local-process spawner: each learner's server runs as their own system user, in
  their home folder (Z2JH: KubeSpawner, a pod each);
- every server, the hub, the proxy and the proxy's API on 127.0.0.1 only (a real hub
  puts the proxy's public port behind TLS).

Each learner's workspace (cached databases, kernels' databases, ``progress.jsonl``) is
``~/.django-perf-workshop``, set as ``WORKSHOP_HOME`` by the spawner, although the package
is one shared install. Everything started is stopped when the block ends: normally, on
an error, on Ctrl-C; the accounts are removed with their homes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from workshop_site.classhub.accounts import (
    Learner,
    create_learners,
    remove_learners,
    remove_leftovers,
)
from workshop_site.classhub.course import Course, publish
from workshop_site.classhub.errors import ClassHubError
from workshop_site.classhub.proxy import install_proxy
from workshop_site.classhub.shared_env import SharedEnvironment, shared_environment

__all__ = ["ClassHub", "class_hub", "hub_config", "SERVICE"]

SERVICE = "class-hub"  # the service whose token the scripts use (admin of the class)
_START_TIMEOUT = 180  # seconds: 30 servers starting at once on 2 CPUs take a while


@dataclass(frozen=True)
class ClassHub:
    """A running class: its address, the learners' accounts, the course they pull."""

    url: str
    token: str  # the class-hub service's token: create and inspect users and servers
    learners: list[Learner]
    course: Course
    folder: Path
    environment: SharedEnvironment
    pid: int

    def progress_files(self) -> str:
        """The glob of every learner's progress file, for ``grading report --live``."""
        return str(self.folder / "homes" / "*" / ".django-perf-workshop" / "progress.jsonl")

    @property
    def log(self) -> Path:
        return self.folder / "hub" / "jupyterhub.log"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hub_config(
    *,
    port: int,
    hub_port: int,
    api_port: int,
    proxy: Path,
    environment: SharedEnvironment,
    learners: list[str],
    token: str,
    course: Course,
    state: Path,
) -> str:
    """The ``jupyterhub_config.py`` of the class (plain values, written with repr)."""
    singleuser = environment.bin / "jupyterhub-singleuser"
    spawner_env = {
        **environment.environment,
        "WORKSHOP_SITE_ORIGIN": f"http://127.0.0.1:{port}",
    }
    lines = [
        "# Written by workshop_site.classhub for one class; removed when it stops.",
        "import os",
        "import pwd",
        "c = get_config()  # noqa: F821",
        f"c.JupyterHub.bind_url = {f'http://127.0.0.1:{port}/'!r}",
        f"c.JupyterHub.hub_bind_url = {f'http://127.0.0.1:{hub_port}'!r}",
        f"c.ConfigurableHTTPProxy.api_url = {f'http://127.0.0.1:{api_port}'!r}",
        f"c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]",
        f"c.ConfigurableHTTPProxy.auth_token = {secrets.token_hex(32)!r}",
        f"c.JupyterHub.db_url = {f'sqlite:///{state / "jupyterhub.sqlite"}'!r}",
        f"c.JupyterHub.cookie_secret_file = {str(state / 'cookie_secret')!r}",
        f"c.JupyterHub.pid_file = {str(state / 'jupyterhub.pid')!r}",
        "c.JupyterHub.authenticator_class = 'pam'",
        f"c.Authenticator.allowed_users = {set(learners)!r}",
        "c.JupyterHub.spawner_class = 'localprocess'",
        f"c.Spawner.cmd = [{str(singleuser)!r}]",
        "c.Spawner.ip = '127.0.0.1'",
        "c.Spawner.default_url = '/lab'",
        f"c.Spawner.start_timeout = {_START_TIMEOUT}",
        f"c.Spawner.http_timeout = {_START_TIMEOUT}",
        # Kernels idle for 20 minutes are shut down, tab open or not (docs/jupyterhub.md).
        "c.Spawner.args = ['--MappingKernelManager.cull_idle_timeout=1200',"
        " '--MappingKernelManager.cull_interval=120',"
        " '--MappingKernelManager.cull_connected=True']",
        f"c.Spawner.environment = {spawner_env!r}",
        # Each learner's workspace in their own home, whatever the package's install.
        "c.Spawner.environment['WORKSHOP_HOME'] = "
        "lambda spawner: os.path.join(pwd.getpwnam(spawner.user.name).pw_dir,"
        " '.django-perf-workshop')",
        f"c.JupyterHub.services = [{{'name': {SERVICE!r}, 'api_token': {token!r}}}]",
        "c.JupyterHub.load_roles = [{'name': 'class-hub', 'services': ["
        f"{SERVICE!r}], 'scopes': ['admin:users', 'admin:servers', 'access:servers', "
        "'tokens', 'list:users', 'read:users']}]",
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.cleanup_proxy = True",
    ]
    return "\n".join(lines) + "\n"


def trust_course(learner: Learner, course: Course) -> None:
    """git (since its 2022 security fixes) refuses to read a repository another user owns,
    even to clone it, unless the user's own git config says it is safe. On a real hub the
    course comes from a git server and this is not needed."""
    config = learner.home / ".gitconfig"
    config.write_text(f"[safe]\n\tdirectory = {course.repository}\n")
    os.chown(config, learner.uid, -1)


def _wait_for_hub(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClassHubError(f"JupyterHub stopped at start (exit {process.returncode}):\n"
                                + _tail(log))  # fmt: skip
        try:
            answer = requests.get(
                f"{url}hub/api/users", headers={"Authorization": f"token {token}"}, timeout=5
            )
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise ClassHubError("JupyterHub did not answer within 90 s:\n" + _tail(log))


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes], state: Path) -> None:
    """The hub stops the learners' servers and its proxy on SIGTERM; whatever it left
    after 30 s (or after being killed) is ended here. The learners' own processes go
    with their accounts (:func:`remove_learners`)."""
    import psutil

    spawned: set[int] = set()
    try:
        spawned |= {child.pid for child in psutil.Process(process.pid).children(recursive=True)}
    except psutil.Error:
        pass
    try:  # the proxy, even when the hub died before this
        spawned.add(int((state / "jupyterhub-proxy.pid").read_text()))
    except (OSError, ValueError):
        pass
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    left = []
    for pid in spawned:
        try:
            child = psutil.Process(pid)
            child.terminate()
            left.append(child)
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(left, timeout=5)
    for child in alive:
        child.kill()


@contextmanager
def class_hub(
    learners: int,
    *,
    prefix: str = "learner",
    port: int | None = None,
    ref: str = "HEAD",
) -> Iterator[ClassHub]:
    """Start a class of ``learners`` accounts (``learner1``...); stop it all afterwards."""
    if learners < 1:
        raise ClassHubError(f"a class needs at least one learner, not {learners}")
    for name in remove_leftovers():
        print(f"removed {name}, an account left by a class that was killed", flush=True)
    environment = shared_environment()
    proxy = install_proxy()
    folder = Path(tempfile.mkdtemp(prefix="workshop-class-"))
    folder.chmod(0o755)  # the learners reach their homes and the course through it
    state, homes, course_dir = folder / "hub", folder / "homes", folder / "course"
    state.mkdir(mode=0o700)  # the hub's database, secrets and tokens
    homes.mkdir(mode=0o755)
    course_dir.mkdir(mode=0o755)
    accounts: list[Learner] = []
    process: subprocess.Popen[bytes] | None = None
    try:
        course = publish(course_dir, ref=ref)
        accounts = create_learners([f"{prefix}{i}" for i in range(1, learners + 1)], homes)
        for account in accounts:
            trust_course(account, course)
        port = port or _free_port()
        token = secrets.token_hex(32)
        config = state / "jupyterhub_config.py"
        config.write_text(
            hub_config(
                port=port,
                hub_port=_free_port(),
                api_port=_free_port(),
                proxy=proxy,
                environment=environment,
                learners=[a.name for a in accounts],
                token=token,
                course=course,
                state=state,
            )
        )
        log = state / "jupyterhub.log"
        env = {
            **os.environ,
            **environment.environment,
            "PATH": f"{environment.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        env.pop("WORKSHOP_HOME", None)
        env.pop("WORKSHOP_PROGRESS", None)
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(environment.bin / "jupyterhub"), "-f", str(config)],
                cwd=state,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches this process, which stops it in order
            )
        url = f"http://127.0.0.1:{port}/"
        _wait_for_hub(url, token, process, log)
        yield ClassHub(url, token, accounts, course, folder, environment, process.pid)
    finally:
        if process is not None:
            _stop(process, state)
        remove_learners(accounts)
        shutil.rmtree(folder, ignore_errors=True)
