import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

NOTE = "PROCEDURE: Lumbar transforaminal epidural steroid injection.\nComplications: none.\n"


def test_check_json_exits_zero_and_names_versions(tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text(NOTE, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(note), "--payer", "medicare"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["verdict"] == "not_billable_as_documented"  # no levels, no side
    assert {c["id"] for c in payload["checklists"]} >= {"esi", "procedure_baseline"}
    assert payload["risk"]["model_version"]
    assert payload["reader_version"]


def test_check_fail_if_not_billable(tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text(NOTE, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(note), "--fail-if-not-billable"])
    assert result.exit_code == 1


def test_check_bad_claim_is_a_clear_error(tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text(NOTE, encoding="utf-8")
    claim = tmp_path / "claim.json"
    claim.write_text('{"lines": [{"cpt": "64483", "units": "two"}]}', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(note), "--claim", str(claim)])
    assert result.exit_code == 2
    assert "lines -> 0 -> units" in result.stderr
