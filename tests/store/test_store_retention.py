"""Retention on SQLite and PostgreSQL: purge by age, dry run, audits kept, CLI, housekeeping."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from assistant.cli import app
from assistant.store import (
    Audit,
    Batch,
    CdsFeedback,
    Database,
    ImportRow,
    Override,
    StoredCheck,
    WorklistItem,
    WorklistRepository,
)
from assistant.store.housekeeping import one_round
from assistant.store.models import utcnow
from assistant.store.retention import PurgeCounts, purge_database, retention_cutoff

# A marker in every stored note: it must never reach the purge command's output.
NOTE_MARKER = "RETENTION-CANARY-7f3a"
OLD = timedelta(days=400)


def _batch(database: Database, name: str, age: timedelta) -> list[int]:
    """Import a two-item batch stored ``age`` ago, with an override; returns the item ids."""
    rows = [
        ImportRow(
            note_id=f"{name}-{i}",
            provider="P",
            date_of_service=date(2026, 3, 1),
            payer="medicare",
            note_text=f"synthetic note {NOTE_MARKER} {i}",
        )
        for i in range(2)
    ]
    with database.session() as session:
        batch = WorklistRepository(session).import_batch(f"{name}.csv", rows, "tester")
        session.execute(update(Batch).where(Batch.id == batch.id).values(created_at=utcnow() - age))
        ids = list(
            session.scalars(select(WorklistItem.id).where(WorklistItem.batch_id == batch.id))
        )
        session.add(Override(item_id=ids[0], rule_id="ESI-001", reason="r", user_name="tester"))
        session.add(
            StoredCheck(
                note_id=name,
                note_sha256="0" * 64,
                payer="medicare",
                verdict="ready",
                result={"evidence": NOTE_MARKER},
                created_at=utcnow() - age,
            )
        )
        session.add(
            CdsFeedback(
                service_id="s",
                card_uuid=name,
                outcome="accepted",
                outcome_timestamp=utcnow(),
                created_at=utcnow() - age,
            )
        )
    return ids


def _counts(database: Database) -> dict[str, int]:
    models = {
        "checks": StoredCheck,
        "feedback": CdsFeedback,
        "batches": Batch,
        "items": WorklistItem,
        "overrides": Override,
        "audits": Audit,
    }
    with database.session() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in models.items()
        }


def test_purge_deletes_only_what_is_older_and_marks_audits(database: Database) -> None:
    old_ids = _batch(database, "old", OLD)
    new_ids = _batch(database, "new", timedelta(days=1))
    with database.session() as session:
        WorklistRepository(session).add_audit("2026-03", 5, 7, [old_ids[0], new_ids[0]], "lead")
    dry = purge_database(database, retention_cutoff(30), dry_run=True)
    assert dry == PurgeCounts(
        checks=1, cds_feedback=1, batches=1, worklist_items=2, overrides=1, audits_marked=1
    )
    assert _counts(database)["items"] == 4  # a dry run deletes nothing

    assert purge_database(database, retention_cutoff(30)) == dry
    assert _counts(database) == {
        "checks": 1,
        "feedback": 1,
        "batches": 1,
        "items": 2,
        "overrides": 1,
        "audits": 1,
    }
    with database.session() as session:
        audit = session.scalars(select(Audit)).one()
        assert audit.item_ids == [old_ids[0], new_ids[0]]  # the sample as drawn is kept
        assert audit.purged_item_ids == [old_ids[0]]
        remaining = set(session.scalars(select(WorklistItem.id)))
    assert remaining == set(new_ids)
    assert purge_database(database, retention_cutoff(30)).total == 0  # nothing left to purge


@pytest.mark.parametrize("days", [0, -3])
def test_retention_cutoff_refuses_a_non_positive_age(days: int) -> None:
    with pytest.raises(ValueError, match="positive number of days"):
        retention_cutoff(days)


def test_retention_cutoff_counts_back_from_now() -> None:
    now = datetime(2026, 6, 30, 12, 0)
    assert retention_cutoff(30, now) == datetime(2026, 5, 31, 12, 0)


def test_housekeeping_purges_only_when_a_retention_is_set(database: Database) -> None:
    _batch(database, "old", OLD)
    one_round(database, None)
    assert _counts(database)["items"] == 2  # default: keep forever
    one_round(database, 30)
    assert _counts(database)["items"] == 0 and _counts(database)["checks"] == 0


def test_purge_command_prints_counts_never_note_text(store_url: str) -> None:
    database = Database(store_url)
    database.migrate()
    try:
        _batch(database, "old", OLD)
        runner = CliRunner()
        args = ["purge", "--older-than", "30", "--database-url", store_url]
        dry = runner.invoke(app, [*args, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Would delete" in dry.output and "worklist_items: 2" in dry.output
        assert _counts(database)["items"] == 2
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
        assert "Deleted" in done.output and "checks: 1" in done.output
        assert NOTE_MARKER not in dry.output + done.output
        assert _counts(database)["items"] == 0
    finally:
        database.dispose()


@pytest.mark.parametrize("days", ["0", "-1"])
def test_purge_command_refuses_a_non_positive_age(days: str) -> None:
    result = CliRunner().invoke(app, ["purge", "--older-than", days])
    assert result.exit_code == 2
    assert "positive number of days" in result.output
