"""The task worker's process: django-tasks-db's ``db_worker``, gone when its kernel is.

``python -m workshop_site.lab.worker_process --parent <pid> [--interval s]`` runs the
worker in the foreground; a watchdog thread ends the process if the kernel that started
it (``--parent``) dies without stopping it, so no orphan keeps polling a deleted database.
The database and the backend come from the environment (see ``lab/task_queue.py``).
"""

from __future__ import annotations

import argparse
import os
import threading
import time

__all__ = ["main"]


def _exit_with_parent(parent: int, *, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)  # the kernel is gone: nobody will read the results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parent", type=int, required=True, help="the kernel's process id")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between polls")
    args = parser.parse_args(argv)
    threading.Thread(target=_exit_with_parent, args=(args.parent,), daemon=True).start()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    # Imported now rather than on the first task, which should not pay for it.
    import workshop_site.shop.tasks  # noqa: F401

    # No autoreloader (it would fork another process) and no random start-up delay.
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", str(args.interval))


if __name__ == "__main__":
    main()
