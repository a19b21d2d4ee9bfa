"""Engine and session factory for the ChartReady store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "CHARTREADY_DATABASE_URL"
DEFAULT_PATH = Path("var") / "chartready.sqlite3"
# The tables of migration 0001 (the schema before migrations were introduced).
_BASELINE_TABLES = {"api_keys", "checks", "cds_feedback"}
_BASELINE_REVISION = "0001"
# PostgreSQL advisory lock key held while migrating, so servers starting together take turns.
_MIGRATION_LOCK_KEY = 0x43485254  # "CHRT"


def default_database_url() -> str:
    """The embedded default: a SQLite file under ``./var`` of the working directory."""
    return f"sqlite:///{DEFAULT_PATH.as_posix()}"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: ``explicit``, else ``$CHARTREADY_DATABASE_URL``, else the default."""
    return explicit or os.environ.get(ENV_VAR) or default_database_url()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """One engine plus its session factory; build once per process."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        parsed = make_url(self.url)
        connect_args: dict[str, object] = {}
        if parsed.get_backend_name() == "sqlite":
            # The API runs repositories from its thread pool.
            connect_args["check_same_thread"] = False
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(
            self.url,
            connect_args=connect_args,
            hide_parameters=True,  # never log note text
            # A server outlives database restarts: test pooled connections before use.
            pool_pre_ping=parsed.get_backend_name() != "sqlite",
        )
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        """The database kind: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password masked, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def create_tables(self) -> None:
        """Bring the schema up to date (idempotent); kept for callers that predate migrations."""
        self.migrate()

    def migrate(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (idempotent).

        A store created before migrations existed (tables but no ``alembic_version``) is
        stamped at the first revision, whose tables it already has, then upgraded. On
        PostgreSQL a transaction-scoped advisory lock serialises servers that start together
        on one database (the second finds the schema current and does nothing).
        """
        from alembic import command

        config = _alembic_config()
        with self.engine.begin() as connection:
            if self.backend == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = connection
            tables = set(inspect(connection).get_table_names())
            if "alembic_version" not in tables and _BASELINE_TABLES <= tables:
                command.stamp(config, _BASELINE_REVISION)
            command.upgrade(config, revision)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
