"""Clone flags over stored worklist notes: across batches, reading only what it must."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from batch_inputs import corpus_rows
from pydantic import ValidationError
from sqlalchemy import func, select, text, update

from assistant.batch.clones import worklist as stored_clones
from assistant.batch.clones.evaluate import copy_forward
from assistant.batch.clones.text import CloneReading, CloneSettings, default_settings
from assistant.store import (
    Batch,
    CloneLink,
    CloneRepository,
    CloneScan,
    CloneSignature,
    Database,
    ImportRow,
    WorklistRepository,
)
from assistant.store.models import utcnow
from assistant.store.retention import purge_database, retention_cutoff

MARKER = "CLONE-CANARY-51c2"  # in every note: it must never reach a log line
VISIT = (
    "HISTORY OF PRESENT ILLNESS: The patient returns with left low back pain rated 7/10. "
    "She has tried physical therapy for six weeks without relief and takes meloxicam daily. "
    f"The pain is worse with standing and eases when she sits down. {MARKER}\n"
    "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
    "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
    "Straight leg raise is negative. Strength is five of five in both legs and sensation "
    "is intact to light touch. Reflexes are symmetric at the knees and ankles.\n"
    "ASSESSMENT AND PLAN: Lumbar facet arthropathy. Continue home exercise and meloxicam; "
    "return in four weeks or sooner if worse.\n"
)


def _import(database: Database, name: str, notes: list[tuple[str, str, date, str]]) -> int:
    rows = [
        ImportRow(
            note_id=note_id,
            provider=provider,
            date_of_service=day,
            payer="medicare",
            note_text=text,
        )
        for note_id, provider, day, text in notes
    ]
    with database.session() as session:
        return WorklistRepository(session).import_batch(name, rows, "tester").id


def _ids(database: Database) -> dict[str, int]:
    from assistant.store import WorklistItem

    with database.session() as session:
        return dict(session.execute(select(WorklistItem.note_id, WorklistItem.id)).tuples().all())


def _february(database: Database) -> None:
    """The February visit among six unrelated corpus notes, compared."""
    corpus = [
        (f"corpus-{i}", "Dr Other", date(2026, 2, 1 + i), row["text"] + f"\n{MARKER}")
        for i, row in enumerate(corpus_rows(6))
    ]
    _import(database, "february.csv", [("feb", "Dr Copley", date(2026, 2, 10), VISIT), *corpus])
    assert stored_clones.scan_pending(database) == 7


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the text of every note read for clone detection from now on."""
    seen: list[str] = []
    real: Callable[[str, CloneSettings], CloneReading] = stored_clones.read_for_clones

    def counting(text: str, settings: CloneSettings) -> CloneReading:
        seen.append(text)
        return real(text, settings)

    monkeypatch.setattr(stored_clones, "read_for_clones", counting)
    return seen


