from pathlib import Path

from batch_inputs import corpus_rows, write_csv
from typer.testing import CliRunner

from assistant.batch.output import read_errors, read_results
from assistant.cli import app


def test_batch_command_checks_notes_and_exits_1_on_skipped_rows(tmp_path: Path) -> None:
    rows = [*corpus_rows(2), {"note_id": "", "text": "Procedure: x."}]
    source = write_csv(tmp_path / "notes.csv", rows)
    out = tmp_path / "out"
    args = ["batch", str(source), "--out", str(out), "--processes", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "checked 2 notes, skipped 1 rows" in result.stderr
    assert len(read_results(out)) == 2
    assert read_errors(out)[0]["row"] == 3


def test_batch_command_refuses_a_table_without_note_text(tmp_path: Path) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("note_id,body\na,b\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "E021" in result.stderr
    assert "missing column(s) text" in result.stderr
    assert not (tmp_path / "o").exists()
