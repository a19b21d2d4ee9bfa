"""Authorizations and scheduled procedures as records, and whether one covers the other.

The store keeps them (``assistant.store.authorization_tables``); these records are what the
coordinator worklist and the note check read, built from stored rows with
``Authorization.model_validate(row, from_attributes=True)`` so nothing here imports the store.
Whether an authorization covers a procedure is judged once (:func:`coverage`) and worded by
each reader: the coordinator (:func:`gaps`) and the note check
(:func:`assistant.preauth.mismatch.mismatches`). The payer's answer moves a request's status
on as ``NEXT_STATUSES`` allows (:func:`with_status`); its decision date can be cleared
(``decided_on=CLEAR_DATE``).
A patient is a pseudonymous key the practice supplies; it is never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.checks.claims import CptCode
from assistant.errors import Errors, StatusChangeError
from assistant.facts import Family, Laterality, family_label
from assistant.preauth.authorization_rules import AuthorizationRules
from assistant.preauth.planned import procedure_words, spinal_levels
from assistant.preauth.values import segments

AuthorizationStatus = Literal["requested", "pended", "approved", "denied", "expired"]
AUTHORIZATION_STATUSES: tuple[AuthorizationStatus, ...] = AuthorizationStatus.__args__  # type: ignore[attr-defined]
STATUS_WORDS: dict[str, str] = {
    "requested": "requested, no decision yet",
    "pended": "pended for records",
    "approved": "approved",
    "denied": "denied",
    "expired": "expired",
}
# Requests still alive: a new request for the same procedure would duplicate them.
OPEN_STATUSES: frozenset[str] = frozenset({"requested", "pended", "approved"})
# The statuses a request can take next (its own again: the answer recorded once more, with
# a new number or date). The payer pends, approves or denies a request; records sent put a
# pended one back in review; a denied one is sent again or approved on appeal; an approval
# lapses or is withdrawn. An expired authorization stays expired: ask again in a new request.
NEXT_STATUSES: dict[str, tuple[AuthorizationStatus, ...]] = {
    "requested": ("requested", "pended", "approved", "denied"),
    "pended": ("pended", "requested", "approved", "denied"),
    "approved": ("approved", "denied", "expired"),
    "denied": ("denied", "requested", "pended", "approved"),
    "expired": ("expired",),
}
DECISIONS: frozenset[str] = frozenset({"approved", "denied"})
# No decision stands: a request sent (again) or pended for records.
AWAITING: frozenset[str] = frozenset({"requested", "pended"})
MAX_NUMBER = 50  # as long as the store keeps an authorization number
PatientKey = str


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    id: int | None = None
    patient_key: PatientKey = Field(min_length=1, max_length=100)
    payer: str = Field(min_length=1, max_length=50)
    family: Family
    levels: list[str] = Field(default_factory=list, max_length=10)
    side: Laterality | None = None

    @field_validator("levels")
    @classmethod
    def _levels(cls, values: list[str]) -> list[str]:
        return spinal_levels(values)

    @property
    def procedure_words(self) -> str:
        """The procedure in words ("Facet medial branch block, left, L4-L5, L5-S1")."""
        return procedure_words(self.family, self.side, self.levels)


class Authorization(_Record):
    """One authorization request and what the payer decided."""

    cpt_codes: list[CptCode] = Field(default_factory=list, max_length=20)
    number: str | None = Field(default=None, max_length=MAX_NUMBER)
    status: AuthorizationStatus = "requested"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    units_allowed: int | None = Field(default=None, ge=1, le=999)
    submitted_on: dt.date | None = None
    decided_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _window(self) -> Authorization:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def status_on(self, day: dt.date) -> AuthorizationStatus:
        """The status as of ``day``: an approval whose window has ended reads ``expired``."""
        if self.status == "approved" and self.valid_to is not None and self.valid_to < day:
            return "expired"
        return self.status

    def in_window(self, day: dt.date) -> bool:
        """True when ``day`` falls within the validity window (open ends allowed)."""
        after_start = self.valid_from is None or self.valid_from <= day
        return after_start and (self.valid_to is None or day <= self.valid_to)

    @property
    def window_words(self) -> str:
        """The validity window in words ("2026-03-01 to 2026-05-31", "no dates")."""
        if self.valid_from is None and self.valid_to is None:
            return "no dates"
        start = self.valid_from.isoformat() if self.valid_from else "open"
        end = self.valid_to.isoformat() if self.valid_to else "open"
        return f"{start} to {end}"

    @property
    def label(self) -> str:
        """The authorization as coordinators name it: number, else its stored id."""
        if self.number:
            return f"authorization {self.number}"
        return f"authorization #{self.id}" if self.id is not None else "the authorization"


class ScheduledProcedure(_Record):
    """A procedure on the schedule: who, what, when, which payer and place of service."""

    date: dt.date
    place_of_service: str | None = Field(default=None, pattern=r"^\d{2}$")


def uncovered_levels(authorized: Sequence[str], performed: Sequence[str]) -> list[str]:
    """The performed levels outside the authorized ones (none when either names no level).

    A joint (``L4-L5``) is covered when it is authorized or both its vertebrae are; a single
    vertebra (a medial branch, ``L4``) when any authorized level names it.
    """
    if not authorized or not performed:
        return []
    allowed = {level.upper() for level in authorized}
    vertebrae = {v for level in allowed for v in segments(level)}
    return [
        level
        for level in performed
        if level.upper() not in allowed and not segments(level) <= vertebrae
    ]


def side_covered(authorized: str | None, performed: str | None) -> bool:
    """False only when both sides are known and the authorized one does not include it."""
    if authorized is None or performed is None or authorized == performed:
        return True
    return authorized == "bilateral"


def family_covered(
    auth: Authorization, family: str, rules: AuthorizationRules | None = None
) -> bool:
    """The authorization's own family, or a later step its payer's rule carries it over to."""
    if auth.family == family:
        return True
    return rules is not None and family in rules.carried(auth.payer, auth.family)


def visits_used(
    auth: Authorization, family: str, done: Iterable[ScheduledProcedure], before: dt.date
) -> int:
    """Sessions of ``family`` for this patient in the window before ``before`` (one a day)."""
    return len(
        {
            p.date
            for p in done
            if p.patient_key == auth.patient_key
            and p.family == family
            and p.date < before
            and auth.in_window(p.date)
        }
    )


@dataclass(frozen=True)
class Coverage:
    """How far one authorization covers one procedure on one day, field by field.

    The one judgement behind the coordinator's reasons (:func:`gaps`) and a note's
    warnings (:func:`assistant.preauth.mismatch.mismatches`); each words it its own way.
    """

    status: AuthorizationStatus  # on the day: an approval whose window has ended is expired
    in_window: bool
    family: bool  # its own family, or a later step its payer's rule carries it over to
    codes_outside: tuple[str, ...]  # billed codes it does not approve
    levels_outside: tuple[str, ...]
    side: bool
    # The sessions already used when they leave none; judged only when all else fits.
    visits_used: int | None

    @property
    def timing(self) -> Literal["window", "status"] | None:
        """``window``: approved (or expired) but not valid on the day; ``status``: no approval."""
        if self.status == "expired" or (self.status == "approved" and not self.in_window):
            return "window"
        return None if self.status == "approved" else "status"

    @property
    def rank(self) -> tuple[bool, bool, bool, bool, bool]:
        """How well it fits (higher is better): family, approved, in window, levels, side."""
        approved = self.status == "approved"
        return (self.family, approved, self.in_window, not self.levels_outside, self.side)


def coverage(
    auth: Authorization,
    family: str,
    levels: Sequence[str],
    side: str | None,
    day: dt.date,
    rules: AuthorizationRules | None,
    *,
    billed: Sequence[str] = (),
    done: Iterable[ScheduledProcedure] = (),
) -> Coverage:
    """How ``auth`` covers a procedure of ``family``, ``levels`` and ``side`` on ``day``.

    ``billed`` are the claim's codes for it, if any; ``done`` the patient's other
    procedures, for the visit count.
    """
    found = Coverage(
        status=auth.status_on(day),
        in_window=auth.in_window(day),
        family=family_covered(auth, family, rules),
        codes_outside=tuple(c for c in billed if auth.cpt_codes and c not in auth.cpt_codes),
        levels_outside=tuple(uncovered_levels(auth.levels, levels)),
        side=side_covered(auth.side, side),
        visits_used=None,
    )
    fits = found.family and not found.codes_outside and not found.levels_outside
    if auth.units_allowed is None or not fits or not found.side or found.timing is not None:
        return found
    used = visits_used(auth, family, done, day)
    return replace(found, visits_used=used) if used >= auth.units_allowed else found


def gaps(
    auth: Authorization,
    procedure: ScheduledProcedure,
    rules: AuthorizationRules | None,
    others: Sequence[ScheduledProcedure] = (),
    *,
    billed: Sequence[str] = (),
) -> list[str]:
    """Why ``auth`` does not cover ``procedure``, in words (empty: it covers it).

    ``others`` are the patient's other scheduled or done procedures, for the visit count;
    ``billed`` the codes ordered or billed for it, if any.
    """
    found = coverage(
        auth,
        procedure.family,
        procedure.levels,
        procedure.side,
        procedure.date,
        rules,
        billed=billed,
        done=others,
    )
    out: list[str] = []
    if found.timing is not None:  # the stored status when it is not an approval
        approved = auth.status == "approved"
        out.append(f"valid {auth.window_words}" if approved else STATUS_WORDS[auth.status])
    if not found.family:
        out.append(f"authorized for {family_label(auth.family).lower()}")
    if found.levels_outside:
        out.append(f"{', '.join(found.levels_outside)} not authorized")
    if not found.side:
        out.append(f"authorized for the {auth.side} side")
    if found.visits_used is not None:
        out.append(f"all {auth.units_allowed} visit(s) used")
    if found.codes_outside:
        out.append(
            f"approves CPT {', '.join(auth.cpt_codes)}, not {', '.join(found.codes_outside)}"
        )
    return out


class Clear(Enum):
    """A stored date to remove: ``with_status(..., decided_on=CLEAR_DATE)``."""

    DATE = "clear"


CLEAR_DATE = Clear.DATE
# A decision date to record: a date, CLEAR_DATE to remove it, None to keep (or default) it.
DecidedOn = dt.date | Clear | None


def _either(options: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join([", ".join(options[:-1]), options[-1]] if len(options) > 1 else options)


def with_status(
    auth: Authorization,
    status: str,
    *,
    today: dt.date,
    decided_on: DecidedOn = None,
    number: str | None = None,
) -> Authorization:
    """``auth`` with the payer's answer: ``status`` (one of ``NEXT_STATUSES[auth.status]``).

    A new decision (approved or denied) is dated ``decided_on``, by default ``today``; a
    date given with another status is kept as given. ``CLEAR_DATE`` removes the stored
    date (a decision keeps one). A denial sent again (requested or pended) loses its date
    unless one is given: the decision it dated is gone. ``number`` is the payer's
    reference, kept when given (the stored one stays otherwise).

    Raises:
        StatusChangeError: an unknown status (Errors.E107), a move the request's history
            does not allow (Errors.E108), a decision dated before the request was submitted
            (Errors.E109), an overlong number (Errors.E110), or a decision whose date is
            cleared (Errors.E111).
    """
    if status not in AUTHORIZATION_STATUSES:
        known = ", ".join(AUTHORIZATION_STATUSES)
        raise StatusChangeError(Errors.E107, status=status, known=known)
    allowed = NEXT_STATUSES[auth.status]
    if status not in allowed:
        others = [s for s in allowed if s != auth.status]
        then = f"it can become {_either(others)}" if others else "ask again in a new request"
        now = STATUS_WORDS[auth.status]
        raise StatusChangeError(Errors.E108, label=auth.label, now=now, status=status, then=then)
    update: dict[str, object] = {"status": status}
    if isinstance(decided_on, Clear):
        if status in DECISIONS:
            raise StatusChangeError(Errors.E111, label=auth.label, status=status)
        update["decided_on"] = None
    elif decided_on is None and status in DECISIONS and status != auth.status:
        decided_on = today
    elif decided_on is None and auth.status in DECISIONS and status in AWAITING:
        update["decided_on"] = None
    if isinstance(decided_on, dt.date):
        if auth.submitted_on is not None and decided_on < auth.submitted_on:
            raise StatusChangeError(
                Errors.E109,
                decided_on=decided_on.isoformat(),
                submitted_on=auth.submitted_on.isoformat(),
            )
        update["decided_on"] = decided_on
    reference = (number or "").strip()
    if len(reference) > MAX_NUMBER:
        raise StatusChangeError(Errors.E110, limit=MAX_NUMBER)
    if reference:
        update["number"] = reference
    return auth.model_copy(update=update)


def authorizations_from(rows: Iterable[object]) -> list[Authorization]:
    """Records from stored rows (any objects carrying the fields as attributes)."""
    return [Authorization.model_validate(row, from_attributes=True) for row in rows]


def scheduled_from(rows: Iterable[object]) -> list[ScheduledProcedure]:
    """Scheduled-procedure records from stored rows."""
    return [ScheduledProcedure.model_validate(row, from_attributes=True) for row in rows]
