"""IPython magics: ``%%queries`` records and shows every query a cell runs."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from workshop_site.lab.capture import queries

__all__ = ["QueryMagics", "load_ipython_extension"]


@magics_class
class QueryMagics(Magics):
    @cell_magic("queries")  # type: ignore[arg-type]  # IPython's own annotation
    def queries_magic(self, line: str, cell: str) -> None:
        """Run the cell and show its queries: summary, N+1 findings, the SQL.

        ``%%queries`` as the cell's first line keeps the log in ``_queries``;
        ``%%queries q`` keeps it in ``q`` instead.
        """
        name = line.strip() or "_queries"
        if not name.isidentifier():
            raise ValueError(f"%%queries takes a variable name to keep the log in, got {name!r}")
        assert self.shell is not None  # a magic runs in a shell
        with queries() as log:
            # run_cell shows the cell's own output and traceback; the log explains them.
            self.shell.run_cell(cell)
        self.shell.user_ns[name] = log
        display(log)


def load_ipython_extension(shell: Any) -> None:
    """Register the magics (``%load_ext workshop_site.lab.magics`` does the same)."""
    shell.register_magics(QueryMagics)
