"""The pre-auth coordinator's worklist: four queues computed from stored records.

1. **Unauthorized**: scheduled procedures (today or later) that the payer table says need
   authorization and that no approved authorization covers (family, window, levels, side,
   visits left).
2. **Expiring**: approved authorizations whose window ends in the next ``days`` days.
3. **Next step**: staged care (MBB 1 -> MBB 2 -> RFA; SCS trial -> implant) whose next step
   needs authorization and has no open request that would cover it.
4. **Pended**: requests the payer pended, waiting for records.

Pure functions of the records and the table: the caller reads the store and passes them in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from assistant.facts import family_label
from assistant.preauth.authorization_rules import AuthorizationRules, StagedSequence
from assistant.preauth.tracking import (
    OPEN_STATUSES,
    Authorization,
    ScheduledProcedure,
    family_covered,
    gaps,
    visits_used,
)

DEFAULT_DAYS = 14


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unauthorized(_Entry):
    """A scheduled procedure that needs authorization and has none that covers it."""

    procedure: ScheduledProcedure
    rule_id: str
    rule_title: str
    reason: str
    closest: Authorization | None = None


class Expiring(_Entry):
    """An approved authorization whose window ends soon."""

    authorization: Authorization
    days_left: int


class NextStep(_Entry):
    """Staged care whose next step needs a new request."""

    patient_key: str
    payer: str
    sequence: str
    sequence_title: str
    last: ScheduledProcedure
    step: int
    steps: int
    next_family: str
    rule_id: str

    @property
    def words(self) -> str:
        """The step in words, such as "Step 3 of 3: Facet radiofrequency ablation"."""
        return f"Step {self.step} of {self.steps}: {family_label(self.next_family)}"


class Pended(_Entry):
    """A request the payer pended, waiting for records."""

    authorization: Authorization
    days_waiting: int | None


class CoordinatorWorklist(_Entry):
    """The four queues as of ``today``, looking ``days`` ahead for expiries."""

    today: dt.date
    days: int
    unauthorized: list[Unauthorized]
    expiring: list[Expiring]
    next_steps: list[NextStep]
    pended: list[Pended]

    @property
    def empty(self) -> bool:
        """True when no queue holds anything."""
        return not (self.unauthorized or self.expiring or self.next_steps or self.pended)


def _by_patient(
    records: Sequence[ScheduledProcedure],
) -> dict[str, list[ScheduledProcedure]]:
    out: dict[str, list[ScheduledProcedure]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.date, r.id or 0)):
        out[record.patient_key].append(record)
    return out


def unauthorized(
    scheduled: Sequence[ScheduledProcedure],
    authorizations: Sequence[Authorization],
    rules: AuthorizationRules,
    today: dt.date,
) -> list[Unauthorized]:
    """Upcoming procedures the table says need authorization, with none that covers them."""
    patients = _by_patient(scheduled)
    out = []
    for procedure in sorted(scheduled, key=lambda p: (p.date, p.id or 0)):
        if procedure.date < today:
            continue
        rule = rules.required(
            procedure.payer, procedure.family, procedure.place_of_service, procedure.date
        )
        if rule is None:
            continue
        others = patients[procedure.patient_key]
        candidates = [
            (gaps(auth, procedure, rules, others), auth)
            for auth in authorizations
            if auth.patient_key == procedure.patient_key and auth.payer == procedure.payer
        ]
        if any(not found for found, _ in candidates):
            continue
        related = [
            (found, auth)
            for found, auth in candidates
            if family_covered(auth, procedure.family, rules)
        ]
        closest = min(related, key=lambda c: len(c[0]), default=None)
        reason = "no authorization on file"
        if closest is not None:
            reason = f"{closest[1].label}: {'; '.join(closest[0])}"
        out.append(
            Unauthorized(
                procedure=procedure,
                rule_id=rule.id,
                rule_title=rule.title,
                reason=reason,
                closest=closest[1] if closest else None,
            )
        )
    return out


def expiring(authorizations: Sequence[Authorization], today: dt.date, days: int) -> list[Expiring]:
    """Approved authorizations whose window ends between today and ``days`` from now."""
    horizon = today + dt.timedelta(days=days)
    out = [
        Expiring(authorization=auth, days_left=(auth.valid_to - today).days)
        for auth in authorizations
        if auth.status == "approved"
        and auth.valid_to is not None
        and today <= auth.valid_to <= horizon
    ]
    return sorted(out, key=lambda e: e.days_left)


def _progress(procedures: Sequence[ScheduledProcedure], sequence: StagedSequence) -> int:
    """How many steps of ``sequence`` the procedures (in date order) have reached."""
    reached = 0
    for procedure in procedures:
        ahead = sequence.steps[reached:]
        if procedure.family in ahead:  # a skipped step (RFA after one block) moves on too
            reached += ahead.index(procedure.family) + 1
    return reached


def _open_request(
    authorizations: Sequence[Authorization],
    procedures: Sequence[ScheduledProcedure],
    family: str,
    rules: AuthorizationRules,
    today: dt.date,
) -> bool:
    """An open request (requested, pended, approved and not lapsed) with a visit left."""
    for auth in authorizations:
        if auth.status_on(today) not in OPEN_STATUSES:
            continue
        if not family_covered(auth, family, rules):
            continue
        later = dt.date.max
        if (
            auth.units_allowed is None
            or visits_used(auth, family, procedures, later) < auth.units_allowed
        ):
            return True
    return False


def next_steps(
    scheduled: Sequence[ScheduledProcedure],
    authorizations: Sequence[Authorization],
    rules: AuthorizationRules,
    today: dt.date,
) -> list[NextStep]:
    """Staged care whose next step needs authorization and has no open request for it."""
    out = []
    for patient, procedures in _by_patient(scheduled).items():
        for sequence in rules.sequences:
            staged = [p for p in procedures if p.family in sequence.steps]
            reached = _progress(staged, sequence)
            if reached == 0 or reached >= len(sequence.steps):
                continue
            last = [p for p in staged if p.family == sequence.steps[reached - 1]][-1]
            family = sequence.steps[reached]
            rule = rules.required(last.payer, family, last.place_of_service, max(today, last.date))
            if rule is None:
                continue
            own = [a for a in authorizations if a.patient_key == patient and a.payer == last.payer]
            if _open_request(own, procedures, family, rules, today):
                continue
            out.append(
                NextStep(
                    patient_key=patient,
                    payer=last.payer,
                    sequence=sequence.id,
                    sequence_title=sequence.title,
                    last=last,
                    step=reached + 1,
                    steps=len(sequence.steps),
                    next_family=family,
                    rule_id=rule.id,
                )
            )
    return sorted(out, key=lambda s: (s.last.date, s.patient_key))


def pended(authorizations: Sequence[Authorization], today: dt.date) -> list[Pended]:
    """Requests pended for records, longest waiting first."""
    out = [
        Pended(
            authorization=auth,
            days_waiting=(today - auth.submitted_on).days if auth.submitted_on else None,
        )
        for auth in authorizations
        if auth.status == "pended"
    ]
    return sorted(out, key=lambda p: -(p.days_waiting or 0))


def coordinator_worklist(
    scheduled: Sequence[ScheduledProcedure],
    authorizations: Sequence[Authorization],
    rules: AuthorizationRules,
    today: dt.date,
    days: int = DEFAULT_DAYS,
) -> CoordinatorWorklist:
    """The four queues as of ``today``."""
    return CoordinatorWorklist(
        today=today,
        days=days,
        unauthorized=unauthorized(scheduled, authorizations, rules, today),
        expiring=expiring(authorizations, today, days),
        next_steps=next_steps(scheduled, authorizations, rules, today),
        pended=pended(authorizations, today),
    )
