"""Execute a notebook headless with nbclient and report how long each cell took.

Used by the test suite (every notebook runs top to bottom), by the grading report (a
folder of learners' notebooks) and by the timing table in the README.

``after_cell`` lets the caller run more code in the same kernel right after a cell, on
the variables the notebook's cells produced: the notebook tests assert the prose's claims
and try each "your turn" activity that way, without running the notebook twice. The
code it runs is not added to the notebook (its outputs and timings are the notebook's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["Kernel", "NotebookRun", "execute_notebook", "strip_outputs", "has_outputs"]


@dataclass
class NotebookRun:
    path: Path
    notebook: nbformat.NotebookNode
    cell_seconds: list[tuple[int, float, str]]  # (cell index, seconds, first line)

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds, _ in self.cell_seconds)

    @property
    def slowest(self) -> tuple[int, float, str]:
        return max(self.cell_seconds, key=lambda item: item[1], default=(-1, 0.0, ""))

    def outputs_text(self) -> str:
        """Every stream and text/plain output, for assertions on what a learner saw."""
        parts: list[str] = []
        for cell in self.notebook.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    parts.append(output.get("text", ""))
                elif "data" in output:
                    parts.append(output["data"].get("text/plain", ""))
                    parts.append(output["data"].get("text/html", ""))
                elif output.get("output_type") == "error":
                    parts.append("\n".join(output.get("traceback", [])))
        return "\n".join(parts)


def _seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


class Kernel:
    """The running notebook's kernel, for code run between its cells (``after_cell``)."""

    def __init__(self, client: NotebookClient) -> None:
        self._client = client

    def run(self, code: str) -> str:
        """Run ``code`` in the kernel; its printed and displayed text. Raises nbclient's
        ``CellExecutionError`` (with the traceback) when the code raises. The notebook's
        cells are left as they ran (nbclient writes an executed cell back at its index:
        this one gets a slot of its own, removed afterwards)."""
        cell = nbformat.v4.new_code_cell(code)
        cells = self._client.nb.cells
        cells.append(cell)
        try:
            self._client.execute_cell(cell, len(cells) - 1, store_history=False)
        finally:
            cells.pop()
        return _text(cell)


def _text(cell: nbformat.NotebookNode) -> str:
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


#: ``after_cell(index, cell, kernel)``: called after each cell ran, before the next one.
AfterCell = Callable[[int, nbformat.NotebookNode, Kernel], None]


#: Kernel starts before a notebook run gives up (see the port race in execute_notebook).
_KERNEL_STARTS = 3
_KERNEL_DIED_AT_START = "Kernel died before replying to kernel_info"


def execute_notebook(
    path: Path | str,
    *,
    timeout: int = 120,
    cwd: Path | str | None = None,
    allow_errors: bool = False,
    kernel_name: str = "python3",
    after_cell: AfterCell | None = None,
) -> NotebookRun:
    """Run the notebook at ``path`` in a fresh kernel; raise on the first error."""
    path = Path(path)
    for attempt in range(_KERNEL_STARTS):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=kernel_name,
            allow_errors=allow_errors,
            # Killed once its cells ran and it ran its exit hooks (_EXIT_HOOKS).
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd or path.parent)}},
        )
        try:
            _execute_with(client, after_cell)
            break
        except RuntimeError as error:
            # jupyter_client picks free ports, releases them and lets the kernel bind
            # them: a kernel started at the same moment elsewhere can take one first, and
            # the kernel dies before it answers (jupyter/jupyter_client#154). No cell ran:
            # start a new kernel, on new ports.
            if _KERNEL_DIED_AT_START not in str(error) or attempt == _KERNEL_STARTS - 1:
                raise
    timings = [
        (index, _seconds(cell), (cell.source.splitlines() or [""])[0])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    return NotebookRun(path=path, notebook=notebook, cell_seconds=timings)


#: Run in the kernel after the last cell: the workshop's exit hooks (its copies of the
#: databases removed, local partners and task workers stopped: lab.exit_hooks), so that
#: it can then be killed; a graceful shutdown took 0.6 s more per notebook. A kernel that
#: never imported the workshop has none. A kernel stopped by an error is killed without
#: them: the next ``lab.start()`` on the machine removes what a dead kernel left.
_EXIT_HOOKS = """
import sys as _sys
if "workshop_site.lab.exit_hooks" in _sys.modules:
    _sys.modules["workshop_site.lab.exit_hooks"].run()
"""


def _execute_with(client: NotebookClient, after_cell: AfterCell | None) -> None:
    """``client.execute()``, cell by cell (nbclient's public ``setup_kernel`` and
    ``execute_cell``), calling ``after_cell`` after each one; then the exit hooks."""
    client.reset_execution_trackers()
    kernel = Kernel(client)
    with client.setup_kernel():
        assert client.kc is not None
        info = client.wait_for_reply(client.kc.kernel_info())
        if info is not None and "language_info" in info["content"]:
            client.nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            if after_cell is not None:
                after_cell(index, cell, kernel)
        client.set_widgets_metadata()
        kernel.run(_EXIT_HOOKS)


def has_outputs(notebook: nbformat.NotebookNode) -> bool:
    return any(
        cell.get("outputs") or cell.get("execution_count")
        for cell in notebook.cells
        if cell.cell_type == "code"
    )


def strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return notebook
