"""lab.task_worker(): a django-tasks-db worker in its own process, on the kernel's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from workshop_site.lab.task_queue import _database_environment

# What a notebook does, in a process of its own as a kernel is.
SCRIPT = """
import json, os
from workshop_site import lab
from workshop_site.lab.local_partners import partners
from workshop_site.lab.task_queue import task_worker
lab.start(quiet=True)
service = partners()
from workshop_site.shop.models import Order
from workshop_site.shop.tasks import send_order_confirmation, sync_order_to_crm
worker = task_worker()
pid = worker._process.pid
order = Order.objects.order_by("pk").first()
results = [send_order_confirmation.enqueue(order.pk), sync_order_to_crm.enqueue(order.pk)]
queued = [str(r.status) for r in results]
listed = [r.id for r in worker.queued()] == [r.id for r in results]
done = worker.wait(worker.queued(), timeout=20)
from django.conf import settings
backend_during = settings.TASKS["default"]["BACKEND"]
code = worker.stop()
try:
    os.kill(pid, 0)
    alive = True
except ProcessLookupError:
    alive = False
print(json.dumps({
    "queued": queued,
    "listed": listed,
    "done": [str(r.status) for r in done],
    "values": [r.return_value for r in done],
    "hits": [h.partner for h in service.hits()],
    "backend_during": backend_during,
    "backend_after": settings.TASKS["default"]["BACKEND"],
    "exit_code": code,
    "alive": alive,
}))
"""


@pytest.mark.slow
def test_the_worker_runs_queued_tasks_in_another_process_and_stops():
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["queued"] == ["READY", "READY"]  # stored: nothing ran in enqueue()
    assert result["listed"]  # worker.queued() lists them, oldest first
    assert result["done"] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert result["values"][0].startswith("msg_")
    assert result["values"][1].startswith("evt_")
    assert sorted(result["hits"]) == ["crm", "mail"]  # the worker reached the partners
    assert result["backend_during"] == "django_tasks_db.DatabaseBackend"
    assert result["backend_after"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert result["exit_code"] == 0
    assert not result["alive"]


@pytest.mark.django_db
def test_an_in_memory_database_is_refused_with_the_reason():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite test databases live in memory")
    assert connection.is_in_memory_db()
    with pytest.raises(RuntimeError, match="needs a database file it can open"):
        _database_environment()


def test_a_postgresql_worker_gets_the_kernel_database_in_its_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://me@127.0.0.1:5432/workshop")

    class FakePostgres:
        vendor = "postgresql"
        settings_dict = {"NAME": "ws_kernel_42"}

    monkeypatch.setattr("django.db.connection", FakePostgres())
    assert _database_environment() == {"DATABASE_URL": "postgres://me@127.0.0.1:5432/ws_kernel_42"}
    assert os.environ["DATABASE_URL"].endswith("/workshop")  # the kernel's own is unchanged


def test_the_worker_process_exits_when_its_kernel_is_gone():
    # --parent names a process that is not its parent (this one is): as if it had died.
    not_the_parent = str(os.getpid() + 1)
    proc = subprocess.run(
        [sys.executable, "-m", "workshop_site.lab.worker_process", "--parent", not_the_parent],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Starting worker" not in proc.stdout  # it never got to poll
