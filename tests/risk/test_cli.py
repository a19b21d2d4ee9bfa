from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant import pipeline
from assistant.cli import app
from assistant.errors import Errors, TrainingDataError, UnknownPayerError
from assistant.facts import NoteFacts, Procedure
from assistant.findings import Finding, Query, SourceRef
from assistant.pipeline import CheckResult, training_rows
from assistant.risk.train import TrainResult
from assistant.risk.training_data import (
    read_features_jsonl,
    read_outcomes_csv,
    write_features_jsonl,
)

runner = CliRunner()


def _fake_check_note(
    text: str, *, note_id: str = "n", payer: str = "commercial", **_: object
) -> CheckResult:
    """A stand-in checker: 'gap' in the text becomes a block finding."""
    findings = [
        Finding(
            rule_id=f"GAP-{i}",
            severity="block",
            status="missing",
            concerns=["x"],
            message="m",
            fix="f",
            query=Query(question="q?", options=["a", "Other", "Unable to determine"]),
            source=SourceRef(policy="p", basis="verified"),
        )
        for i in range(text.count("gap"))
    ]
    return CheckResult(
        facts=NoteFacts(note_id=note_id, procedures=[Procedure(family="esi")]),
        checklists=[],
        findings=findings,
        verdict="not_billable_as_documented" if findings else "ready",
        payer=payer,
    )


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "check_note", _fake_check_note)


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


def test_cli_broken_risk_model_shows_its_code_once(tmp_path: Path, trained: TrainResult) -> None:
    assert trained.path is not None
    root = tmp_path / "risk"
    shutil.copytree(trained.path, root / "t1")
    manifest = root / "t1" / "manifest.json"
    manifest.write_text(
        manifest.read_text().replace('"features_version": "', '"features_version": "x')
    )
    result = runner.invoke(app, ["models", "use", "t1", "--models-dir", str(root)])
    assert result.exit_code == 2
    assert result.output.count("E301") == 1
    assert "error E301 risk model 't1': uses features x" in result.output


@pytest.mark.usefixtures("fake_checks")
@pytest.mark.parametrize(
    ("n", "one_class", "message"), [(240, True, "E303 training data: all 240"), (30, False, "E303")]
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


def test_training_rows_run_the_real_checker(tmp_path: Path) -> None:
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
    (row,) = training_rows(read_outcomes_csv(path))
    assert row.input.families == ["esi"]
    assert row.input.has_claim and row.input.total_charge == pytest.approx(690.0)
    assert row.input.payer == "medicare"
    assert row.input.verdict in {"ready", "needs_attention", "not_billable_as_documented"}
    assert row.outcome == "denied"


def test_training_rows_name_the_row_the_checker_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_text: str, **kwargs: object) -> None:
        raise UnknownPayerError(Errors.E011, payer=kwargs["payer"], known="commercial")

    monkeypatch.setattr(pipeline, "check_note", refuse)
    path = tmp_path / "o.csv"
    path.write_text("note_id,note_text,payer,outcome\nA7,some note,tricare,paid\n")
    with pytest.raises(TrainingDataError, match=r"^row 2 \(A7\): unknown payer 'tricare'") as info:
        training_rows(read_outcomes_csv(path))
    assert info.value.code == "E303"
