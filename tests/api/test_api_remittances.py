"""``POST /v1/remittances`` and ``GET /v1/denials``: an 835 imported whole or not at all."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.remittances import importer
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.store import (
    Database,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
    StoredCheck,
)

DOS = date(2008, 5, 12)  # a month no other API test imports
MONTH = "2008-05"
PREFIX = "APIR"
TABLES = (RemittanceFile, RemittanceClaim, RemittanceLine, RemittanceAdjustment)
X12 = {"Content-Type": "application/edi-x12"}


def synthetic(control: int, prefix: str = PREFIX, dos: date = DOS) -> str:
    """The standard synthetic 835 (12 claims, 13 lines); ``control`` makes each file unique."""
    return render_835(standard_claims(dos, prefix), control_number=control)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


def rows(database: Database) -> dict[str, int]:
    """Rows in each remittance table."""
    with database.session() as session:
        return {
            table.__tablename__: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in TABLES
        }


@pytest.fixture(scope="module")
def imported(client: TestClient, auth: dict[str, str], db_url: str) -> dict[str, Any]:
    """The standard file, imported once, with a stored API check for one of its claims."""
    database = Database(db_url)
    with database.session() as session:
        session.add(
            StoredCheck(
                note_id=f"{PREFIX}-0003",
                note_sha256="0" * 64,
                payer="commercial",
                verdict="needs_attention",
                result={"findings": [{"rule_id": "FAC-002", "severity": "block"}]},
            )
        )
    database.dispose()
    response = client.post(
        "/v1/remittances?filename=era-may.835",
        content=synthetic(1).encode(),
        headers={**auth, **X12},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_import_returns_the_summary(imported: dict[str, Any]) -> None:
    assert imported["filename"] == "era-may.835"
    assert imported["already_imported"] is False
    assert (imported["claims"], imported["lines"]) == (12, 13)
    assert imported["outcomes"] == {
        "paid": 3,
        "partially_paid": 0,
        "denied": 8,
        "patient_responsibility": 1,
        "reversed": 1,
    }
    assert (imported["matched_claims"], imported["unmatched_claims"]) == (1, 11)
    assert (imported["matched_lines"], imported["unmatched_lines"]) == (1, 12)
    assert (imported["paid_cents"], imported["denied_cents"]) == (164000, 370000)
    assert imported["months"] == [MONTH]
    assert imported["category_table_version"] >= 1


def test_summary_agrees_with_the_importer(imported: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "same.835"
    path.write_text(synthetic(1), encoding="utf-8")
    database = Database(f"sqlite:///{tmp_path / 'alone.sqlite3'}")
    database.migrate()
    try:
        alone = importer.import_file(database, path, "tester")
    finally:
        database.dispose()
    assert (alone.claims, alone.lines) == (imported["claims"], imported["lines"])
    assert (alone.paid_cents, alone.denied_cents) == (
        imported["paid_cents"],
        imported["denied_cents"],
    )
    assert {k: v for k, v in imported["outcomes"].items() if v} == alone.outcomes


def test_the_same_file_again_adds_nothing(
    client: TestClient, auth: dict[str, str], imported: dict[str, Any], database: Database
) -> None:
    before = rows(database)
    again = client.post("/v1/remittances", content=synthetic(1).encode(), headers={**auth, **X12})
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["already_imported"] is True and body["file_id"] == imported["file_id"]
    assert (body["claims"], body["lines"], body["outcomes"]) == (
        imported["claims"],
        imported["lines"],
        imported["outcomes"],
    )
    assert rows(database) == before


def test_import_takes_text_plain(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/remittances",
        content=synthetic(2, "APIT", date(2008, 6, 2)).encode(),
        headers={**auth, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "remittance.835"  # a raw body without a name


def test_import_takes_a_multipart_upload(client: TestClient, auth: dict[str, str]) -> None:
    data = synthetic(3, "APIM", date(2008, 7, 2)).encode()
    upload = {"file": ("C:\\exports\\era-upload.835", data, "text/plain")}
    response = client.post("/v1/remittances", files=upload, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "era-upload.835"  # no client path is kept
    assert response.json()["claims"] == 12


def test_import_needs_an_api_key(client: TestClient, database: Database) -> None:
    before = rows(database)
    response = client.post("/v1/remittances", content=synthetic(4).encode(), headers=X12)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert rows(database) == before


def _break(old: str, new: str) -> bytes:
    text = synthetic(5, "APIB")
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "code", "segment", "loop", "words"),
    [
        (_break("CLP*APIB-0001*1*800", "CLP*APIB-0001*1*8X0"), "E901", "CLP", "2100", "CLP03"),
        (_break("CAS*CO*45*280~", "CAS*ZZ*45*280~"), "E901", "CAS", "2110", "line 23"),
        (_break("005010X221A1", "004010X091A1"), "E902", "GS", "GS_LOOP", "GS (GS08) says"),
        (_break("ST*835*", "ST*837*"), "E902", "ST", "ST_LOOP", "ST (ST01) says"),
        (_break("*00501*", "*00401*"), "E902", "ISA", "ISA_LOOP", "ISA (ISA12) says"),
        (b"\x89PNG\r\n\x1a\n\x00\xff binary", "E901", "ISA", "ISA_LOOP", "not text"),
        (b"hello, not x12", "E901", "ISA", "ISA_LOOP", "does not begin with an ISA"),
        (b"", "E901", "ISA", "ISA_LOOP", "does not begin with an ISA"),
    ],
)
def test_a_refused_file_is_a_problem_naming_segment_and_loop(
    client: TestClient,
    auth: dict[str, str],
    database: Database,
    data: bytes,
    code: str,
    segment: str,
    loop: str,
    words: str,
) -> None:
    before = rows(database)
    response = client.post(
        "/v1/remittances?filename=bad.835", content=data, headers={**auth, **X12}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert (problem["segment"], problem["loop"]) == (segment, loop)
    assert problem["type"].endswith("/remittance-format")
    assert problem["detail"].startswith("bad.835: ") and words in problem["detail"]
    assert problem["request_id"]
    for value in ("APIB-0001", "8X0", "PATIENT"):  # the file's data are never quoted
        assert value not in response.text
    assert rows(database) == before  # nothing of the refused file was stored


def test_a_failure_while_writing_leaves_no_rows(
    app: FastAPI,
    client: TestClient,
    auth: dict[str, str],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert client.app is not None  # the lifespan has opened the store
    real = importer._store_claim
    calls: list[int] = []

    def fail_on_the_third_claim(*args: Any) -> tuple[int, bool]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the store went away")
        return real(*args)

    monkeypatch.setattr(importer, "_store_claim", fail_on_the_third_claim)
    before = rows(database)
    unraised = TestClient(app, raise_server_exceptions=False)
    response = unraised.post(
        "/v1/remittances", content=synthetic(6, "APIF").encode(), headers={**auth, **X12}
    )
    assert response.status_code == 500
    assert response.json()["code"] == "E000"
    assert len(calls) == 3  # two claims were written before the failure...
    assert rows(database) == before  # ...and rolled back with the file


def test_an_unknown_media_type_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/v1/remittances", json={"file": "ISA"}, headers=auth)
    assert response.status_code == 415
    assert "application/edi-x12" in response.json()["detail"]


def test_a_form_without_the_file_field_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    upload = {"attachment": ("era.835", synthetic(7, "APIX").encode(), "text/plain")}
    response = client.post("/v1/remittances", files=upload, headers=auth)
    assert response.status_code == 422
    assert "form field 'file'" in response.json()["detail"]


@pytest.mark.usefixtures("imported")
def test_denials_report_as_json(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"/v1/denials?month={MONTH}", headers=auth)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["month"] == MONTH
    assert (report["overall"]["lines"], report["overall"]["denied_lines"]) == (12, 8)
    assert report["prevention"]["denied"] == 8
    assert report["prevention"]["flagged"] == 1  # the stored check's block finding on APIR-0003
    assert {r["reason"] for r in report["top_reasons"]} >= {"CO-50", "CO-97", "CO-29"}


@pytest.mark.usefixtures("imported")
def test_denials_report_as_csv(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"/v1/denials?month={MONTH}&format=csv", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="denials-{MONTH}.csv"' in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 8
    flagged = [row for row in table if row["flagged_before_billing"] == "yes"]
    assert [row["note_id"] for row in flagged] == [f"{PREFIX}-0003"]


def test_denials_of_an_empty_month_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/v1/denials?month=1999-01", headers=auth)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "E903"


@pytest.mark.parametrize("month", ["2024-13", "2024-1", "May-2008", "0000-01"])
def test_denials_refuses_a_malformed_month(
    client: TestClient, auth: dict[str, str], month: str
) -> None:
    response = client.get(f"/v1/denials?month={month}", headers=auth)
    assert response.status_code == 422


def test_denials_needs_an_api_key(client: TestClient) -> None:
    assert client.get(f"/v1/denials?month={MONTH}").status_code == 401
