from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.risk.train import (
    CheckerUnavailableError,
    TrainingDataError,
    read_features_jsonl,
    read_outcomes_csv,
    rows_from_outcomes,
    write_features_jsonl,
)

runner = CliRunner()


def _fake_check_note(
    text: str, *, note_id: str = "n", payer: str = "commercial", claim: dict[str, Any] | None = None
) -> SimpleNamespace:
    """A stand-in checker: 'gap' in the text becomes a block finding."""
    findings = [
        SimpleNamespace(rule_id=f"GAP-{i}", severity="block", status="missing", concerns=["x"])
        for i in range(text.count("gap"))
    ]
    return SimpleNamespace(
        facts=SimpleNamespace(procedures=[SimpleNamespace(family="esi")]),
        findings=findings,
        verdict="not_billable_as_documented" if findings else "ready",
        payer=payer,
        note_id=note_id,
        claim=claim,
    )


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("assistant.checks")
    module.check_note = _fake_check_note  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.checks", module)


def _outcomes(path: Path, n: int, one_class: bool = False) -> Path:
    notes = path.parent / "notes"
    notes.mkdir(exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["note_id", "note_text", "note_path", "claim", "outcome", "carc"])
        for i in range(n):
            gaps = i % 3
            text = "Lumbar epidural steroid injection. " + "gap " * gaps
            denied = not one_class and (gaps == 2 or i % 7 == 0)
            claim = json.dumps({"lines": [{"cpt": "64483", "charge": 700 + i}]})
            if i % 2:
                (notes / f"n{i}.txt").write_text(text)
                writer.writerow([f"n{i}", "", f"notes/n{i}.txt", claim, "paid", ""])
                continue
            outcome = "denied" if denied else "paid"
            writer.writerow([f"n{i}", text, "", claim, outcome, "CO-50" if denied else ""])
    return path


@pytest.mark.usefixtures("fake_checks")
def test_cli_train_outcomes_writes_new_version(tmp_path: Path) -> None:
    table = _outcomes(tmp_path / "outcomes.csv", 240)
    root = tmp_path / "models"
    args = ["train", "--outcomes", str(table), "--models-dir", str(root), "--version", "p1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ROC AUC" in result.output and "Brier" in result.output
    manifest = json.loads((root / "p1" / "manifest.json").read_text())
    assert manifest["training_data"]["rows"] == 240
    assert not manifest["training_data"]["simulated"]
    assert (root / "p1" / "calibration.png").exists()
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "never overwritten" in again.output
    listed = runner.invoke(app, ["models", "list", "--models-dir", str(root)])
    assert "p1" in listed.output
    used = runner.invoke(app, ["models", "use", "p1", "--models-dir", str(root)])
    assert used.exit_code == 0
    assert (root / "ACTIVE").read_text().strip() == "p1"


@pytest.mark.usefixtures("fake_checks")
@pytest.mark.parametrize(
    ("n", "one_class", "message"), [(240, True, "one-class"), (30, False, "E303")]
)
def test_cli_train_refuses_unusable_outcomes(
    tmp_path: Path, n: int, one_class: bool, message: str
) -> None:
    table = _outcomes(tmp_path / "o.csv", n, one_class)
    result = runner.invoke(app, ["train", "--outcomes", str(table), "--models-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not any(p.is_dir() for p in tmp_path.iterdir() if p.name != "notes")


def test_cli_train_features_roundtrip(tmp_path: Path, signal_rows: list[Any]) -> None:
    path = tmp_path / "rows.jsonl"
    write_features_jsonl(signal_rows[:600], path)
    assert read_features_jsonl(path) == signal_rows[:600]
    result = runner.invoke(
        app, ["train", "--features", str(path), "--models-dir", str(tmp_path / "m"), "--activate"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "ACTIVE").exists()


@pytest.mark.parametrize("args", [[], ["--simulate", "100", "--features", "x.jsonl"]])
def test_cli_train_needs_exactly_one_source(args: list[str]) -> None:
    result = runner.invoke(app, ["train", *args])
    assert result.exit_code == 2
    assert "exactly one" in result.output


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("note_text,outcome", "text,refunded", "outcome 'refunded'"),
        ("note_text,outcome,claim", "text,paid,{bad", "claim is not JSON"),
        ("note_path,outcome", "missing.txt,paid", "cannot read note"),
        ("text,outcome", "x,paid", "needs an 'outcome' column"),
        ("note_text,outcome,paid_amount", "t,paid,lots", "not a number"),
    ],
)
def test_read_outcomes_csv_errors(tmp_path: Path, header: str, row: str, message: str) -> None:
    path = tmp_path / "o.csv"
    path.write_text(f"{header}\n{row}\n")
    with pytest.raises(TrainingDataError, match=message):
        read_outcomes_csv(path)


def test_rows_from_outcomes_without_checker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "assistant.checks", None)
    rows = read_outcomes_csv(_outcomes(tmp_path / "o.csv", 2))
    with pytest.raises(CheckerUnavailableError, match=r"E304.*--features"):
        rows_from_outcomes(rows)


def test_rows_from_outcomes_with_real_checker(tmp_path: Path) -> None:
    pytest.importorskip("assistant.checks")
    note = (
        "PROCEDURE: Right L5-S1 transforaminal epidural steroid injection under fluoroscopy.\n"
        "Informed consent was obtained. Contrast confirmed epidural spread.\n"
    )
    claim = {
        "payer": "medicare",
        "lines": [{"cpt": "64483", "charge": 650.0}, {"cpt": "J1040", "charge": 40.0}],
    }
    path = tmp_path / "o.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["note_text", "claim", "payer", "outcome"])
        writer.writerow([note, json.dumps(claim), "medicare", "denied"])
    (row,) = rows_from_outcomes(read_outcomes_csv(path))
    assert row.input.families == ["esi"]
    assert row.input.has_claim and row.input.total_charge == pytest.approx(690.0)
    assert row.input.payer == "medicare"
    assert row.input.verdict in {"ready", "needs_attention", "not_billable_as_documented"}
    assert row.outcome == "denied"


def test_rows_from_outcomes_names_the_row_the_checker_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.errors import RuleFileError

    def refuse(_text: str, *, payer: str = "commercial") -> None:
        raise RuleFileError(f"unknown payer {payer!r}")

    module = ModuleType("assistant.checks")
    module.check_note = refuse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.checks", module)
    path = tmp_path / "o.csv"
    path.write_text("note_id,note_text,payer,outcome\nA7,some note,tricare,paid\n")
    with pytest.raises(TrainingDataError, match=r"E303 row 2 \(A7\): unknown payer 'tricare'"):
        rows_from_outcomes(read_outcomes_csv(path))
