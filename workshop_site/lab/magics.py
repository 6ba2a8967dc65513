"""IPython magics: ``%%queries`` records and shows every query a cell runs."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from workshop_site.lab.capture import queries

__all__ = ["QueryMagics", "load_ipython_extension"]


@magics_class
class QueryMagics(Magics):
    @cell_magic("queries")
    def queries_magic(self, line: str, cell: str) -> None:
        """Run the cell and show its queries (``%%queries`` as the cell's first line)."""
        with queries() as log:
            result = self.shell.run_cell(cell)
        self.shell.user_ns["_queries"] = log
        display(log)
        if result.error_in_exec is not None:
            # The traceback was already shown by run_cell; the log above still explains it.
            return None


def load_ipython_extension(shell: Any) -> None:
    """Register the magics (``%load_ext workshop_site.lab.magics`` does the same)."""
    shell.register_magics(QueryMagics)
