"""examples/tour.ipynb runs from top to bottom in a fresh kernel (nbclient) without errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour.ipynb"


def _require_notebook() -> None:
    missing = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"the 'notebook' extra is required (make installs it): missing {missing}")


@pytest.mark.slow
def test_tour_notebook_executes(tmp_path):
    _require_notebook()
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(TOUR), as_version=4)
    committed = [c.source for c in nb.cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any error
    assert [c.source for c in nb.cells] == committed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr  # no warnings, no progress bars
    kinds = {k for o in outputs for k in o.get("data", {})}
    # figures show inline without a magic command; results have rich displays
    assert {"image/png", "text/html", "text/latex"} <= kinds


def test_tour_notebook_is_committed_with_outputs():
    import nbformat

    nb = nbformat.read(str(TOUR), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum(bool(c.outputs) for c in code) >= len(code) - 1  # all but the imports
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
