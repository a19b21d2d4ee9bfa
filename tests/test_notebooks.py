"""Execute every numbered walkthrough in notebooks/ (they must run offline, error-free)."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
import pytest

# What each walkthrough must show, beyond running without error.
EXPECTED = {
    "01-quickstart": ["verdict:", "sum of factors"],
    "02-monthly-audit": ["same seed, same sample: True", "month-over-month readiness"],
    "03-risk-model": ["ROC AUC", "sum of factors"],
    "04-remittance-round-trip": [
        "matched 36/37",
        "flagged before billing",
        "held-out month 2024-03",
        "(switched: False)",
    ],
    "05-preauth-packet": [
        "ready to submit: True",
        "ready to submit: False",
        "PDF: ",
        "QuestionnaireResponse in-progress",
    ],
}
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_without_error(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert outputs
    assert not any(o.output_type == "error" for o in outputs)
    printed = "".join(o.get("text", "") for o in outputs)
    for expected in EXPECTED.get(path.stem, []):
        assert expected in printed
