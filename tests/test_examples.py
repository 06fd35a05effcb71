"""The example notebooks run from top to bottom (nbclient), so they never rot.

Skipped, visibly, where nbclient, nbformat or ipykernel is missing; the test
extra installs them and CI runs these.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: seconds one cell may take on a loaded machine (each takes well under one alone)
CELL_TIMEOUT = 300


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {"d2l_momentum", "tune_my_pytorch_optimiser"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="pip install '.[test]' for the notebooks")
    nbclient = pytest.importorskip("nbclient", reason="pip install '.[test]' for the notebooks")
    pytest.importorskip("ipykernel", reason="pip install '.[test]' for the notebooks")
    # the kernel imports the toolkit from this checkout, as the tests do
    root = str(EXAMPLES.parent)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    )
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell and its traceback
    errors = [
        out
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    assert not list(tmp_path.iterdir())  # the notebooks write nothing
