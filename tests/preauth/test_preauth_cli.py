import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: Left leg pain radiating to the calf for 5 months.
She completed 6 weeks of physical therapy without relief. Pain is 7/10.
She cannot walk more than two blocks.
IMAGING: MRI shows a left L5-S1 disc herniation.
PHYSICAL EXAMINATION: Straight leg raise is positive on the left.
ASSESSMENT: Left S1 radiculopathy.
PLAN: Left L5-S1 transforaminal epidural steroid injection.
"""
BASE = ["preauth", "--procedure", "esi", "--payer", "medicare"]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "consult.txt").write_text(CONSULT, encoding="utf-8")
    return folder


def test_json_packet_from_a_folder_and_a_manifest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "other.txt").write_text(CONSULT, encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,date_of_service,patient\nconsult.txt,2024-01-05,P-7\nother.txt,2024-01-09,P-8\n",
        encoding="utf-8",
    )
    args = [*BASE, str(folder), "--levels", "L5-S1", "--side", "left"]
    result = CliRunner().invoke(app, [*args, "--patient", "P-7", "--manifest", str(manifest)])
    assert result.exit_code == 0, result.output
    packet = json.loads(result.stdout)
    assert [n["note_id"] for n in packet["timeline"]["notes"]] == ["consult"]
    first = packet["criteria"][0]
    assert set(first) >= {"id", "status", "message", "evidence", "source"}
    assert isinstance(packet["ready_to_submit"], bool)
    met = [c for c in packet["criteria"] if c["status"] == "met"]
    assert all(e["date"] == "2024-01-05" for c in met for e in c["evidence"])


def test_html_packet_is_standalone_and_printable(tmp_path: Path) -> None:
    note = _folder(tmp_path) / "consult.txt"
    note.write_text("Date of service: 01/05/2024\n" + CONSULT, encoding="utf-8")
    out = tmp_path / "packet.html"
    args = [*BASE, str(note), "--format", "html", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "@media print" in page and "<link" not in page
    assert "PA-010" in page and "2024-01-05" in page


def test_clear_errors(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    runner = CliRunner()
    unknown = runner.invoke(
        app, ["preauth", str(folder), "--procedure", "x", "--payer", "medicare"]
    )
    assert unknown.exit_code == 2 and "E101" in unknown.stderr
    payer = runner.invoke(app, ["preauth", str(folder), "--procedure", "esi", "--payer", "nope"])
    assert "E011" in payer.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "E102" in runner.invoke(app, [*BASE, str(empty)]).stderr
    assert "E103" in runner.invoke(app, [*BASE, str(tmp_path / "missing.txt")]).stderr
    undated = runner.invoke(app, [*BASE, str(folder)])
    assert undated.exit_code == 2 and "E104" in undated.stderr
    bad = runner.invoke(app, [*BASE, str(folder), "--levels", "low back"])
    assert "E106" in bad.stderr
    manifest = tmp_path / "m.json"
    manifest.write_text('[{"file": "consult.txt", "date_of_service": "soon"}]', encoding="utf-8")
    wrong = runner.invoke(app, [*BASE, str(folder), "--manifest", str(manifest)])
    assert "E105" in wrong.stderr and "notes -> 0 -> date_of_service" in wrong.stderr
    assert CONSULT.splitlines()[1] not in wrong.stderr + undated.stderr  # no note text
