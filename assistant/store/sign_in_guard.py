"""Sign-in throttling (OWASP ASVS 2.2.1): accounts and addresses that fail too often lock.

An account or a client address that fails too often is locked for a while; an
administrator can unlock an account.

Failures are rows in the store, so a lock holds across restarts and ``chartready users
unlock`` (another process) can lift it. Locks and unlocks are logged by account name and
address only (no password, no note text).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from assistant.store.models import SignInFailure, utcnow

logger = logging.getLogger("chartready.audit")


@dataclass(frozen=True)
class SignInPolicy:
    """How many failures within ``window`` lock an account or an address, and for how long."""

    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = SignInPolicy()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SignInGuard:
    """Counts failed sign-ins and says whether an account or address is locked now."""

    def __init__(self, session: Session, policy: SignInPolicy = DEFAULT_POLICY) -> None:
        self.session = session
        self.policy = policy

    def _locked_until(
        self, column: InstrumentedAttribute[str], value: str, limit: int, now: datetime
    ) -> datetime:
        """When the lock on ``value`` ends (``now`` or earlier: not locked)."""
        since = now - self.policy.window - self.policy.lock
        recent = select(SignInFailure.at).where(column == value, SignInFailure.at > since)
        times = sorted(_aware(t) for t in self.session.scalars(recent.order_by(SignInFailure.at)))
        # Locked from the failure that made ``limit`` within one window, for ``lock``.
        for end in range(limit - 1, len(times)):
            if times[end] - times[end - limit + 1] <= self.policy.window:
                return times[-1] + self.policy.lock
        return now

    def locked_for(self, name: str, address: str, now: datetime | None = None) -> timedelta:
        """How much longer sign-ins for ``name`` or from ``address`` are refused (0: not)."""
        now = now or utcnow()
        ends = (
            self._locked_until(SignInFailure.user_name, name, self.policy.account_failures, now),
            self._locked_until(SignInFailure.address, address, self.policy.address_failures, now),
        )
        return max(timedelta(0), max(ends) - now)

    def record_failure(self, name: str, address: str, now: datetime | None = None) -> None:
        """Count one failed sign-in; log when it locks the account or the address."""
        now = now or utcnow()
        self.session.add(SignInFailure(user_name=name[:100], address=address[:64], at=now))
        self.session.flush()
        if self.locked_for(name, address, now) > timedelta(0):
            logger.warning(
                "sign-in locked: account %r or address %s failed too often", name, address
            )

    def succeeded(self, name: str) -> int:
        """Clear the account's failures (a right password); returns how many.

        The rows stay, without the name, so they still count against their address.
        """
        result = self.session.execute(
            update(SignInFailure).where(SignInFailure.user_name == name).values(user_name="")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def unlock(self, name: str) -> int:
        """Lift an account's lock (an administrator's decision); returns failures cleared."""
        cleared = self.succeeded(name)
        logger.warning("sign-in unlocked by an administrator: account %r", name)
        return cleared

    def forget_before(self, moment: datetime) -> int:
        """Delete failures older than ``moment`` (housekeeping); returns how many."""
        result = self.session.execute(delete(SignInFailure).where(SignInFailure.at < moment))
        return int(result.rowcount)  # type: ignore[attr-defined]
