"""``chartready check --patient KEY``: the note compared with the stored authorization.

Beside the API tests because the CLI calls the API's helper
(:mod:`api.authorization_checks`), the one the worklist and ``POST /v1/checks`` use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from authorization_support import MBB_NOTE, authorize_mbb
from typer.testing import CliRunner

from assistant.cli import app
from assistant.pipeline import check_note
from assistant.store import Database


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-store') / 'store.sqlite3'}"
    database = Database(url)
    database.migrate()
    for patient, side in (("CLI-LEFT", "left"), ("CLI-RIGHT", "right")):
        authorize_mbb(database, patient, side)
    database.dispose()
    return url


@pytest.fixture(scope="module")
def note_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-note") / "mbb.txt"
    path.write_text(MBB_NOTE, encoding="utf-8")
    return path


def _check(note: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["check", str(note), "--payer", "medicare", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _rule_ids(result: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in result["findings"]]


def test_cli_check_patient_mismatch_is_a_finding_with_verdict_and_risk_recomputed(
    note_file: Path, database_url: str
) -> None:
    plain = json.loads(_check(note_file))
    keyed = json.loads(_check(note_file, "--patient", "CLI-LEFT", "--database-url", database_url))
    assert "AUTH-003" in _rule_ids(keyed) and "AUTH-003" not in _rule_ids(plain)
    assert (plain["verdict"], keyed["verdict"]) == ("ready", "needs_attention")
    assert keyed["risk"]["probability"] > plain["risk"]["probability"]


def test_cli_check_patient_matching_authorization_adds_nothing(
    note_file: Path, database_url: str
) -> None:
    keyed = _check(note_file, "--patient", "CLI-RIGHT", "--database-url", database_url)
    assert keyed == _check(note_file)


def test_cli_check_without_patient_is_byte_for_byte_the_plain_check(
    note_file: Path, database_url: str
) -> None:
    expected = check_note(MBB_NOTE, note_id="mbb", payer="medicare").to_json_dict()
    assert _check(note_file) == json.dumps(expected, indent=2) + "\n"
    # The store is not read without a patient: the URL given is not even opened.
    assert _check(note_file, "--database-url", "sqlite:////nonexistent/dir/x.sqlite3") == (
        json.dumps(expected, indent=2) + "\n"
    )
    assert database_url  # a store with authorizations exists all along


def test_cli_check_table_shows_the_authorization_warning(
    note_file: Path, database_url: str
) -> None:
    args = ("--patient", "CLI-LEFT", "--database-url", database_url, "--format", "table")
    assert "AUTH-003" in _check(note_file, *args)


def test_cli_check_blank_patient_is_refused(note_file: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(note_file), "--patient", " "])
    assert result.exit_code == 2
    assert "--patient" in result.stderr
