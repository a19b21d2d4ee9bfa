"""Persistence: SQLAlchemy 2 models, Alembic migrations and small repositories.

The database URL comes from ``CHARTREADY_DATABASE_URL``; the default is an embedded SQLite
file under ``./var``. Note text is stored only for worklist items, which a coder imports
explicitly; checks, sessions, overrides and audits never hold it.
"""

from assistant.store.authorization_repository import AuthorizationRepository
from assistant.store.authorization_tables import StoredAuthorization, StoredScheduledProcedure
from assistant.store.clone_repository import CloneRepository
from assistant.store.clone_tables import CloneLink, CloneScan, CloneSignature
from assistant.store.db import Database, database_url, default_database_url
from assistant.store.housekeeping import housekeeping_forever, purge_expired_sessions
from assistant.store.importing import BatchImportError, ImportRow, parse_batch
from assistant.store.models import (
    REVIEW_STATUSES,
    ROLES,
    ApiKey,
    Audit,
    Base,
    Batch,
    CdsFeedback,
    Override,
    StoredCheck,
    User,
    WebSession,
    WorklistItem,
)
from assistant.store.remittance_repository import RemittanceRepository
from assistant.store.remittance_tables import (
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceFile,
    RemittanceLine,
)
from assistant.store.repositories import (
    ApiKeyRepository,
    CheckRepository,
    FeedbackRepository,
    NewApiKey,
    hash_api_key,
)
from assistant.store.staff import SignedIn, UserRepository, WebSessionRepository
from assistant.store.worklist import WorklistFilter, WorklistRepository, month_bounds, month_name
from assistant.store.worklist_queue import WorklistQueue, check_queue, worklist_check_args

__all__ = [
    "REVIEW_STATUSES",
    "ROLES",
    "ApiKey",
    "ApiKeyRepository",
    "Audit",
    "AuthorizationRepository",
    "Base",
    "Batch",
    "BatchImportError",
    "CdsFeedback",
    "CheckRepository",
    "CloneLink",
    "CloneRepository",
    "CloneScan",
    "CloneSignature",
    "Database",
    "FeedbackRepository",
    "ImportRow",
    "NewApiKey",
    "Override",
    "RemittanceAdjustment",
    "RemittanceClaim",
    "RemittanceFile",
    "RemittanceLine",
    "RemittanceRepository",
    "SignedIn",
    "StoredAuthorization",
    "StoredCheck",
    "StoredScheduledProcedure",
    "User",
    "UserRepository",
    "WebSession",
    "WebSessionRepository",
    "WorklistFilter",
    "WorklistItem",
    "WorklistQueue",
    "WorklistRepository",
    "check_queue",
    "database_url",
    "default_database_url",
    "hash_api_key",
    "housekeeping_forever",
    "month_bounds",
    "month_name",
    "parse_batch",
    "purge_expired_sessions",
    "worklist_check_args",
]
