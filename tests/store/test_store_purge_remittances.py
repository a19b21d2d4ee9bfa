"""Retention covers imported 835 remittances, on SQLite and PostgreSQL, in the one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from assistant.cli import app
from assistant.remittances import importer
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.store import (
    Batch,
    Database,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
    WorklistItem,
)
from assistant.store.housekeeping import one_round
from assistant.store.models import utcnow
from assistant.store.retention import purge_database, purge_older_than, retention_cutoff

OLD = timedelta(days=400)
DOS = date(2024, 1, 10)
TABLES = {
    "files": RemittanceFile,
    "claims": RemittanceClaim,
    "lines": RemittanceLine,
    "adjustments": RemittanceAdjustment,
}


def import_835(database: Database, folder: Path, prefix: str, age: timedelta) -> int:
    """Import the standard synthetic file under ``prefix``, dated ``age`` ago; its file id."""
    path = folder / f"{prefix}.835"
    path.write_text(render_835(standard_claims(DOS, prefix)), encoding="utf-8")
    file_id = importer.import_file(database, path, "tester").file_id
    with database.session() as session:
        session.execute(
            update(RemittanceFile)
            .where(RemittanceFile.id == file_id)
            .values(imported_at=utcnow() - age)
        )
    return file_id


def counts(database: Database) -> dict[str, int]:
    """Rows in each remittance table."""
    with database.session() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in TABLES.items()
        }


def adjustments_of(database: Database, file_id: int) -> int:
    """CAS rows (line and claim level) of one file."""
    with database.session() as session:
        stmt = (
            select(func.count())
            .select_from(RemittanceAdjustment)
            .join(RemittanceClaim, RemittanceAdjustment.claim_id == RemittanceClaim.id)
            .where(RemittanceClaim.file_id == file_id)
        )
        return int(session.scalar(stmt) or 0)


def test_purge_deletes_remittances_imported_before_the_cutoff(
    database: Database, tmp_path: Path
) -> None:
    old = import_835(database, tmp_path, "OLD", OLD)
    new = import_835(database, tmp_path, "NEW", timedelta(days=1))
    old_adjustments = adjustments_of(database, old)
    assert old_adjustments > 0
    before = counts(database)

    dry = purge_database(database, retention_cutoff(30), dry_run=True)
    assert (dry.remittance_files, dry.remittance_claims, dry.remittance_lines) == (1, 12, 13)
    assert dry.remittance_adjustments == old_adjustments
    assert dry.total == 1 + 12 + 13 + old_adjustments
    assert counts(database) == before  # a dry run deletes nothing

    assert purge_database(database, retention_cutoff(30)) == dry
    assert counts(database) == {
        "files": 1,
        "claims": 12,
        "lines": 13,
        "adjustments": adjustments_of(database, new),
    }
    with database.session() as session:
        assert set(session.scalars(select(RemittanceFile.id))) == {new}
        kept = set(session.scalars(select(RemittanceClaim.patient_control_number)))
    assert kept and all(number.startswith("NEW-") for number in kept)
    assert purge_database(database, retention_cutoff(30)).total == 0  # nothing left


def test_remittance_purge_rolls_back_with_the_rest(database: Database, tmp_path: Path) -> None:
    import_835(database, tmp_path, "OLD", OLD)
    with database.session() as session:
        session.add(Batch(name="old.csv", imported_by="tester", created_at=utcnow() - OLD))
    before = counts(database)

    with pytest.raises(RuntimeError, match="after the purge"), database.session() as session:
        purged = purge_older_than(session, retention_cutoff(30))
        assert (purged.batches, purged.remittance_claims) == (1, 12)
        raise RuntimeError("after the purge")
    assert counts(database) == before
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 1


def test_a_kept_remittance_loses_only_its_link_to_a_purged_chart(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as session:
        batch = Batch(name="old.csv", imported_by="tester", created_at=utcnow() - OLD)
        session.add(batch)
        session.flush()
        session.add(
            WorklistItem(
                batch_id=batch.id,
                note_id="KEEP-0003",
                provider="dr-a",
                date_of_service=DOS,
                payer="commercial",
                note_text="synthetic",
                queue_status="done",
                result={"findings": []},
            )
        )
    import_835(database, tmp_path, "KEEP", timedelta(days=1))
    with database.session() as session:
        claim = session.scalars(
            select(RemittanceClaim).where(RemittanceClaim.patient_control_number == "KEEP-0003")
        ).one()
        assert (claim.match, claim.worklist_item_id is not None) == ("worklist", True)

    purged = purge_database(database, retention_cutoff(30))
    assert (purged.worklist_items, purged.remittance_claims) == (1, 0)
    with database.session() as session:
        kept = session.get(RemittanceClaim, claim.id)
        assert kept is not None and kept.worklist_item_id is None
    assert counts(database)["lines"] == 13


def test_a_purged_file_can_be_imported_again(database: Database, tmp_path: Path) -> None:
    import_835(database, tmp_path, "AGAIN", OLD)
    purge_database(database, retention_cutoff(30))
    assert counts(database)["files"] == 0
    again = importer.import_file(database, tmp_path / "AGAIN.835", "tester")
    assert not again.already_imported and again.claims == 12


def test_housekeeping_purges_old_remittances(database: Database, tmp_path: Path) -> None:
    import_835(database, tmp_path, "OLD", OLD)
    one_round(database, None)
    assert counts(database)["claims"] == 12  # no retention set: kept
    one_round(database, 30)
    assert counts(database) == {"files": 0, "claims": 0, "lines": 0, "adjustments": 0}


def test_purge_command_reports_remittance_counts(store_url: str, tmp_path: Path) -> None:
    database = Database(store_url)
    database.migrate()
    try:
        import_835(database, tmp_path, "CLI", OLD)
        runner = CliRunner()
        args = ["purge", "--older-than", "30", "--database-url", store_url]
        dry = runner.invoke(app, [*args, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "remittance_claims: 12" in dry.output and "remittance_lines: 13" in dry.output
        assert counts(database)["claims"] == 12
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
        assert "Deleted" in done.output and "remittance_files: 1" in done.output
        assert "CLI-0001" not in dry.output + done.output  # counts only, no claim numbers
        assert counts(database)["claims"] == 0
    finally:
        database.dispose()
