"""The monthly denial report: rates by group, top reasons, flagged/overridden, formats, CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import NoRemittances
from assistant.remittances import importer
from assistant.remittances.report import build_report, to_csv, to_dict, to_html, to_json
from assistant.remittances.synthetic import SynthClaim, SynthLine, render_835, standard_claims
from assistant.store import (
    Batch,
    Database,
    RemittanceRepository,
    WorklistItem,
    WorklistRepository,
)

DOS = date(2024, 1, 10)
runner = CliRunner()


def add_item(
    database: Database, note_id: str, cpts: list[str], findings: list[dict[str, Any]], provider: str
) -> int:
    with database.session() as session:
        batch = Batch(name="b", imported_by="test")
        session.add(batch)
        session.flush()
        item = WorklistItem(
            batch_id=batch.id,
            note_id=note_id,
            provider=provider,
            date_of_service=DOS,
            payer="commercial",
            note_text="",
            claim={"lines": [{"cpt": c} for c in cpts]},
            queue_status="done",
            result={"findings": findings},
            family="facet",
        )
        session.add(item)
        session.flush()
        return item.id


def files(tmp_path: Path) -> list[Path]:
    """An earlier payment of SYN-0011 (reversed later), the standard set, and a December file."""
    original = SynthClaim(
        "SYN-0011",
        DOS,
        (SynthLine("64483", 80000, 52000, (("CO", "45", 28000),)),),
        payer_claim_number="SYNPCN0011",
    )
    december = SynthClaim(
        "SYN-0500",
        date(2023, 12, 5),
        (SynthLine("64493", 50000, 0, (("CO", "50", 50000),)),),
        status="4",
    )
    texts = {
        "a.835": render_835([original], control_number=1, paid_on=date(2024, 1, 30)),
        "b.835": render_835(standard_claims(DOS), control_number=2),
        "c.835": render_835([december], control_number=3, paid_on=date(2024, 1, 5)),
    }
    paths = []
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    db.migrate()
    flagged = add_item(
        db,
        "SYN-0002",
        ["64483", "64484"],
        [{"rule_id": "FACET-LEVELS", "severity": "block", "claim_line": 1}],
        "dr-a",
    )
    add_item(db, "SYN-0003", ["64493"], [{"rule_id": "NOTE", "severity": "info"}], "dr-b")
    with db.session() as session:
        repo = WorklistRepository(session)
        item = repo.get(flagged)
        assert item is not None
        repo.add_override(item, "FACET-LEVELS", "levels documented in the addendum", "casey")
    for path in files(tmp_path):
        importer.import_file(db, path, "coder")
    yield db
    db.dispose()


def report(database: Database, month: str = "2024-01") -> Any:
    with database.session() as session:
        return build_report(RemittanceRepository(session), WorklistRepository(session), month)


def test_rates_reasons_and_prevention(database: Database) -> None:
    built = report(database)
    overall = built.overall
    # 14 lines in January; the reversal and the original it takes back do not stand.
    assert (overall.lines, overall.denied_lines, overall.denied_cents) == (12, 8, 370000)
    assert (overall.claims, overall.first_pass_paid) == (11, 3)
    assert [r.key for r in built.by_provider] == ["9999999992", "dr-a", "dr-b"]
    dr_a = built.by_provider[1]
    assert (dr_a.lines, dr_a.denied_lines, dr_a.claims, dr_a.first_pass_paid) == (2, 1, 1, 0)
    assert [r.key for r in built.by_family] == ["facet", "unmatched"]
    assert [r.key for r in built.by_payer] == ["SYNTHETIC HEALTH PLAN"]
    assert [(t.reason, t.denied_cents) for t in built.top_reasons][-2:] == [
        ("CO-97", 40000),
        ("CO-29", 30000),
    ]
    assert built.top_reasons[0].denied_cents == 50000
    assert {t.category for t in built.top_reasons} >= {"documentation", "authorization"}
    p = built.prevention
    assert (p.denied, p.flagged, p.flagged_overridden, p.not_flagged, p.unmatched) == (
        8,
        1,
        1,
        1,
        6,
    )
    [caught] = [line for line in built.denied_lines if line.flagged]
    assert (caught.note_id, caught.procedure, caught.reason) == ("SYN-0002", "64484", "CO-97")
    assert caught.overridden is True
    assert caught.overrides[0]["user"] == "casey"
    assert [t.key for t in built.trend] == ["2023-12", "2024-01"]
    assert built.trend[0].denial_rate == 1.0


def test_formats(database: Database) -> None:
    built = report(database)
    data = json.loads(to_json(built))
    assert data == json.loads(json.dumps(to_dict(built)))
    assert data["overall"]["denial_rate"] == round(8 / 12, 4)
    rows = list(csv.DictReader(io.StringIO(to_csv(built))))
    assert len(rows) == 8
    flagged = [r for r in rows if r["flagged_before_billing"] == "yes"]
    assert [(r["note_id"], r["overridden"], r["overridden_by"]) for r in flagged] == [
        ("SYN-0002", "yes", "casey")
    ]
    assert {r["flagged_before_billing"] for r in rows} == {"yes", "no", ""}
    html = to_html(built)
    assert "Denials, dates of service 2024-01" in html
    assert "levels documented in the addendum" in html
    assert "PATIENT" not in html and "PATIENT" not in to_csv(built)


def test_an_empty_month_is_refused(database: Database) -> None:
    with pytest.raises(NoRemittances) as caught:
        report(database, "2024-03")
    assert caught.value.code == "E903"


def test_cli_import_and_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    paths = [str(p) for p in files(tmp_path)]
    result = runner.invoke(app, ["remittances", "import", *paths, "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "b.835" in result.output
    bad = tmp_path / "bad.835"
    bad.write_text(render_835(standard_claims(DOS)).replace("GS*HP*", "GS*HC*"), "utf-8")
    result = runner.invoke(app, ["remittances", "import", str(bad), "--database-url", url])
    assert result.exit_code == 2
    assert "E902 bad.835: GS (GS01)" in result.output
    for fmt, marker in (
        ("json", '"first_pass_rate"'),
        ("csv", "flagged_before_billing"),
        ("html", "<table>"),
    ):
        result = runner.invoke(
            app,
            ["denials", "report", "--month", "2024-01", "--format", fmt, "--database-url", url],
        )
        assert result.exit_code == 0, result.output
        assert marker in result.output
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        [
            "denials",
            "report",
            "--month",
            "2024-01",
            "--format",
            "html",
            "--out",
            str(out),
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0 and out.read_text("utf-8").startswith("<!doctype html>")
    result = runner.invoke(app, ["denials", "report", "--month", "2024-02", "--database-url", url])
    assert result.exit_code == 2 and "E903" in result.output
    result = runner.invoke(app, ["denials", "report", "--month", "2024-1", "--database-url", url])
    assert result.exit_code == 2
