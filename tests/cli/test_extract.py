import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

NOTE = "PROCEDURE: Right L5-S1 interlaminar epidural steroid injection under fluoroscopy.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_extract_folder_writes_one_jsonl_line_per_note_in_order(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "b.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "a.txt").write_text("ASSESSMENT: Low back pain.", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["note_id"] for line in lines] == ["a", "b"]
    assert lines[1]["schema"] == "note-facts/v1"
    assert lines[1]["procedures"][0]["family"] == "esi"
    assert "evidence" in lines[1]


def test_extract_reads_csv_gz_tables(runner: CliRunner, tmp_path: Path) -> None:
    table = tmp_path / "notes.csv.gz"
    with gzip.open(table, "wt", encoding="utf-8") as handle:
        handle.write('note_id,text\nn1,"' + NOTE.replace('"', '""') + '"\nn2,"Plan: PT."\n')
    result = runner.invoke(app, ["extract", str(table)])
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["note_id"] for x in result.stdout.splitlines()] == ["n1", "n2"]


def test_extract_bad_file_is_reported_and_the_rest_goes_on(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Patient caf\xe9 note".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 1
    assert [json.loads(x)["note_id"] for x in result.stdout.splitlines()] == ["good"]
    assert "latin1.txt: not valid UTF-8" in result.stderr
    assert "empty.txt: the note is empty" in result.stderr
    assert "caf" not in result.stderr  # note text is never echoed


def test_extract_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["extract", "-"], input=NOTE)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["note_id"] == "stdin"


def test_extract_table_format(runner: CliRunner, tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text(NOTE, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(note), "--format", "table"])
    assert result.exit_code == 0
    assert "esi" in result.stdout


def test_extract_learned_switch_only_adds_sentence_evidence(
    runner: CliRunner, tmp_path: Path
) -> None:
    note = tmp_path / "n.txt"
    note.write_text(
        "HISTORY: Back pain. She can no longer garden or lift her grandchildren because of it.\n",
        encoding="utf-8",
    )
    off = json.loads(runner.invoke(app, ["extract", str(note), "--no-learned"]).stdout)
    on = json.loads(runner.invoke(app, ["extract", str(note), "--learned"]).stdout)
    for name, value in off["elements"].items():
        assert on["elements"][name] >= value  # never removes a rule finding
    learned = [e for e in on["evidence"] if (e["rule"] or "").startswith("learned:")]
    assert all(e["start"] < e["end"] for e in learned)
