"""Staff users (roles, scrypt-hashed passwords) and their browser sessions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.store.models import ROLES, User, WebSession, utcnow
from assistant.store.passwords import check_password_strength, hash_password, verify_password

SESSION_LIFETIME = timedelta(hours=10)
# Verified against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to, and the CSRF token its forms must carry."""

    user_id: int
    name: str
    role: str
    csrf_token: str


class UserRepository:
    """Create, find and authenticate staff users."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str, role: str, password: str) -> User:
        """Create a user; raise ``ValueError`` for a taken name, unknown role or weak password."""
        name = name.strip()
        if not name:
            raise ValueError("the user name is empty")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        check_password_strength(password)
        if self.find(name) is not None:
            raise ValueError(f"a user named {name!r} already exists")
        user = User(name=name, role=role, password_hash=hash_password(password))
        self.session.add(user)
        self.session.flush()
        return user

    def find(self, name: str) -> User | None:
        """A user by name."""
        return self.session.scalar(select(User).where(User.name == name))

    def authenticate(self, name: str, password: str) -> User | None:
        """The active user whose password matches, else ``None`` (same cost either way)."""
        user = self.find(name.strip())
        if user is None or user.disabled_at is not None:
            verify_password(password, _DUMMY_HASH)
            return None
        return user if verify_password(password, user.password_hash) else None

    def list_users(self) -> Sequence[User]:
        """Every user, oldest first."""
        return self.session.scalars(select(User).order_by(User.id)).all()


class WebSessionRepository:
    """Staff sign-in sessions, server-side: the cookie's token is looked up by hash; they expire."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def start(self, user: User, now: datetime | None = None) -> str:
        """Start a session for ``user`` and return the cookie token (shown once)."""
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        self.session.add(
            WebSession(
                id=_token_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        self.session.flush()
        return token

    def resolve(self, token: str, now: datetime | None = None) -> SignedIn | None:
        """The signed-in user behind ``token``, or ``None`` if unknown, expired or disabled."""
        row = self.session.get(WebSession, _token_hash(token))
        if row is None or _aware(row.expires_at) <= (now or utcnow()):
            return None
        user = self.session.get(User, row.user_id)
        if user is None or user.disabled_at is not None:
            return None
        return SignedIn(user.id, user.name, user.role, row.csrf_token)

    def end(self, token: str) -> None:
        """End the session (idempotent)."""
        self.session.execute(delete(WebSession).where(WebSession.id == _token_hash(token)))

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete expired sessions; returns how many."""
        result = self.session.execute(
            delete(WebSession).where(WebSession.expires_at <= (now or utcnow()))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
