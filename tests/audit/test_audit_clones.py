"""The mini-audit's copied-documentation shares: pure summaries, and a report over the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.audit import CloneShare, build_report, clone_shares, run_audit
from assistant.audit.clones import part_name, top_findings
from assistant.batch.clones.worklist import scan_all
from assistant.store import Database, ImportRow, WorklistRepository, month_name
from assistant.store.clone_repository import ScannedNote
from assistant.store.models import WorklistItem

EXAM = (
    "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
    "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
    "Straight leg raise is negative. Strength is five of five in both legs and sensation "
    "is intact to light touch. Reflexes are symmetric at the knees and ankles.\n"
)


def _note(item_id: int, provider: str, units: tuple[str, ...], repeats: set[str]) -> ScannedNote:
    return ScannedNote(item_id, provider, units, frozenset(repeats))


def test_clone_shares_count_per_provider_and_part_in_report_order() -> None:
    notes = [
        _note(1, "Dr X", ("note", "physical_exam"), {"physical_exam"}),
        _note(2, "Dr X", ("note", "physical_exam", "history_of_present_illness"), set()),
        _note(3, "Dr X", ("physical_exam",), {"physical_exam"}),
        _note(4, "Dr A", ("note",), {"note"}),
        _note(5, "Dr X", ("note", "physical_exam"), set()),
    ]
    shares = clone_shares(notes)
    assert [(s.provider, s.part, s.notes, s.repeated) for s in shares] == [
        ("Dr A", "note", 1, 1),
        ("Dr X", "note", 3, 0),
        ("Dr X", "history_of_present_illness", 1, 0),
        ("Dr X", "physical_exam", 4, 2),
    ]
    assert [(s.provider, s.part) for s in top_findings(shares)] == [
        ("Dr A", "note"),
        ("Dr X", "physical_exam"),
    ]
    assert clone_shares([]) == []


@pytest.mark.parametrize(
    ("share", "sentence"),
    [
        (
            CloneShare("Dr X", "physical_exam", 30, 7),
            "23% of Dr X's physical exams in March 2026 are identical to an earlier note "
            "(7 of 30).",
        ),
        (
            CloneShare("Dr Y", "note", 4, 1),
            "25% of Dr Y's notes in March 2026 are near-copies of an earlier note (1 of 4).",
        ),
    ],
)
def test_clone_share_reads_as_a_finding(share: CloneShare, sentence: str) -> None:
    assert share.sentence("2026-03") == sentence


def test_part_and_month_names() -> None:
    assert part_name("observation_and_plan") == "assessments and plans"
    assert part_name("social_history") == "social history sections"
    assert month_name("2026-12") == "December 2026"
    assert CloneShare("Dr Z", "note", 0, 0).share == 0.0


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    db.migrate()
    yield db
    db.dispose()


def _visit(day: str) -> str:
    return (
        f"HISTORY OF PRESENT ILLNESS: Follow-up on {day}. Low back pain, left side, stable on "
        "meloxicam. She walks a mile a day and does her home exercises most mornings, with "
        "stiffness that eases after half an hour.\n" + EXAM
    )


def test_report_shares_come_from_the_stored_flags_of_the_whole_month(
    database: Database,
) -> None:
    rows = [
        ("jan", "Dr Copley", date(2026, 2, 2), _visit("2026-02-02")),
        ("mar-1", "Dr Copley", date(2026, 3, 2), _visit("2026-03-02")),
        ("mar-2", "Dr Copley", date(2026, 3, 16), _visit("2026-03-16")),
        ("mar-3", "Dr Copley", date(2026, 3, 30), "Short note: pain stable, no change."),
    ]
    with database.session() as session:
        WorklistRepository(session).import_batch(
            "march.csv",
            [
                ImportRow(note_id=n, provider=p, date_of_service=d, payer="medicare", note_text=t)
                for n, p, d, t in rows
            ],
            "tester",
        )
        # The audit draws from checked notes; the clone shares cover every note of the month.
        for item in session.scalars(select(WorklistItem)):
            item.queue_status, item.verdict, item.result = "done", "ready", {"findings": []}
    with database.session() as session:
        repo = WorklistRepository(session)
        audit = run_audit(repo, "2026-03", per_provider=1, seed=5, user="lead")
        pending = build_report(repo, audit)
    assert pending.clone_shares == [] and pending.clones_pending == 3  # not compared yet
    assert scan_all(database) == 4
    with database.session() as session:
        repo = WorklistRepository(session)
        report = build_report(repo, repo.get_audit(audit.id))  # type: ignore[arg-type]
    assert report.clones_pending == 0
    by_part = {(s.provider, s.part): (s.notes, s.repeated) for s in report.clone_shares}
    assert by_part[("Dr Copley", "physical_exam")] == (2, 2)
    assert by_part[("Dr Copley", "note")] == (2, 2)
    assert [s.sentence("2026-03") for s in report.clone_findings][:1] == [
        "100% of Dr Copley's notes in March 2026 are near-copies of an earlier note (2 of 2)."
    ]
