"""835 uploads have a body limit of their own; every other route keeps ``max_body_bytes``.

A real remittance runs to megabytes, so ``POST /v1/remittances`` and the ``/remittances``
upload page read up to ``max_remittance_bytes`` (20 MB by default) and refuse more in
words about 835 files, while the rest of the app still refuses bodies over 1 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from api.main import create_app
from api.settings import Settings
from api.web.access import SESSION_COOKIE
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.store import ApiKeyRepository, Database, RemittanceFile, WebSessionRepository
from assistant.store.models import User

LIMIT = 3_000_000  # small enough to send over it quickly, well above the 1 MB of the rest
BIG = 2_000_000
HTML = {"Accept": "text/html"}
X12 = {"Content-Type": "application/edi-x12"}


@dataclass
class Upload:
    """A client of an app with a 3 MB 835 limit, an API key and a quality lead's session."""

    client: TestClient
    database: Database
    api: dict[str, str]
    session: str
    csrf: str

    def files(self) -> int:
        """835 files stored so far."""
        with self.database.session() as session:
            return int(session.scalar(select(func.count()).select_from(RemittanceFile)) or 0)

    def page_post(self, name: str, data: bytes) -> Any:
        """Post ``data`` through the upload form, as a browser would."""
        self.client.cookies.set(SESSION_COOKIE, self.session)
        try:
            return self.client.post(
                "/remittances",
                data={"csrf": self.csrf},
                files={"file": (name, data, "application/octet-stream")},
                headers=HTML,
                follow_redirects=False,
            )
        finally:
            self.client.cookies.clear()


def padded_835(control: int, size: int = BIG, *, broken: bool = False) -> bytes:
    """A valid synthetic 835 padded with trailing line breaks to ``size`` bytes.

    X12 readers skip the line breaks between segments, so it imports as the standard file;
    ``broken`` gives CLP03 a letter, which the 5010 guide refuses.
    """
    text = render_835(standard_claims(date(2007, 6, 4), f"LIM{control}"), control_number=control)
    if broken:
        text = text.replace("*1*800*", "*1*8X0*", 1)
    data = text.encode()
    return data + b"\n" * (size - len(data))


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upload]:
    path: Path = tmp_path_factory.mktemp("upload-limit") / "store.sqlite3"
    url = f"sqlite:///{path}"
    app = create_app(Settings(database_url=url, warm_up=False, max_remittance_bytes=LIMIT))
    with TestClient(app) as client:
        database = Database(url)
        with database.session() as session:
            key = ApiKeyRepository(session).create("limit-test").secret
            lead = User(name="lead", role="quality_lead", password_hash="!")
            session.add(lead)
            session.flush()
            sessions = WebSessionRepository(session)
            token = sessions.start(lead)
            signed_in = sessions.resolve(token)
            assert signed_in is not None
        yield Upload(
            client, database, {"Authorization": f"Bearer {key}"}, token, signed_in.csrf_token
        )
        database.dispose()


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """The body in pieces, sent without a Content-Length."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_the_835_limit_is_a_setting_of_20_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHARTREADY_MAX_REMITTANCE_BYTES", raising=False)
    assert Settings().max_remittance_bytes == 20_000_000
    assert Settings().max_body_bytes == 1_000_000  # the rest of the app keeps 1 MB
    monkeypatch.setenv("CHARTREADY_MAX_REMITTANCE_BYTES", "50000000")
    assert Settings().max_remittance_bytes == 50_000_000
    with pytest.raises(ValidationError):
        Settings(max_remittance_bytes=100)


def test_a_2_mb_835_is_read_and_imported(upload: Upload) -> None:
    before = upload.files()
    response = upload.client.post(
        "/v1/remittances?filename=big.835", content=padded_835(1), headers={**upload.api, **X12}
    )
    assert response.status_code == 201, response.text
    assert response.json()["claims"] == 12
    assert upload.files() == before + 1


def test_a_2_mb_malformed_835_gets_the_835_error_not_413(upload: Upload) -> None:
    before = upload.files()
    response = upload.client.post(
        "/v1/remittances?filename=bad.835",
        content=padded_835(2, broken=True),
        headers={**upload.api, **X12},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/remittance-format")
    assert (problem["code"], problem["segment"], problem["loop"]) == ("E901", "CLP", "2100")
    assert upload.files() == before


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_an_835_over_the_limit_is_refused_in_835_words(upload: Upload, streamed: bool) -> None:
    before = upload.files()
    data = padded_835(3, LIMIT + 1)
    response = upload.client.post(
        "/v1/remittances?filename=huge.835",
        content=_chunks(data) if streamed else data,
        headers={**upload.api, **X12},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("body-too-large")
    assert problem["detail"].startswith("This 835 file is larger than 3 MB")
    assert "CHARTREADY_MAX_REMITTANCE_BYTES" in problem["detail"]
    assert upload.files() == before


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_other_routes_keep_the_1_mb_limit(upload: Upload, streamed: bool) -> None:
    body = b'{"note": "' + b"a" * 1_000_000 + b'"}'
    response = upload.client.post(
        "/v1/extract",
        content=_chunks(body) if streamed else body,
        headers={**upload.api, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 1,000,000 bytes."


def test_the_upload_page_takes_a_2_mb_835(upload: Upload) -> None:
    before = upload.files()
    response = upload.page_post("big.835", padded_835(4))
    assert response.status_code == 303, response.text
    assert upload.files() == before + 1


def test_the_upload_page_refuses_an_835_over_the_limit_in_words(upload: Upload) -> None:
    before = upload.files()
    response = upload.page_post("huge.835", padded_835(5, LIMIT + 1))
    assert response.status_code == 413
    page = response.text
    assert "<h1>835 file too large</h1>" in page
    assert "This 835 file is larger than 3 MB" in page
    assert "chartready remittances import" in page
    assert upload.files() == before
