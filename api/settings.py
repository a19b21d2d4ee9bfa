"""Settings from the environment (``CHARTREADY_*``), validated at start-up."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.store.db import default_database_url


class Settings(BaseSettings):
    """Everything the API reads from its environment; unsafe combinations are refused."""

    model_config = SettingsConfigDict(env_prefix="CHARTREADY_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    auth_required: bool = True
    # The pages form is usable without a key only from the machine itself (make run);
    # turn this off behind a reverse proxy on the same host, where every client is loopback.
    pages_open_on_loopback: bool = True
    public_base_url: str | None = None
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    # The largest X12 835 file one upload may hold (`POST /v1/remittances` and the
    # /remittances page), in bytes: a payer's remittance for a month runs to megabytes.
    # Every other request body stays bounded by max_body_bytes.
    max_remittance_bytes: int = Field(default=20_000_000, ge=1_024)
    max_batch: int = Field(default=16, ge=1, le=256)
    warm_up: bool = True
    # The clinic's name, printed at the head of audit reports.
    clinic_name: str = Field(default="Pain management clinic", min_length=1, max_length=120)
    # How often the server deletes expired web sessions and old failed sign-ins (seconds).
    housekeeping_seconds: float = Field(default=3600.0, gt=0)
    # Days to keep stored checks, CDS feedback and imported worklist batches (with their note
    # text, results and overrides); older rows are purged by the housekeeping loop (and by
    # `chartready purge --older-than DAYS`). Unset (the default): kept until purged by hand.
    retention_days: int | None = Field(default=None, ge=1)
    # Reader processes that take checks in turn; unset: one per core on 2+ cores, else 0
    # (0 reads in a thread of the serving process).
    reader_processes: int | None = Field(default=None, ge=0, le=16)
    # CDS Hooks client JWTs (optional): allowed issuers and how to verify them.
    cds_default_payer: str = "commercial"
    # Coverage -> payer profile rules (YAML); default: checklists/coverage/coverage-map.v1.yaml.
    cds_coverage_map: str | None = None
    cds_jwt_issuers: list[str] = Field(default_factory=list)
    cds_jwt_jwks_path: str | None = None
    cds_jwt_shared_key: SecretStr | None = None
    cds_jwt_required: bool = False

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.cds_jwt_issuers and not (self.cds_jwt_jwks_path or self.cds_jwt_shared_key):
            raise ValueError("cds_jwt_issuers needs cds_jwt_jwks_path or cds_jwt_shared_key")
        if self.cds_jwt_required and not self.cds_jwt_issuers:
            raise ValueError("cds_jwt_required needs at least one issuer in cds_jwt_issuers")
        if self.cds_jwt_shared_key and len(self.cds_jwt_shared_key.get_secret_value()) < 32:
            raise ValueError("cds_jwt_shared_key must be at least 32 characters")
        if self.public_base_url and not self.public_base_url.startswith(("http://", "https://")):
            raise ValueError("public_base_url must be an absolute http(s) URL")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process settings (cached; tests override the dependency)."""
    return Settings()