def test_a_later_batch_is_compared_with_stored_notes_reading_only_candidates(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _february(database)
    edited = copy_forward(VISIT, random.Random(4), [])
    assert edited != VISIT
    _import(
        database,
        "march.csv",
        [
            ("mar", "Dr Copley", date(2026, 3, 10), edited),
            ("own", "Dr Distinct", date(2026, 3, 12), corpus_rows(8)[7]["text"]),
        ],
    )
    reads = _count_reads(monkeypatch)
    assert stored_clones.scan_pending(database) == 2
    # The two new notes, then the one stored note the LSH offered: not the six others.
    assert len(reads) == 3 and reads[2].strip() == VISIT.strip()
    ids = _ids(database)
    with database.session() as session:
        matches = CloneRepository(session).matches_for(list(ids.values()))
    assert set(matches) == {ids["mar"], ids["feb"]}
    (march,) = matches[ids["mar"]]
    assert march.note_id == "feb" and march.earlier is True and march.same_provider is True
    assert 0.7 <= march.similarity < 1.0 and march.whole_note
    assert march.evidence and all(e["end"] > e["start"] for e in march.evidence)
    (back,) = matches[ids["feb"]]
    assert back.note_id == "mar" and back.earlier is False
    assert stored_clones.scan_pending(database) == 0  # everything compared once


def test_identical_notes_in_later_batches_join_the_stored_group(database: Database) -> None:
    _february(database)
    for month in (3, 4):
        _import(database, f"{month}.csv", [(f"m{month}", "Dr Copley", date(2026, month, 9), VISIT)])
        assert stored_clones.scan_pending(database) == 1
    ids = _ids(database)
    with database.session() as session:
        matches = CloneRepository(session).matches_for([ids["m4"]])[ids["m4"]]
        month, pending = CloneRepository(session).scanned_in_month("2026-04")
    assert [m.note_id for m in matches] == ["feb", "m3"]
    assert all(m.similarity == 1.0 and m.earlier for m in matches)
    assert "physical_exam" in matches[0].identical_sections
    assert pending == 0
    (april,) = month
    assert april.provider == "Dr Copley"
    assert {"note", "history_of_present_illness", "physical_exam"} <= april.repeats


def test_scans_log_counts_never_note_text(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        _february(database)
        _import(database, "march.csv", [("mar", "Dr Copley", date(2026, 3, 10), VISIT)])
        stored_clones.scan_pending(database)
    assert "clone scan: 1 notes compared with 7 earlier, 1 matching pairs" in caplog.text
    assert MARKER not in caplog.text and "meloxicam" not in caplog.text


def test_notes_far_apart_in_time_are_not_compared(database: Database) -> None:
    _february(database)
    later = date(2026, 2, 10) + timedelta(days=default_settings().window_days + 30)
    _import(database, "autumn.csv", [("autumn", "Dr Copley", later, VISIT)])
    assert stored_clones.scan_pending(database) == 1
    with database.session() as session:
        assert CloneRepository(session).matches_for([_ids(database)["autumn"]]) == {}


def _window(days: int) -> CloneSettings:
    """The packaged settings with another look-back window, validated as the file is."""
    return CloneSettings.model_validate({**default_settings().model_dump(), "window_days": days})


@pytest.mark.parametrize(
    ("days_later", "window_days", "flagged"),
    [
        (213, 183, False),  # the packaged window: too far back
        (213, 240, True),  # a wider window reaches the February visit
        (28, 183, True),
        (28, 20, False),  # a narrower one does not
    ],
)
def test_the_window_setting_decides_which_stored_notes_are_compared(
    database: Database, days_later: int, window_days: int, flagged: bool
) -> None:
    _february(database)
    later = date(2026, 2, 10) + timedelta(days=days_later)
    _import(database, "later.csv", [("later", "Dr Copley", later, VISIT)])
    assert stored_clones.scan_pending(database, _window(window_days)) == 1
    item = _ids(database)["later"]
    with database.session() as session:
        matches = CloneRepository(session).matches_for([item])
    assert [m.note_id for m in matches.get(item, [])] == (["feb"] if flagged else [])


def test_the_window_is_a_validated_setting() -> None:
    assert default_settings().window_days == 183
    for days in (0, -1, 3661):
        with pytest.raises(ValidationError, match="window_days"):
            _window(days)


def test_a_new_detector_compares_every_note_again(database: Database) -> None:
    _february(database)
    _import(database, "march.csv", [("mar", "Dr Copley", date(2026, 3, 10), VISIT)])
    stored_clones.scan_pending(database)
    changed = default_settings().model_copy(update={"version": 99})
    assert stored_clones.scan_all(database, changed) == 8
    with database.session() as session:
        detectors = set(session.scalars(select(CloneScan.detector)))
        links = session.scalar(select(func.count()).select_from(CloneLink))
    assert detectors == {changed.label()} and links == 2


def test_purging_a_batch_removes_its_flags_and_the_links_to_it(database: Database) -> None:
    _february(database)
    _import(database, "march.csv", [("mar", "Dr Copley", date(2026, 3, 10), VISIT)])
    stored_clones.scan_pending(database)
    with database.session() as session:
        first = session.scalars(select(Batch).order_by(Batch.id)).first()
        assert first is not None
        session.execute(
            update(Batch)
            .where(Batch.id == first.id)
            .values(created_at=utcnow() - timedelta(days=400))
        )
    purge_database(database, retention_cutoff(30))
    with database.session() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (CloneScan, CloneSignature, CloneLink)
        ]
        mar = _ids(database)["mar"]
        assert CloneRepository(session).matches_for([mar]) == {}
    assert counts[0] == 1 and counts[1] >= 1 and counts[2] == 0


def test_servers_sharing_postgresql_take_turns_scanning(postgres_schema_url: str) -> None:
    """While another server holds the scan lock, this one leaves the notes to it."""
    database = Database(postgres_schema_url)
    database.migrate()
    try:
        _import(database, "visit.csv", [("v", "Dr Copley", date(2026, 3, 10), VISIT)])
        with database.engine.connect() as other_server:
            other_server.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": stored_clones._ADVISORY_KEY}
            )
            assert stored_clones.scan_pending(database) == 0
            other_server.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": stored_clones._ADVISORY_KEY}
            )
        assert stored_clones.scan_pending(database) == 1
    finally:
        database.dispose()
