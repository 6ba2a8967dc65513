"""Execute a notebook headless with nbclient and report how long each cell took.

Used by the test suite (every notebook runs top to bottom), by the grading report (a
folder of learners' notebooks) and by the timing table in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["NotebookRun", "execute_notebook", "strip_outputs", "has_outputs"]


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


def execute_notebook(
    path: Path | str,
    *,
    timeout: int = 120,
    cwd: Path | str | None = None,
    allow_errors: bool = False,
    kernel_name: str = "python3",
) -> NotebookRun:
    """Run the notebook at ``path`` in a fresh kernel; raise on the first error."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=allow_errors,
        # A graceful shutdown (about 0.7 s slower than killing the kernel) lets the
        # kernel run its exit hooks, which remove its own copy of the shop's database.
        shutdown_kernel="graceful",
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()
    timings = [
        (index, _seconds(cell), (cell.source.splitlines() or [""])[0])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    return NotebookRun(path=path, notebook=notebook, cell_seconds=timings)


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
