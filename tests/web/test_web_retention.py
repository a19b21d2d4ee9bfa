"""Retention and audits: an audit whose sampled notes were purged still renders, marked."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select, update

from api.main import create_app
from api.settings import Settings
from assistant.store import Batch, Database, StoredCheck
from assistant.store.models import utcnow
from assistant.store.retention import purge_database, retention_cutoff

AsRole = Callable[[str | None], str]
ImportChecked = Callable[[str, list[tuple[str, str, str, str]]], int]
MONTH = "2011-02"  # a month no other web test imports


def test_audit_page_marks_purged_notes(
    web_client: TestClient,
    as_role: AsRole,
    web_db: Database,
    esi_note: str,
    office_note: str,
    import_checked: ImportChecked,
) -> None:
    token = as_role("admin")
    old = import_checked(token, [("keep-old", "Dr Old", f"{MONTH}-03", esi_note)])
    import_checked(token, [("keep-new", "Dr New", f"{MONTH}-04", office_note)])
    form = {"month": MONTH, "per_provider": "5", "seed": "3", "csrf": token}
    drawn = web_client.post("/audits", data=form, follow_redirects=False)
    assert drawn.status_code == 303
    audit_url = drawn.headers["location"]
    assert "keep-old" in web_client.get(audit_url).text

    with web_db.session() as session:
        stamp = utcnow() - timedelta(days=90)
        session.execute(update(Batch).where(Batch.id == old).values(created_at=stamp))
    counts = purge_database(web_db, retention_cutoff(60))
    assert (counts.batches, counts.worklist_items, counts.audits_marked) == (1, 1, 1)

    page = web_client.get(audit_url)
    assert page.status_code == 200
    assert "1 of the sampled notes was purged since under the retention policy" in page.text
    assert re.search(
        r"item #\d+</td><td colspan=\"6\">Purged under the retention policy", page.text
    )
    assert "keep-old" not in page.text and "keep-new" in page.text
    sample = web_client.get(f"{audit_url}/export.csv").text.splitlines()
    assert len(sample) == 3 and sample[-1].split(",")[9] == "purged"
    for kind in ("readiness", "risk", "trend"):
        assert web_client.get(f"{audit_url}/charts/{kind}.svg").status_code == 200


def test_retention_setting_defaults_to_keep_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHARTREADY_RETENTION_DAYS", raising=False)
    assert Settings().retention_days is None
    monkeypatch.setenv("CHARTREADY_RETENTION_DAYS", "90")
    assert Settings().retention_days == 90
    for days in (0, -1):
        with pytest.raises(ValidationError):
            Settings(retention_days=days)


def _stored_checks(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(StoredCheck)) or 0)


def test_server_housekeeping_purges_past_the_retention(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'retention.sqlite3'}"
    database = Database(url)
    database.migrate()
    with database.session() as session:
        for age in (400, 1):
            session.add(
                StoredCheck(
                    note_id=f"age-{age}",
                    note_sha256="0" * 64,
                    payer="medicare",
                    verdict="ready",
                    result={},
                    created_at=utcnow() - timedelta(days=age),
                )
            )
    app = create_app(Settings(database_url=url, warm_up=False, retention_days=30))
    try:
        with TestClient(app):
            deadline = time.monotonic() + 30
            while _stored_checks(database) != 1 and time.monotonic() < deadline:
                time.sleep(0.05)
        assert _stored_checks(database) == 1  # the year-old check went, yesterday's stayed
    finally:
        database.dispose()
