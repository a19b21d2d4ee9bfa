"""The mini-audit's copied-documentation shares in its CSV export and its charts.

The report page shows, per provider and part of the note, how many of the month's notes
repeat an earlier note; the same figures are a CSV table (``?table=clones``) and a chart
(``clones``), pure functions of the report and served beside the other tables and charts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from api.settings import Settings
from api.web.access import SESSION_COOKIE
from assistant.audit import AuditReport, CloneShare, run_audit
from assistant.audit.charts import CHART_KINDS, render_chart
from assistant.audit.export import CLONE_COLUMNS, clones_csv
from assistant.batch.clones.worklist import scan_all
from assistant.store import Database, ImportRow, WebSessionRepository, WorklistRepository
from assistant.store.models import User, WorklistItem

SHARES = [
    CloneShare("Dr Copley", "note", 3, 2),
    CloneShare("Dr Copley", "physical_exam", 3, 3),
    CloneShare("Dr Distinct", "note", 2, 0),
]


def _report(shares: list[CloneShare]) -> AuditReport:
    return AuditReport(7, "2026-03", 5, 11, "lead", [], [], [], [], clone_shares=shares)


def test_clones_csv_has_one_row_per_provider_and_part() -> None:
    rows = list(csv.reader(io.StringIO(clones_csv(_report(SHARES)))))
    assert tuple(rows[0]) == CLONE_COLUMNS
    assert rows[1:] == [
        ["7", "2026-03", "Dr Copley", "note", "3", "2", "0.667"],
        ["7", "2026-03", "Dr Copley", "physical_exam", "3", "3", "1.000"],
        ["7", "2026-03", "Dr Distinct", "note", "2", "0", "0.000"],
    ]
    assert clones_csv(_report([])).splitlines() == [",".join(CLONE_COLUMNS)]


def test_the_clones_chart_shows_each_providers_shares() -> None:
    assert "clones" in CHART_KINDS
    svg = render_chart(_report(SHARES), "clones", "svg").decode()
    for text in ("Dr Copley", "Dr Distinct", "67% of 3", "100% of 3", "0% of 2"):
        assert text in svg
    for legend in ("whole notes", "physical exams"):
        assert legend in svg
    assert "Copied documentation by provider, 2026-03" in svg
    assert render_chart(_report(SHARES), "clones", "png").startswith(b"\x89PNG")
    assert render_chart(_report([]), "clones", "png").startswith(b"\x89PNG")  # nothing yet


def test_the_clones_chart_is_reproducible() -> None:
    report = _report(SHARES)
    assert render_chart(report, "clones", "svg") == render_chart(report, "clones", "svg")


def _visit(day: str) -> str:
    return (
        f"HISTORY OF PRESENT ILLNESS: Follow-up on {day}. Low back pain, left side, stable on "
        "meloxicam. She walks a mile a day and does her home exercises most mornings, with "
        "stiffness that eases after half an hour.\n"
        "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
        "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
        "Straight leg raise is negative. Strength is five of five in both legs and sensation "
        "is intact to light touch. Reflexes are symmetric at the knees and ankles.\n"
    )


@dataclass
class Served:
    """A client signed in as a quality lead, and an audit of March 2026 with copied notes."""

    client: TestClient
    audit_id: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("audit-clones") / "store.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.migrate()
    rows = [
        ("feb", date(2026, 2, 2), _visit("2026-02-02")),
        ("mar-1", date(2026, 3, 2), _visit("2026-03-02")),
        ("mar-2", date(2026, 3, 16), _visit("2026-03-16")),
    ]
    with database.session() as session:
        WorklistRepository(session).import_batch(
            "march.csv",
            [
                ImportRow(
                    note_id=n,
                    provider="Dr Copley",
                    date_of_service=d,
                    payer="medicare",
                    note_text=t,
                )
                for n, d, t in rows
            ],
            "tester",
        )
        for item in session.scalars(select(WorklistItem)):  # checked: nothing left to queue
            item.queue_status, item.verdict, item.result = "done", "ready", {"findings": []}
    assert scan_all(database) == 3
    with database.session() as session:
        audit_id = run_audit(WorklistRepository(session), "2026-03", 5, 3, "lead").id
        lead = User(name="lead", role="quality_lead", password_hash="!")
        session.add(lead)
        session.flush()
        token = WebSessionRepository(session).start(lead)
    database.dispose()
    app = create_app(Settings(database_url=url, warm_up=False))
    with TestClient(app) as client:
        client.cookies.set(SESSION_COOKIE, token)
        yield Served(client, audit_id)


def test_the_audit_exports_its_clone_shares_as_csv(served: Served) -> None:
    response = served.client.get(f"/audits/{served.audit_id}/export.csv?table=clones")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"audit-{served.audit_id}-2026-03-clones.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_part = {row["part"]: (row["notes"], row["repeated"], row["share"]) for row in rows}
    assert by_part["physical_exam"] == ("2", "2", "1.000")
    assert by_part["note"] == ("2", "2", "1.000")
    assert {row["provider"] for row in rows} == {"Dr Copley"}


def test_the_audit_serves_the_clones_chart_and_links_both(served: Served) -> None:
    svg = served.client.get(f"/audits/{served.audit_id}/charts/clones.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "Dr Copley" in svg.text and "100% of 2" in svg.text
    png = served.client.get(f"/audits/{served.audit_id}/charts/clones.png")
    assert png.content.startswith(b"\x89PNG")
    page = served.client.get(f"/audits/{served.audit_id}").text
    copied = page.split('<h2 id="clones">Copied documentation</h2>', 1)[1].split("<h2>", 1)[0]
    assert f'src="/audits/{served.audit_id}/charts/clones.png"' in copied
    assert f'href="/audits/{served.audit_id}/export.csv?table=clones"' in page
    assert "dated within 183 days of it" in copied  # the detector's window, from its settings
