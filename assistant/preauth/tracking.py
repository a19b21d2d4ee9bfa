"""Authorizations and scheduled procedures as records, and whether one covers the other.

The store keeps them (``assistant.store.authorization_tables``); these records are what the
coordinator worklist and the note check read, built from stored rows with
``Authorization.model_validate(row, from_attributes=True)`` so nothing here imports the store.
A patient is a pseudonymous key the practice supplies; it is never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.checks.claims import CptCode
from assistant.facts import Family, Laterality, family_label
from assistant.preauth.authorization_rules import AuthorizationRules
from assistant.preauth.values import segments
from assistant.reader.levels import canonical_levels

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
PatientKey = str


def check_levels(values: Sequence[str]) -> list[str]:
    """Canonical spinal levels (``L4-5`` -> ``L4-L5``); ``ValueError`` naming a bad one."""
    out: list[str] = []
    for value in values:
        levels = canonical_levels(value)
        if len(levels) != 1:
            raise ValueError(f"{value!r} is not a spinal level such as L4-L5 or L5")
        out.extend(levels)
    return list(dict.fromkeys(out))


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
        return check_levels(values)

    @property
    def procedure_words(self) -> str:
        """The procedure in words ("Facet medial branch block, left, L4-L5, L5-S1")."""
        parts = [family_label(self.family), self.side or "", ", ".join(self.levels)]
        return ", ".join(part for part in parts if part)


class Authorization(_Record):
    """One authorization request and what the payer decided."""

    cpt_codes: list[CptCode] = Field(default_factory=list, max_length=20)
    number: str | None = Field(default=None, max_length=50)
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


def gaps(
    auth: Authorization,
    procedure: ScheduledProcedure,
    rules: AuthorizationRules | None,
    others: Sequence[ScheduledProcedure] = (),
) -> list[str]:
    """Why ``auth`` does not cover ``procedure``, in words (empty: it covers it).

    ``others`` are the patient's other scheduled or done procedures, for the visit count.
    """
    out: list[str] = []
    if auth.status != "approved":
        out.append(STATUS_WORDS[auth.status])
    elif not auth.in_window(procedure.date):
        out.append(f"valid {auth.window_words}")
    if not family_covered(auth, procedure.family, rules):
        out.append(f"authorized for {family_label(auth.family).lower()}")
    missing = uncovered_levels(auth.levels, procedure.levels)
    if missing:
        out.append(f"{', '.join(missing)} not authorized")
    if not side_covered(auth.side, procedure.side):
        out.append(f"authorized for the {auth.side} side")
    if auth.units_allowed is not None and not out:
        used = visits_used(auth, procedure.family, others, procedure.date)
        if used >= auth.units_allowed:
            out.append(f"all {auth.units_allowed} visit(s) used")
    return out


def authorizations_from(rows: Iterable[object]) -> list[Authorization]:
    """Records from stored rows (any objects carrying the fields as attributes)."""
    return [Authorization.model_validate(row, from_attributes=True) for row in rows]


def scheduled_from(rows: Iterable[object]) -> list[ScheduledProcedure]:
    """Scheduled-procedure records from stored rows."""
    return [ScheduledProcedure.model_validate(row, from_attributes=True) for row in rows]
