"""``lab.start()``: boot the shop inside the running kernel, on a fresh seeded database.

Every ``lab`` entry point that needs Django calls :func:`require_started` first, so that
using one before ``lab.start()`` says so instead of raising Django's own errors.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import AppRegistryNotReady

from workshop_site.lab import exit_hooks
from workshop_site.lab.leftovers import owner_tag, prune_files
from workshop_site.lab.workspace import workspace

__all__ = ["start", "ShopSummary", "kernel_database", "require_started", "ShopNotStarted"]

DEFAULT_SIZE = 1000
DEFAULT_SEED = 42

_state: dict[str, object] = {}


class ShopNotStarted(AppRegistryNotReady, RuntimeError):
    """A ``lab`` function that needs the shop was called before ``lab.start()``."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this line instead of a traceback through lab's internals.
        return [f"{type(self).__name__}: {self}"]


def require_started(what: str) -> None:
    """Raise :class:`ShopNotStarted` unless Django is set up (by ``lab.start()``, or by a
    test runner); ``what`` names the caller, e.g. ``"lab.queries()"``."""
    from django.apps import apps

    if not apps.ready:
        raise ShopNotStarted(
            f"{what} needs the shop: run `lab.start()` first "
            "(the first code cell of every notebook: `from workshop_site import lab; "
            "lab.start()`)."
        )


def kernel_database() -> Path:
    """This process's own database file: two kernels never share or lock one. Named with
    the user, host and process id, so that a dead kernel's is found and removed."""
    return workspace() / "kernels" / f"kernel-{owner_tag()}.sqlite3"


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


def _prune_leftovers() -> None:
    """Remove what killed kernels, builds and copies of this user on this host left:
    their databases (files, or PostgreSQL databases), half-built templates, worker logs."""
    from workshop_site.lab.databases import prune_databases

    prune_files([workspace() / "kernels", workspace() / "templates"])
    prune_databases()


def _refuse_inside_a_transaction() -> None:
    from django.apps import apps
    from django.db import connections

    if apps.ready and connections["default"].in_atomic_block:
        raise RuntimeError(
            "lab.start() replaces this kernel's database, which it cannot do inside a "
            "transaction: run it on its own, outside the `with transaction.atomic():` block "
            "(then open the block again for what should be rolled back)."
        )


@dataclass
class ShopSummary:
    """What ``start()`` did, shown as a small table in a notebook."""

    database: Path
    size: int
    seed: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    workspace: Path | None = None  # progress, cached databases: WORKSHOP_HOME or .workshop

    def _lines(self) -> list[str]:
        return [f"{name:<14}{count:>8,}" for name, count in self.rows.items()]

    def __repr__(self) -> str:
        head = (
            f"Shop ready in {self.seconds:.2f} s (size={self.size}, seed={self.seed}), "
            f"database {self.database}"
        )
        where = [f"Workspace (progress, cached databases): {self.workspace}"]
        return "\n".join([head, *(where if self.workspace else []), *self._lines()])

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>{count:,}</td></tr>"
            for name, count in self.rows.items()
        )
        where = (
            f"<br><small>workspace (progress, cached databases): "
            f"<code>{html.escape(str(self.workspace))}</code></small>"
            if self.workspace
            else ""
        )
        return (
            f"<p>✅ <b>Shop ready</b> in {self.seconds:.2f} s — size={self.size}, "
            f"seed={self.seed}<br><small><code>{html.escape(str(self.database))}</code>"
            f"</small>{where}</p><table><tr><th>model</th><th>rows</th></tr>{cells}</table>"
        )


def row_counts() -> dict[str, int]:
    """Rows per shop model, in the order the models are declared."""
    require_started("lab.row_counts()")
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
    _refuse_inside_a_transaction()  # before anything closes or repoints the connection
    configure_django()
    from workshop_site.lab.databases import copy_database, template

    if not _state.get("exit_hook"):
        # Before building or copying: what a killed attempt left may be what fills the disk.
        _prune_leftovers()
        exit_hooks.register(_remove_own_database)
        _state["exit_hook"] = True
    source = template(size=size, seed=seed, progress=not quiet)
    copy_database(source, kernel_database())
    _load_extensions()
    _state.update(size=size, seed=seed)
    return ShopSummary(
        database=kernel_database(),
        size=size,
        seed=seed,
        seconds=time.perf_counter() - began,
        rows=row_counts(),
        workspace=workspace(),
    )
