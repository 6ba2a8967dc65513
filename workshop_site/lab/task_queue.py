"""``lab.task_worker()``: a task queue for this kernel, with its worker in another process.

Django's tasks framework only defines how to *enqueue*; who runs the tasks is the
backend's business. The default, immediate backend runs them inside ``enqueue()``, in
the request. Here, the database backend of django-tasks-db stores each task as a row,
and a worker process (``db_worker``) picks the rows up and runs them.

The worker is a separate process, so it must open the kernel's database by itself: a
database *file* (this kernel's SQLite file) or a PostgreSQL database, never an in-memory
one. ``start()`` launches it, ``stop()`` terminates it (SIGTERM: it finishes the task it
is running, then exits) and restores the immediate backend. The worker also stops if the
kernel dies. Start it after ``lab.start()``, which replaces the database file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit, urlunsplit

from django.utils import timezone

from workshop_site.lab.boot import require_started
from workshop_site.lab.leftovers import owner_tag
from workshop_site.lab.workspace import workspace

if TYPE_CHECKING:
    from django.tasks import TaskResult

__all__ = ["DATABASE_BACKEND", "TaskWorker", "task_worker"]

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
#: What db_worker prints once it polls for tasks.
_READY = b"Starting worker"


def _prepare_database() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    # Shop databases cached before the queue app was installed lack its table.
    if DBTaskResult._meta.db_table not in connection.introspection.table_names():
        call_command("migrate", DBTaskResult._meta.app_label, verbosity=0)
    if connection.vendor == "sqlite":
        # Two processes share the file now. In SQLite's default (rollback journal) mode a
        # writer waits until no one reads: the kernel polling results would starve the
        # worker claiming tasks for seconds. In WAL mode, readers never block the writer.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


def _database_environment() -> dict[str, str]:
    """Environment variables that point a new process at this kernel's database."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's wrapper
            raise RuntimeError(
                f"the task worker runs in another process and needs a database file it can "
                f"open; this connection's database is in memory ({name!r})"
            )
        return {"WORKSHOP_DB": name}
    url = urlsplit(os.environ["DATABASE_URL"])
    return {"DATABASE_URL": urlunsplit(url._replace(path=f"/{name}"))}


class TaskWorker:
    """A ``db_worker`` process on this kernel's database (see the module docstring)."""

    def __init__(self, *, interval: float = 0.05) -> None:
        self.interval = interval
        # Named for its kernel: the next lab.start() removes it once that kernel is gone.
        self.log_path = workspace() / "kernels" / f"worker-{owner_tag()}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._previous_tasks: Any = None
        self._started_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, *, timeout: float = 10.0) -> Self:
        """Use the database backend in this kernel, launch the worker and wait until it
        polls for tasks (Django's start-up, about a second). Idempotent."""
        if self.running:
            return self
        from django.conf import settings

        from workshop_site.lab.setting_swap import swap_setting

        _prepare_database()
        env = {
            **os.environ,
            **_database_environment(),
            "DJANGO_SETTINGS_MODULE": "workshop_site.settings",
            "WORKSHOP_TASKS_BACKEND": DATABASE_BACKEND,
            "WORKSHOP_PARTNERS_URL": str(settings.PARTNERS["URL"]),
            "WORKSHOP_PARTNERS_API_KEY": str(settings.PARTNERS["API_KEY"]),
            "DJANGO_DEBUG": "0",
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._started_at = timezone.now()
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable, "-m", "workshop_site.lab.worker_process",
                    "--parent", str(os.getpid()), "--interval", str(self.interval),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        if self._previous_tasks is None:
            self._previous_tasks = swap_setting("TASKS", {"default": {"BACKEND": DATABASE_BACKEND}})
        self._wait_until_ready(timeout)
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _READY not in self.log_path.read_bytes():
            if not self.running:
                raise RuntimeError(f"the task worker exited at start-up:\n{self.log()[-1500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the task worker was not ready after {timeout} s")
            time.sleep(0.05)

    def stop(self, *, timeout: float = 5.0) -> int | None:
        """Terminate the worker, wait for it, restore the immediate backend: its exit code."""
        from workshop_site.lab.setting_swap import swap_setting

        code = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            code = self._process.returncode
            self._process = None
        if self._previous_tasks is not None:
            swap_setting("TASKS", self._previous_tasks)
            self._previous_tasks = None
        return code

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, results: Iterable[TaskResult], *, timeout: float = 3.0) -> list[TaskResult]:
        """Refresh ``results`` until all are finished; TimeoutError naming the stragglers."""
        pending = list(results)
        deadline = time.monotonic() + timeout
        while True:
            for result in pending:
                result.refresh()
            if all(result.is_finished for result in pending):
                return pending
            if time.monotonic() > deadline or not self.running:
                waiting = ", ".join(
                    f"{r.task.name} {r.status}" for r in pending if not r.is_finished
                )
                state = "running" if self.running else "not running"
                raise TimeoutError(
                    f"tasks still unfinished after {timeout} s: {waiting}; the worker is "
                    f"{state} (its log: {self.log_path})\n{self.log()[-1500:]}"
                )
            time.sleep(0.05)

    def queued(self) -> list[TaskResult]:
        """The tasks enqueued since the worker started, oldest first, as they are now."""
        from django_tasks_db.models import DBTaskResult

        if self._started_at is None:
            return []
        rows = DBTaskResult.objects.filter(enqueued_at__gte=self._started_at)
        return [row.task_result for row in rows.order_by("enqueued_at", "id")]

    def log(self) -> str:
        """What the worker printed (its log file)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __repr__(self) -> str:
        state = f"running, pid {self._process.pid}" if self.running and self._process else "stopped"
        return f"<TaskWorker {state}, database backend {'on' if self._previous_tasks else 'off'}>"


_workers: dict[str, TaskWorker] = {}


def task_worker(*, interval: float = 0.05) -> TaskWorker:
    """This kernel's task worker, started (once) on its database; ``.stop()`` to end it."""
    require_started("lab.task_worker()")
    from workshop_site.lab import exit_hooks

    worker = _workers.get("worker")
    if worker is None:
        worker = _workers["worker"] = TaskWorker(interval=interval)
        exit_hooks.register(worker.stop)
    worker.interval = interval
    return worker.start()
