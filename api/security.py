"""Authentication: plugin API keys (``Authorization: Bearer KEY``) and CDS Hooks client JWTs.

API keys are looked up by SHA-256 hash. A bearer token shaped like a JWT is verified as a
CDS Hooks client token when issuers are configured: issuer allow-list, ``aud`` equal to the
service URL, ``exp``/``iat`` checked, signature by JWKS (``kid``) or a shared HMAC key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jwt
from sqlalchemy import bindparam, select, update

from api.settings import Settings
from assistant.store import Database, hash_api_key
from assistant.store.models import ApiKey

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "ES256", "ES384")
SHARED_ALGORITHMS = ("HS256", "HS384", "HS512")
_TOUCH_INTERVAL = timedelta(minutes=1)
# Core statements, not the ORM: a session, identity map and ORM row cost ~0.4 ms a request.
_FIND_KEY = select(ApiKey.id, ApiKey.name, ApiKey.revoked_at, ApiKey.last_used_at).where(
    ApiKey.key_hash == bindparam("key_hash")
)
_TOUCH_KEY = update(ApiKey).where(ApiKey.id == bindparam("key_id"))


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key by name, a CDS client by issuer, or anonymous."""

    kind: Literal["api_key", "jwt", "anonymous"]
    name: str


class AuthError(Exception):
    """Authentication failed; the message is safe to return to the caller."""


def looks_like_jwt(token: str) -> bool:
    """True for three dot-separated base64url segments."""
    return token.count(".") == 2 and all(token.split("."))


def authenticate_api_key(database: Database, token: str) -> Principal:
    """The principal for an active API key, looked up on every call (revocation is immediate).

    Raises:
        AuthError: the key is unknown or revoked.
    """
    with database.engine.connect() as connection:
        row = connection.execute(_FIND_KEY, {"key_hash": hash_api_key(token)}).one_or_none()
        if row is None or row.revoked_at is not None:
            raise AuthError("unknown or revoked API key")
        now = datetime.now(UTC)
        last = row.last_used_at
        if last is None or now - last.replace(tzinfo=last.tzinfo or UTC) > _TOUCH_INTERVAL:
            # At most once a minute: keeps SQLite writes rare.
            connection.execute(_TOUCH_KEY.values(last_used_at=now), {"key_id": row.id})
            connection.commit()
        return Principal("api_key", row.name)


@lru_cache(maxsize=4)
def _load_jwks(path: str) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _verification_key(settings: Settings, header: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    algorithm = str(header.get("alg", ""))
    if algorithm in SHARED_ALGORITHMS and settings.cds_jwt_shared_key is not None:
        return settings.cds_jwt_shared_key.get_secret_value(), SHARED_ALGORITHMS
    if algorithm in ASYMMETRIC_ALGORITHMS and settings.cds_jwt_jwks_path:
        try:
            keys = _load_jwks(settings.cds_jwt_jwks_path)
        except (OSError, ValueError, jwt.PyJWKSetError) as exc:
            raise AuthError("the configured JWKS cannot be loaded") from exc
        kid = header.get("kid")
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key.key, ASYMMETRIC_ALGORITHMS
        raise AuthError("no JWKS key matches the token's kid")
    raise AuthError(f"token algorithm {algorithm!r} is not accepted")


def verify_cds_jwt(settings: Settings, token: str, audience: str) -> Principal:
    """Verify a CDS Hooks client JWT and return its issuer as the principal.

    Raises:
        AuthError: the token is malformed, from an unknown issuer, expired or badly signed.
    """
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError("malformed JWT") from exc
    issuer = claims.get("iss")
    if issuer not in settings.cds_jwt_issuers:
        raise AuthError("JWT issuer is not allowed")
    key, algorithms = _verification_key(settings, header)
    try:
        jwt.decode(
            token,
            key,
            algorithms=list(algorithms),
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"JWT rejected: {type(exc).__name__}") from exc
    return Principal("jwt", str(issuer))
