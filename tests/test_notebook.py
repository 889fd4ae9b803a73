"""The quickstart notebook is stored without outputs and runs from top to bottom in a fresh kernel of this
environment, showing its plots inline and the scenario's outcomes."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from redline import load_scenario
from redline.results import levers

from .conftest import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"
KERNEL = "redline-quickstart-test"  # a name no machine's own kernels use


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def test_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert cells
    for i, c in enumerate(cells):
        assert c.outputs == [], f"code cell {i} is stored with outputs"
        assert c.execution_count is None, f"code cell {i} is stored with an execution count"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec that starts this interpreter, found through JUPYTER_PATH only: the notebook runs against the
    environment under test, whatever `python3` kernel the machine has. IPython's profile goes to a temporary folder."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    assert KernelSpecManager().get_kernel_spec(KERNEL).argv[0] == sys.executable
    return KERNEL


def text_of(cell: nbformat.NotebookNode) -> str:
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", ""))
        parts.extend(v for k, v in o.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def test_runs_top_to_bottom(kernel, tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    work = tmp_path / "work"
    work.mkdir()
    # Raises CellExecutionError, with the cell and its traceback, if any cell fails.
    NotebookClient(nb, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(work)}}).execute()

    cells = code_cells(nb)
    for i, c in enumerate(cells):
        assert c.execution_count is not None, f"code cell {i} did not run"
        assert not [o for o in c.outputs if o.output_type == "error"], f"code cell {i} failed"
        # An analyst's first notebook should not open on warnings or progress bars.
        assert not [o for o in c.outputs if o.get("name") == "stderr"], f"code cell {i}: {text_of(c)}"

    # Every cell tagged `plot` shows a picture, and only those do.
    for i, c in enumerate(cells):
        pictures = [o for o in c.outputs if "image/png" in o.get("data", {})]
        assert bool(pictures) == ("plot" in tags(c)), (
            f"code cell {i}: tags {tags(c)}, {len(pictures)} pictures"
        )
    plotted = "\n".join(c.source for c in cells if "plot" in tags(c))
    for call in ("plots.network(", "plots.outcome_distribution(", "plots.timeline(", "compare.plot("):
        assert call in plotted, f"no plot cell calls {call}"

    (outcome_cell,) = [c for c in cells if "outcomes" in tags(c)]
    shown = text_of(outcome_cell)
    names = [o.name for o in levers.outcomes(load_scenario("axis-2023"))]
    assert names and all(n in shown for n in names), (
        f"outcomes missing: {[n for n in names if n not in shown]}"
    )
    assert "ci_low" in shown and "ci_high" in shown  # each probability with its interval

    assert list(work.iterdir()) == [], "the notebook wrote files; its plots are meant to show inline only"
