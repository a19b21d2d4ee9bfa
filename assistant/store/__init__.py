"""Persistence: SQLAlchemy 2 models and small repositories (API keys, stored checks, feedback).

The database URL comes from ``CHARTREADY_DATABASE_URL``; the default is an embedded SQLite
file under ``./var``. Nothing here stores note text.
"""

from assistant.store.db import Database, database_url, default_database_url
from assistant.store.models import ApiKey, Base, CdsFeedback, StoredCheck
from assistant.store.repositories import (
    ApiKeyRepository,
    CheckRepository,
    FeedbackRepository,
    NewApiKey,
    hash_api_key,
)

__all__ = [
    "ApiKey",
    "ApiKeyRepository",
    "Base",
    "CdsFeedback",
    "CheckRepository",
    "Database",
    "FeedbackRepository",
    "NewApiKey",
    "StoredCheck",
    "database_url",
    "default_database_url",
    "hash_api_key",
]
