"""``lab.start()``: boot the shop inside the running kernel, on a fresh seeded database."""

from __future__ import annotations

import atexit
import html
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from workshop_site.lab.workspace import workspace

__all__ = ["start", "ShopSummary", "kernel_database"]

DEFAULT_SIZE = 1000
DEFAULT_SEED = 42

_state: dict[str, object] = {}


def kernel_database() -> Path:
    """This process's own database file: two kernels never share or lock one."""
    return workspace() / "kernels" / f"kernel-{os.getpid()}.sqlite3"


def configure_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
    # Jupyter runs an asyncio event loop in the kernel's main thread. Django refuses
    # synchronous database calls when it sees a running loop (SynchronousOnlyOperation),
    # although notebook cells are ordinary synchronous code. This tells Django it is fine.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    own = kernel_database()
    os.environ.setdefault("WORKSHOP_DB", str(own))

    import django
    from django.apps import apps
    from django.db import connections

    if not apps.ready:
        django.setup()
    from workshop_site.lab.databases import postgres_name

    connection = connections["default"]
    # On PostgreSQL the kernel's database is a database of its own on the server.
    name = postgres_name(own) if connection.vendor == "postgresql" else str(own)
    if connection.settings_dict["NAME"] != name:
        connection.close()
        connection.settings_dict["NAME"] = name


def _remove_own_database() -> None:
    from django.db import connections

    from workshop_site.lab.databases import drop_database

    connections.close_all()
    drop_database(kernel_database())


def _prune_stale_kernels(max_age_hours: float = 12) -> None:
    """Remove databases left by kernels that died without running their exit hook."""
    folder = workspace() / "kernels"
    if not folder.is_dir():
        return
    cutoff = time.time() - max_age_hours * 3600
    for path in folder.glob("kernel-*.sqlite3*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another kernel removed it first, or it is in use on Windows


@dataclass
class ShopSummary:
    """What ``start()`` did, shown as a small table in a notebook."""

    database: Path
    size: int
    seed: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    def _lines(self) -> list[str]:
        return [f"{name:<14}{count:>8,}" for name, count in self.rows.items()]

    def __repr__(self) -> str:
        head = (
            f"Shop ready in {self.seconds:.2f} s (size={self.size}, seed={self.seed}), "
            f"database {self.database}"
        )
        return "\n".join([head, *self._lines()])

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>{count:,}</td></tr>"
            for name, count in self.rows.items()
        )
        return (
            f"<p>✅ <b>Shop ready</b> in {self.seconds:.2f} s — size={self.size}, "
            f"seed={self.seed}<br><small><code>{html.escape(str(self.database))}</code>"
            f"</small></p><table><tr><th>model</th><th>rows</th></tr>{cells}</table>"
        )


def row_counts() -> dict[str, int]:
    """Rows per shop model, in the order the models are declared."""
    from django.apps import apps

    return {
        model.__name__: model._base_manager.count()
        for model in apps.get_app_config("shop").get_models()
    }


def _load_extensions() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or _state.get("extensions_loaded"):
        return
    from workshop_site.lab import magics

    magics.load_ipython_extension(shell)
    _state["extensions_loaded"] = True


def start(
    *, size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED, quiet: bool = False
) -> ShopSummary:
    """Configure Django in this kernel and give it a fresh database with seeded data.

    Safe to run again: each call replaces this kernel's database with a clean copy of the
    cached seeded template for ``(size, seed)``, so the data is never duplicated or half
    seeded. The first call on a machine builds the template (about a second, with a
    progress bar); later calls copy it.
    """
    began = time.perf_counter()
    configure_django()
    from workshop_site.lab.databases import copy_database, template

    source = template(size=size, seed=seed, progress=not quiet)
    copy_database(source, kernel_database())
    if not _state.get("exit_hook"):
        atexit.register(_remove_own_database)
        _prune_stale_kernels()
        _state["exit_hook"] = True
    _load_extensions()
    _state.update(size=size, seed=seed)
    return ShopSummary(
        database=kernel_database(),
        size=size,
        seed=seed,
        seconds=time.perf_counter() - began,
        rows=row_counts(),
    )
