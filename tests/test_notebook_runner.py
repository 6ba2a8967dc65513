"""The notebook runner starts a new kernel when one dies before answering (the port race
of parallel kernel starts), and never hides any other failure."""

import os
from pathlib import Path

import nbformat
import pytest

from workshop_site import notebook_runner


def _notebook(tmp_path: Path) -> Path:
    path = tmp_path / "one.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(notebook, path)
    return path


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    starts = []

    def execute(client, after_cell):
        starts.append(client)
        if len(starts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(notebook_runner, "_execute_with", execute)
    notebook_runner.execute_notebook(_notebook(tmp_path))
    assert len(starts) == 2


def test_any_other_failure_is_raised_at_once(tmp_path, monkeypatch):
    starts = []

    def execute(client, after_cell):
        starts.append(client)
        raise RuntimeError("something else")

    monkeypatch.setattr(notebook_runner, "_execute_with", execute)
    with pytest.raises(RuntimeError, match="something else"):
        notebook_runner.execute_notebook(_notebook(tmp_path))
    assert len(starts) == 1


def test_code_run_between_cells_leaves_the_notebooks_cells_as_they_ran(tmp_path):
    ran = []

    def after_cell(index, cell, kernel):
        ran.append(kernel.run("print('between')"))

    run = notebook_runner.execute_notebook(_notebook(tmp_path), after_cell=after_cell)
    assert ran == ["between\n"]
    assert [cell.source for cell in run.notebook.cells] == ["1 + 1"]
    assert run.notebook.cells[0].outputs[0]["data"]["text/plain"] == "2"


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="a file on SQLite (the same hook drops it on PostgreSQL)",
)
def test_the_workshops_exit_hooks_run_before_the_kernel_is_killed(tmp_path):
    # The kernel is killed, not shut down: its copy of the shop's database is removed by
    # the exit hooks the runner runs after the last cell.
    path = tmp_path / "shop.ipynb"
    cells = ["from workshop_site import lab", "print(lab.start(size=50, quiet=True).database)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, path)
    run = notebook_runner.execute_notebook(path)
    database = Path(run.notebook.cells[1].outputs[0]["text"].strip())
    assert database.name.startswith("kernel-")
    assert not database.exists()
