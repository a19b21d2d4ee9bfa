"""835 upload and denial report pages over HTTP: roles, plain words, nothing half-imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.remittances import FileSummary
from api.routes.denials import summary_words
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.store import (
    Database,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
    month_name,
)

AsRole = Callable[[str | None], str]
ImportChecked = Callable[[str, list[tuple[str, str, str, str]]], int]
DOS = date(2009, 3, 10)  # a month no other web test uses
MONTH = "2009-03"
PREFIX = "WEB9"
TABLES = (RemittanceFile, RemittanceClaim, RemittanceLine, RemittanceAdjustment)
RESULT = (
    "12 claims, 13 lines: 3 paid, 8 denied, 1 left to the patient, 1 reversed by the payer; "
    "12 lines did not match a checked chart."
)


def synthetic(control: int = 1, prefix: str = PREFIX) -> bytes:
    return render_835(standard_claims(DOS, prefix), control_number=control).encode()


def rows(database: Database) -> int:
    """Rows in every remittance table together."""
    with database.session() as session:
        return sum(
            int(session.scalar(select(func.count()).select_from(table)) or 0) for table in TABLES
        )


def upload(client: TestClient, csrf: str, name: str, data: bytes) -> Any:
    """Post ``data`` through the upload form as ``name``; follows the redirect."""
    return client.post(
        "/remittances",
        data={"csrf": csrf},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=True,
    )


@pytest.fixture
def imported(web_client: TestClient, as_role: AsRole, import_checked: ImportChecked) -> str:
    """March 2009 imported by the admin, one claim matched to a checked worklist note."""
    csrf = as_role("admin")
    if web_client.get(f"/denials?month={MONTH}").text.count("data-denial-report") == 0:
        note = "Follow-up visit. Low back pain, stable. Return in 3 months."
        import_checked(csrf, [(f"{PREFIX}-0001", "Dr March", DOS.isoformat(), note)])
        response = upload(web_client, csrf, "era-march.835", synthetic())
        assert response.status_code == 200
    return csrf


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (
            (1, 1, {"paid": 1}, 1, 1),
            "1 claim, 1 line: 1 paid; every line matched a checked chart.",
        ),
        (
            (12, 30, {"paid": 24, "denied": 4, "partially_paid": 2}, 9, 27),
            "12 claims, 30 lines: 24 paid, 4 denied, 2 partly paid; "
            "3 lines did not match a checked chart.",
        ),
        ((2, 2, {"denied": 2}, 1, 1), "2 claims, 2 lines: 2 denied; 1 line did not match"),
        ((0, 0, {}, 0, 0), "0 claims, 0 lines."),
    ],
)
def test_summary_in_plain_words(key: tuple[int, int, dict[str, int], int, int], words: str) -> None:
    claims, lines, outcomes, matched_claims, matched_lines = key
    summary = FileSummary(
        "f.835", 1, False, claims, lines, outcomes, matched_claims, matched_lines, 0, 0, ()
    )
    assert summary_words(summary).startswith(words)


def test_month_name() -> None:
    assert month_name("2024-01") == "January 2024"


@pytest.mark.parametrize("path", ["/remittances", f"/denials?month={MONTH}"])
@pytest.mark.parametrize("role", ["provider", "coder"])
def test_other_roles_may_not_open_the_pages(
    web_client: TestClient, as_role: AsRole, role: str, path: str
) -> None:
    as_role(role)
    response = web_client.get(path)
    assert response.status_code == 403
    assert "Denials" not in web_client.get("/").text.split("<main")[0]  # not in the menu


@pytest.mark.parametrize("path", ["/remittances", "/denials", f"/denials/export.csv?month={MONTH}"])
def test_signed_out_is_sent_to_sign_in(web_client: TestClient, as_role: AsRole, path: str) -> None:
    as_role(None)
    response = web_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["quality_lead", "admin"])
def test_quality_lead_and_admin_see_the_pages(
    web_client: TestClient, as_role: AsRole, role: str
) -> None:
    as_role(role)
    page = web_client.get("/remittances")
    assert page.status_code == 200
    assert 'action="/remittances" enctype="multipart/form-data"' in page.text
    assert '<a href="/denials">Denials</a>' in page.text  # the menu entry


def test_upload_tells_the_result_in_plain_words(
    web_client: TestClient, imported: str, web_db: Database
) -> None:
    again = upload(web_client, imported, "era-march-copy.835", synthetic())
    assert again.status_code == 200
    text = again.text
    assert "This file was imported before" in text and "nothing was added" in text
    assert RESULT in text
    assert f'<a href="/denials?month={MONTH}">March 2009</a>' in text
    before = rows(web_db)
    fresh = upload(web_client, imported, "era-march-2.835", synthetic(2, "WEBX"))
    body = fresh.text
    assert "Imported era-march-2.835." in body
    assert RESULT.replace("12 lines did not", "13 lines did not") in body  # none matched
    assert rows(web_db) > before


@pytest.mark.usefixtures("imported")
def test_the_matched_claim_is_counted(web_client: TestClient) -> None:
    page = web_client.get("/remittances")
    assert "era-march.835" in page.text  # listed among the files imported last
    file_link = page.text.split('href="/remittances?imported=')[-1].split('"')[0]
    result = web_client.get(f"/remittances?imported={file_link}")
    assert RESULT in result.text


def _broken(old: str, new: str) -> bytes:
    text = synthetic(3, "WEBB").decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n\xe2\xe3\xcf\xd3 binary", "This file is not text"),
        (b"Name,Amount\nA,1\n", "not an X12 835 remittance file"),
        (
            _broken("005010X221A1", "004010X091A1"),
            "not an 835 remittance of version 005010X221A1, the only kind ChartReady reads: "
            "segment GS (element GS08, loop GS_LOOP) gives version &#39;004010X091A1&#39;",
        ),
        (_broken("ST*835*", "ST*837*"), "segment ST (element ST01, loop ST_LOOP)"),
        (
            _broken("CLP*WEBB-0001*1*800", "CLP*WEBB-0001*1*8X0"),
            "breaks the 5010 rules at segment CLP in loop 2100, line 17: CLP03",
        ),
    ],
)
def test_a_refused_upload_is_explained_and_nothing_is_kept(
    web_client: TestClient, as_role: AsRole, web_db: Database, data: bytes, words: str
) -> None:
    csrf = as_role("quality_lead")
    before = rows(web_db)
    response = upload(web_client, csrf, "bad.835", data)
    assert response.status_code == 422
    text = response.text
    assert "Nothing was imported." in text
    assert words in text
    assert "WEBB-0001" not in text and "8X0" not in text  # the file's data are not quoted
    assert rows(web_db) == before


def test_an_upload_needs_the_form_token(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    as_role("admin")
    before = rows(web_db)
    response = upload(web_client, "forged", "era.835", synthetic(4, "WEBC"))
    assert response.status_code == 403
    assert rows(web_db) == before


@pytest.mark.usefixtures("imported")
def test_denial_report_page(web_client: TestClient) -> None:
    page = web_client.get(f"/denials?month={MONTH}")
    assert page.status_code == 200
    text = page.text
    assert '<header class="top">' in text  # inside the site layout
    assert "<h1>Denials, dates of service 2009-03</h1>" in text
    assert "Denial rate" in text and "Top denial reasons" in text
    assert text.count("<html") == 1  # the report's own page wrapper is not nested
    assert f'type="month" value="{MONTH}"' in text
    assert f'href="/denials/export.csv?month={MONTH}"' in text
    assert 'aria-current="page">Denials</a>' in text


@pytest.mark.usefixtures("imported")
def test_denial_report_csv(web_client: TestClient) -> None:
    response = web_client.get(f"/denials/export.csv?month={MONTH}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert table and {row["month"] for row in table} == {MONTH}
    assert {row["payer"] for row in table} == {"SYNTHETIC HEALTH PLAN"}


@pytest.mark.usefixtures("imported")
def test_denials_default_to_the_latest_month(web_client: TestClient) -> None:
    page = web_client.get("/denials")
    assert page.status_code == 200
    assert "data-denial-report" in page.text


def test_an_empty_month_says_so(web_client: TestClient, as_role: AsRole) -> None:
    as_role("quality_lead")
    page = web_client.get("/denials?month=1998-02")
    assert page.status_code == 200
    assert "No remittance lines with a date of service in February 1998" in page.text
    assert "export.csv" not in page.text
    assert web_client.get("/denials/export.csv?month=1998-02").status_code == 404


@pytest.mark.parametrize("month", ["2009-13", "March"])
def test_a_malformed_month_is_explained(
    web_client: TestClient, as_role: AsRole, month: str
) -> None:
    as_role("quality_lead")
    page = web_client.get(f"/denials?month={month}")
    assert page.status_code == 422
    assert "Pick a month as YYYY-MM" in page.text
