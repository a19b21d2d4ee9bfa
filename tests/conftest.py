"""Shared fixtures: the reader is built once per test session (it is expensive)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc
from sqlalchemy import Engine

from assistant.facts import NoteFacts
from assistant.store import Database

# Apps built by tests read in a thread of the test process (the session's reader); the tests
# of reader processes (tests/api/test_api_reader_pool.py, the uvicorn server) ask for them.
os.environ["CHARTREADY_READER_PROCESSES"] = "0"

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def nlp() -> Language:
    from assistant.reader.pipeline import get_reader

    return get_reader()


@pytest.fixture(scope="session")
def read() -> Callable[[str], NoteFacts]:
    from assistant.reader.read import read_note

    return lambda text: read_note(text, "test")


@pytest.fixture(scope="session")
def doc_before(nlp: Language) -> Callable[[str, str], Doc]:
    """A function running the reader on a text up to (not including) a named component."""

    def run(component: str, text: str) -> Doc:
        doc = nlp.make_doc(text)
        for name, step in nlp.pipeline:
            if name == component:
                return doc
            doc = step(doc)
        raise ValueError(f"no component {component!r} in the reader")

    return run


# ---- the store on SQLite and on PostgreSQL ------------------------------------------------
# Store tests take ``store_url``: once on a fresh SQLite file, once in a fresh PostgreSQL
# schema (dropped afterwards). PostgreSQL comes from $CHARTREADY_TEST_POSTGRES_URL (default:
# the CI service); when it is unreachable its variants skip, or fail if
# CHARTREADY_REQUIRE_POSTGRES=1 (CI sets it in .ci/run).

POSTGRES_URL = os.environ.get(
    "CHARTREADY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test PostgreSQL database, or skip/fail (see above) if unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        reason = f"PostgreSQL not reachable at {where}: {str(exc.orig).strip().splitlines()[0]}"
        if os.environ.get("CHARTREADY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (CHARTREADY_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_schema_url(postgres_admin: Engine) -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own; the schema is dropped after."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    schema = f"chartready_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with postgres_admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL: a SQLite file, then a PostgreSQL schema (not yet migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def database(store_url: str) -> Iterator[Database]:
    """A migrated store on ``store_url`` (SQLite, then PostgreSQL), disposed after the test."""
    db = Database(store_url)
    db.migrate()
    yield db
    db.dispose()
