"""What an 835 says, as plain values: the file, its claims, service lines and adjustments.

Amounts are whole cents (``int``) so sums are exact on every database; patient names
(``NM1*QC``) are never read into these models.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ClaimKind = Literal["original", "reversal", "correction"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Adjustment(_Frozen):
    """One CAS triplet: group (CO, PR, OA, PI, CR), CARC reason code, amount and quantity."""

    group: str
    reason: str
    amount_cents: int
    quantity: float | None = None

    @property
    def code(self) -> str:
        """``CO-50``: how billing teams say it."""
        return f"{self.group}-{self.reason}"


class ServiceLine(_Frozen):
    """One SVC loop (2110): procedure, modifiers, amounts, units, date, CAS and LQ remarks."""

    line_number: int
    qualifier: str
    procedure: str
    modifiers: tuple[str, ...] = ()
    billed_cents: int
    paid_cents: int
    units: float | None = None
    date_of_service: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    control_number: str | None = None


class ClaimPayment(_Frozen):
    """One CLP loop (2100): the claim's status, amounts, claim-level CAS, remarks, lines."""

    patient_control_number: str = Field(min_length=1)
    status: str
    billed_cents: int
    paid_cents: int
    patient_responsibility_cents: int = 0
    filing_indicator: str | None = None
    payer_claim_number: str | None = None
    original_reference: str | None = None
    statement_date: date | None = None
    rendering_npi: str | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    lines: tuple[ServiceLine, ...] = ()
    kind: ClaimKind = "original"

    @property
    def is_reversal(self) -> bool:
        """``CLP02=22``: the payer takes back an earlier payment of this claim."""
        return self.status == "22"


class Remittance(_Frozen):
    """One 835 transaction set: payer, payee, payment and the claims it pays or denies."""

    control_number: str
    payer_name: str
    payer_id: str | None = None
    payee_name: str | None = None
    payee_npi: str | None = None
    trace_number: str | None = None
    payment_cents: int
    payment_method: str | None = None
    payment_date: date | None = None
    claims: tuple[ClaimPayment, ...] = ()
