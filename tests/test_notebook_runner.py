"""The notebook runner starts a new kernel when one dies before answering (the port race
of parallel kernel starts), and never hides any other failure."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workshop_site import notebook_runner


def _notebook(tmp_path: Path) -> Path:
    path = tmp_path / "one.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(notebook, path)
    return path


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    starts = []

    def execute(self):
        starts.append(self)
        if len(starts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return self.nb

    monkeypatch.setattr(NotebookClient, "execute", execute)
    notebook_runner.execute_notebook(_notebook(tmp_path))
    assert len(starts) == 2


def test_any_other_failure_is_raised_at_once(tmp_path, monkeypatch):
    starts = []

    def execute(self):
        starts.append(self)
        raise RuntimeError("something else")

    monkeypatch.setattr(NotebookClient, "execute", execute)
    with pytest.raises(RuntimeError, match="something else"):
        notebook_runner.execute_notebook(_notebook(tmp_path))
    assert len(starts) == 1
