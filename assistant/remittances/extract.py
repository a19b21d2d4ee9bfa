"""Turn validated 835 segments into :class:`Remittance` values (pure: no pyx12, no I/O).

Only what a billing team acts on is kept: payer and payment (BPR, TRN, N1 loops), each
claim (CLP, claim-level CAS, MIA/MOA remarks, REF*F8 original reference, NM1*82 rendering
NPI, DTM*232), each service line (SVC, DTM*472, CAS, REF*6R, LQ*HE). Patient names
(NM1*QC/IL) are skipped on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from assistant.remittances.model import (
    Adjustment,
    ClaimKind,
    ClaimPayment,
    Remittance,
    ServiceLine,
)
from assistant.remittances.x12 import Segment

CAS_TRIPLETS = 6
# MIA and MOA element positions that carry remittance advice remark codes.
MIA_REMARKS = (5, 20, 21, 22, 23)
MOA_REMARKS = (3, 4, 5, 6, 7)


def cents(value: str) -> int:
    """An X12 decimal amount (``"150"``, ``"-12.5"``) as whole cents; ``""`` is 0."""
    if not value:
        return 0
    try:
        return int((Decimal(value) * 100).to_integral_value())
    except InvalidOperation as exc:  # the validator already refused bad numbers
        raise ValueError("not an X12 amount") from exc


def x12_date(value: str) -> date | None:
    """``CCYYMMDD`` as a date; ``None`` when blank."""
    if len(value) != 8 or not value.isdigit():
        return None
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def number(value: str) -> float | None:
    """A quantity element as a float; ``None`` when blank."""
    return float(value) if value else None


def adjustments(seg: Segment) -> list[Adjustment]:
    """The up to six (reason, amount, quantity) triplets of one CAS segment."""
    group = seg.value(1)
    out = []
    for i in range(CAS_TRIPLETS):
        reason = seg.value(2 + 3 * i)
        if not reason:
            continue
        out.append(
            Adjustment(
                group=group,
                reason=reason,
                amount_cents=cents(seg.value(3 + 3 * i)),
                quantity=number(seg.value(4 + 3 * i)),
            )
        )
    return out


def remark_codes(seg: Segment) -> list[str]:
    """RARCs of an MIA or MOA segment (the positions the 5010 guide reserves for them)."""
    positions = MIA_REMARKS if seg.id == "MIA" else MOA_REMARKS
    return [code for code in (seg.value(p) for p in positions) if code]


@dataclass
class _Line:
    number: int
    svc: Segment
    dos: date | None = None
    period_start: date | None = None
    cas: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    control: str | None = None

    def build(self) -> ServiceLine:
        units = self.svc.value(5)
        return ServiceLine(
            line_number=self.number,
            qualifier=self.svc.value(1, 1),
            procedure=self.svc.value(1, 2),
            modifiers=tuple(m for m in (self.svc.value(1, k) for k in range(3, 7)) if m),
            billed_cents=cents(self.svc.value(2)),
            paid_cents=cents(self.svc.value(3)),
            units=number(units) if units else 1.0,
            date_of_service=self.dos or self.period_start,
            adjustments=tuple(self.cas),
            remarks=tuple(self.remarks),
            control_number=self.control,
        )


@dataclass
class _Claim:
    clp: Segment
    cas: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    statement: date | None = None
    rendering: str | None = None
    original: str | None = None

    def build(self) -> ClaimPayment:
        clp = self.clp
        return ClaimPayment(
            patient_control_number=clp.value(1),
            status=clp.value(2),
            billed_cents=cents(clp.value(3)),
            paid_cents=cents(clp.value(4)),
            patient_responsibility_cents=cents(clp.value(5)),
            filing_indicator=clp.value(6) or None,
            payer_claim_number=clp.value(7) or None,
            original_reference=self.original,
            statement_date=self.statement,
            rendering_npi=self.rendering,
            adjustments=tuple(self.cas),
            remarks=tuple(self.remarks),
            lines=tuple(line.build() for line in self.lines),
        )


@dataclass
class _Transaction:
    control: str
    header: dict[str, str] = field(default_factory=dict)
    claims: list[_Claim] = field(default_factory=list)


def _header(seg: Segment, header: dict[str, str]) -> None:
    """Payer, payee and payment fields of the header and the 1000A/1000B loops."""
    if seg.id == "BPR":
        header.update(payment=seg.value(2), method=seg.value(4), paid_on=seg.value(16))
    elif seg.id == "TRN":
        header["trace"] = seg.value(2)
    elif seg.id == "N1" and seg.loop == "1000A":
        header.update(payer=seg.value(2), payer_id=seg.value(4))
    elif seg.id == "REF" and seg.loop == "1000A" and seg.value(1) == "2U":
        header["payer_id"] = seg.value(2)
    elif seg.id == "N1" and seg.loop == "1000B":
        header["payee"] = seg.value(2)
        if seg.value(3) == "XX":
            header["payee_npi"] = seg.value(4)


def _claim_segment(seg: Segment, claim: _Claim) -> None:
    """A 2100 segment other than CLP."""
    if seg.id == "CAS":
        claim.cas.extend(adjustments(seg))
    elif seg.id in {"MIA", "MOA"}:
        claim.remarks.extend(remark_codes(seg))
    elif seg.id == "NM1" and seg.value(1) == "82" and seg.value(8) == "XX":
        claim.rendering = seg.value(9)
    elif seg.id == "REF" and seg.value(1) == "F8":
        claim.original = seg.value(2)
    elif seg.id == "DTM" and seg.value(1) == "232":
        claim.statement = x12_date(seg.value(2))


def _line_segment(seg: Segment, line: _Line) -> None:
    """A 2110 segment other than SVC."""
    if seg.id == "CAS":
        line.cas.extend(adjustments(seg))
    elif seg.id == "DTM" and seg.value(1) == "472":
        line.dos = x12_date(seg.value(2))
    elif seg.id == "DTM" and seg.value(1) == "150":
        line.period_start = x12_date(seg.value(2))
    elif seg.id == "LQ" and seg.value(1) == "HE":
        line.remarks.append(seg.value(2))
    elif seg.id == "REF" and seg.value(1) == "6R":
        line.control = seg.value(2)


def _transactions(segments: Iterable[Segment]) -> list[_Transaction]:
    transactions: list[_Transaction] = []
    current: _Transaction | None = None
    for seg in segments:
        if seg.id == "ST":
            current = _Transaction(control=seg.value(2))
            transactions.append(current)
            continue
        if current is None:
            continue
        claim = current.claims[-1] if current.claims else None
        if seg.id == "CLP":
            current.claims.append(_Claim(clp=seg))
        elif seg.id == "SVC" and claim is not None:
            claim.lines.append(_Line(number=len(claim.lines) + 1, svc=seg))
        elif seg.loop == "2110" and claim is not None and claim.lines:
            _line_segment(seg, claim.lines[-1])
        elif seg.loop == "2100" and claim is not None:
            _claim_segment(seg, claim)
        elif claim is None:
            _header(seg, current.header)
    return transactions


def claim_kinds(claims: Sequence[ClaimPayment]) -> list[ClaimKind]:
    """Reversal (CLP02=22), correction (REF*F8, or re-sent beside its reversal), original."""
    reversed_pcns = {c.patient_control_number for c in claims if c.is_reversal}
    kinds: list[ClaimKind] = []
    for claim in claims:
        if claim.is_reversal:
            kinds.append("reversal")
        elif claim.original_reference or claim.patient_control_number in reversed_pcns:
            kinds.append("correction")
        else:
            kinds.append("original")
    return kinds


def remittances(segments: Sequence[Segment]) -> list[Remittance]:
    """One :class:`Remittance` per ST/SE transaction set of a validated 835."""
    out = []
    for tx in _transactions(segments):
        claims = [claim.build() for claim in tx.claims]
        kinds = claim_kinds(claims)
        header = tx.header
        out.append(
            Remittance(
                control_number=tx.control,
                payer_name=header.get("payer", ""),
                payer_id=header.get("payer_id") or None,
                payee_name=header.get("payee") or None,
                payee_npi=header.get("payee_npi") or None,
                trace_number=header.get("trace") or None,
                payment_cents=cents(header.get("payment", "")),
                payment_method=header.get("method") or None,
                payment_date=x12_date(header.get("paid_on", "")),
                claims=tuple(
                    c.model_copy(update={"kind": k}) for c, k in zip(claims, kinds, strict=True)
                ),
            )
        )
    return out
