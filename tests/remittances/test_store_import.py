"""Importing 835s into the store: matching to checked charts, flags, all-or-nothing files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from assistant.errors import RemittanceFormatError
from assistant.remittances import importer
from assistant.remittances.synthetic import SynthClaim, SynthLine, render_835, standard_claims
from assistant.store import (
    Batch,
    Database,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
    WorklistItem,
)

DOS = date(2024, 1, 10)
TABLES = ("remittance_files", "remittance_claims", "remittance_lines", "remittance_adjustments")


def finding(rule_id: str, severity: str = "block", claim_line: int | None = None) -> dict[str, Any]:
    return {
        "rule_id": rule_id,
        "severity": severity,
        "status": "missing",
        "symbol": rule_id,
        "claim_line": claim_line,
    }


def add_item(
    database: Database,
    note_id: str,
    lines: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    dos: date = DOS,
    provider: str = "dr-a",
    family: str = "esi",
) -> int:
    with database.session() as session:
        batch = Batch(name="b", imported_by="test")
        session.add(batch)
        session.flush()
        item = WorklistItem(
            batch_id=batch.id,
            note_id=note_id,
            provider=provider,
            date_of_service=dos,
            payer="commercial",
            note_text="",
            claim={"lines": lines},
            queue_status="done",
            result={"findings": findings},
            family=family,
            verdict="needs_attention",
        )
        session.add(item)
        session.flush()
        return item.id


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    db.migrate()
    yield db
    db.dispose()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(database: Database) -> dict[str, int]:
    models = (RemittanceFile, RemittanceClaim, RemittanceLine, RemittanceAdjustment)
    with database.session() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in models
        }


def test_the_migration_creates_the_tables(database: Database) -> None:
    assert set(TABLES) <= set(inspect(database.engine).get_table_names())


def test_import_matches_lines_and_records_flags(database: Database, tmp_path: Path) -> None:
    bundled = add_item(
        database,
        "SYN-0002",
        [{"cpt": "64483"}, {"cpt": "64484"}],
        [finding("ESI-LEVELS", "block", 1), finding("INFO-ONLY", "info")],
    )
    add_item(database, "SYN-0003", [{"cpt": "64493"}], [])
    add_item(database, "SYN-0004", [{"cpt": "62323"}], [], dos=date(2023, 12, 1))
    summary = importer.import_file(
        database, write(tmp_path, "syn.835", render_835(standard_claims(DOS))), "coder"
    )
    assert (summary.claims, summary.lines, summary.matched_claims) == (12, 13, 2)
    assert summary.outcomes == {"denied": 8, "paid": 3, "patient_responsibility": 1, "reversed": 1}
    with database.session() as session:
        rows = {
            (claim.patient_control_number, line.procedure): (claim, line)
            for line, claim in session.execute(
                select(RemittanceLine, RemittanceClaim).join(RemittanceClaim)
            ).all()
            if claim.kind == "original"
        }
        claim, line = rows[("SYN-0002", "64484")]
        assert (claim.match, claim.worklist_item_id) == ("worklist", bundled)
        assert (line.claim_line_index, line.flagged, line.flagged_rules) == (
            1,
            True,
            ["ESI-LEVELS"],
        )
        assert rows[("SYN-0002", "64483")][1].flagged is False
        assert rows[("SYN-0003", "64493")][1].flagged is False
        assert rows[("SYN-0004", "62323")][0].match == "date_mismatch"
        assert rows[("SYN-0005", "64635")][0].match == "unmatched"
        assert rows[("SYN-0005", "64635")][1].flagged is None
        claim_level = session.scalars(
            select(RemittanceAdjustment).where(RemittanceAdjustment.line_id.is_(None))
        ).all()
        assert [(a.group_code, a.reason_code, a.category) for a in claim_level] == [
            ("CO", "29", "timely_filing")
        ]


def test_a_file_is_imported_once(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "syn.835", render_835(standard_claims(DOS)))
    first = importer.import_file(database, path, "coder")
    again = importer.import_file(database, path, "coder")
    assert again.already_imported and again.file_id == first.file_id
    assert counts(database)["remittance_claims"] == 12


def test_a_bad_file_adds_nothing(database: Database, tmp_path: Path) -> None:
    text = render_835(standard_claims(DOS)).replace("CAS*CO*97*400", "CAS*CO*97*4X0")
    with pytest.raises(RemittanceFormatError, match="CAS segment in loop 2110"):
        importer.import_file(database, write(tmp_path, "bad.835", text), "coder")
    assert set(counts(database).values()) == {0}


def test_a_failure_mid_import_rolls_the_file_back(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = importer.line_outcome

    def failing(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(importer, "line_outcome", failing)
    path = write(tmp_path, "syn.835", render_835(standard_claims(DOS)))
    with pytest.raises(RuntimeError):
        importer.import_file(database, path, "coder")
    assert set(counts(database).values()) == {0}


def test_a_claim_without_service_lines_counts_as_one_line(
    database: Database, tmp_path: Path
) -> None:
    lines = (SynthLine("64483", 10000, 0, (("CO", "50", 10000),)),)
    claim = SynthClaim(
        "SYN-0200",
        DOS,
        lines,
        status="4",
        service_lines=False,
        claim_adjustments=(("CO", "50", 10000),),
    )
    path = write(tmp_path, "claim.835", render_835([claim]))
    summary = importer.import_file(database, path, "coder")
    assert (summary.claims, summary.lines, summary.outcomes) == (1, 1, {"denied": 1})
    with database.session() as session:
        line = session.scalars(select(RemittanceLine)).one()
        assert (line.line_number, line.reason, line.date_of_service) == (0, "CO-50", DOS)
