"""Authorizations and scheduled procedures kept and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from assistant.checks import load_registry
from assistant.preauth.authorization_rules import load_authorization_rules
from assistant.preauth.coordinator import coordinator_worklist
from assistant.preauth.tracking import (
    Authorization,
    ScheduledProcedure,
    authorizations_from,
    scheduled_from,
)
from assistant.store import (
    AuthorizationRepository,
    Database,
    ImportRow,
    WorklistItem,
    WorklistRepository,
)

TODAY = dt.date(2026, 3, 2)


def _authorization(**kw: object) -> Authorization:
    values: dict[str, object] = {
        "patient_key": "P-1",
        "payer": "medicare",
        "family": "facet_mbb",
        "cpt_codes": ["64493", "64494"],
        "levels": ["L4-L5", "L5-S1"],
        "side": "left",
        "status": "approved",
        "number": "UTN-1",
        "valid_from": dt.date(2026, 2, 1),
        "valid_to": dt.date(2026, 3, 10),
        "units_allowed": 2,
        "submitted_on": dt.date(2026, 1, 20),
        "decided_on": dt.date(2026, 1, 25),
        "note": "records sent 20 Jan",
    }
    return Authorization.model_validate({**values, **kw})


def test_store_authorization_round_trip(database: Database) -> None:
    record = _authorization()
    with database.session() as session:
        repo = AuthorizationRepository(session)
        repo.add_authorization(record.model_dump(exclude={"id"}), "coordinator")
        repo.add_authorization(
            _authorization(patient_key="P-2", status="pended").model_dump(exclude={"id"}), "c"
        )
    with database.session() as session:
        rows = AuthorizationRepository(session).authorizations("P-1")
        back = authorizations_from(rows)
        assert rows[0].created_by == "coordinator"
    assert len(back) == 1
    assert back[0].model_dump(exclude={"id"}) == record.model_dump(exclude={"id"})
    assert back[0].id is not None


def test_store_scheduled_round_trip_in_date_order(database: Database) -> None:
    later = ScheduledProcedure(
        patient_key="P-1",
        payer="medicare",
        family="facet_rfa",
        levels=["L4-L5"],
        side="left",
        date=dt.date(2026, 4, 1),
        place_of_service="22",
    )
    earlier = later.model_copy(update={"family": "facet_mbb", "date": dt.date(2026, 3, 1)})
    with database.session() as session:
        repo = AuthorizationRepository(session)
        for record in (later, earlier):
            repo.schedule(record.model_dump(exclude={"id"}), "coordinator")
    with database.session() as session:
        repo = AuthorizationRepository(session)
        back = scheduled_from(repo.scheduled("P-1"))
        since = scheduled_from(repo.scheduled(since=dt.date(2026, 3, 15)))
    assert [p.family for p in back] == ["facet_mbb", "facet_rfa"]
    assert back[1].model_dump(exclude={"id"}) == later.model_dump(exclude={"id"})
    assert [p.family for p in since] == ["facet_rfa"]


def test_store_status_update_and_the_worklist_from_stored_rows(database: Database) -> None:
    with database.session() as session:
        repo = AuthorizationRepository(session)
        pended = repo.add_authorization(
            _authorization(status="pended", number=None).model_dump(exclude={"id"}), "c"
        )
        repo.schedule(
            ScheduledProcedure(
                patient_key="P-1",
                payer="medicare",
                family="facet_mbb",
                levels=["L4-L5"],
                side="left",
                date=dt.date(2026, 3, 5),
                place_of_service="22",
            ).model_dump(exclude={"id"}),
            "c",
        )
        pended_id = pended.id
    rules = load_authorization_rules(load_registry())

    def worklist() -> tuple[int, int, int]:
        with database.session() as session:
            repo = AuthorizationRepository(session)
            found = coordinator_worklist(
                scheduled_from(repo.scheduled()),
                authorizations_from(repo.authorizations()),
                rules,
                TODAY,
            )
        return len(found.unauthorized), len(found.pended), len(found.expiring)

    assert worklist() == (1, 1, 0)
    with database.session() as session:
        repo = AuthorizationRepository(session)
        row = repo.set_status(pended_id, "approved", number="UTN-9", decided_on=TODAY)
        assert row is not None and row.number == "UTN-9"
        assert repo.set_status(pended_id + 100, "approved", number=None, decided_on=None) is None
    assert worklist() == (0, 0, 1)


def test_store_repository_refuses_unknown_fields(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError, match="unknown fields: colour"):
        AuthorizationRepository(session).schedule({"colour": "blue"}, "c")


def test_store_worklist_import_keeps_the_patient_key(database: Database) -> None:
    rows = [
        ImportRow(
            note_id=note_id,
            provider="Dr A",
            date_of_service=dt.date(2026, 3, 1),
            payer="medicare",
            patient_key=key,
            note_text="synthetic note",
        )
        for note_id, key in (("n1", "P-1"), ("n2", None))
    ]
    with database.session() as session:
        WorklistRepository(session).import_batch("b.csv", rows, "coder")
    with database.session() as session:
        keys = {i.note_id: i.patient_key for i in session.scalars(select(WorklistItem))}
    assert keys == {"n1": "P-1", "n2": None}
