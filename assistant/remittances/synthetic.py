"""Synthetic X12 835 (005010X221A1) files for tests and demos: no real patient, payer or NPI.

:func:`render_835` writes any list of :class:`SynthClaim`; :func:`standard_claims` is the
set the tests use: paid, partially paid, denied with the CARCs pain practices meet most
(CO-50, CO-97, CO-197, CO-16 with M127/N706, CO-4, CO-151, CO-29, CO-18, PR-1), a reversal
(``CLP02=22``) and its correction. Amounts balance (billed = paid + adjustments) and the SE,
GE and IEA counts are computed, so pyx12 accepts the output as a valid 5010 835.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SEGMENT = "~"
ELEMENT = "*"
COMPONENT = ":"
# Synthetic identifiers: the 99999 NPI-like numbers and "SYN" names are not real parties.
PAYER_NAME = "SYNTHETIC HEALTH PLAN"
PAYER_ID = "SYN01"
PAYEE_NAME = "SYNTHETIC PAIN CLINIC"
PAYEE_NPI = "9999999991"
RENDERING_NPI = "9999999992"


@dataclass(frozen=True)
class SynthLine:
    """One service line; ``adjustments`` are ``(group, CARC, cents)``."""

    cpt: str
    billed_cents: int
    paid_cents: int
    adjustments: tuple[tuple[str, str, int], ...] = ()
    modifiers: tuple[str, ...] = ()
    units: int = 1
    remarks: tuple[str, ...] = ()
    date_of_service: date | None = None


@dataclass(frozen=True)
class SynthClaim:
    """One claim payment; ``status`` is CLP02 (1 primary, 4 denied, 22 reversal)."""

    patient_control_number: str
    date_of_service: date
    lines: tuple[SynthLine, ...]
    status: str = "1"
    payer_claim_number: str = "SYNPCN0001"
    original_reference: str | None = None
    claim_remarks: tuple[str, ...] = ()
    claim_adjustments: tuple[tuple[str, str, int], ...] = ()
    rendering_npi: str = RENDERING_NPI
    service_lines: bool = True  # False: adjudicated as a whole (no SVC loops)

    @property
    def billed_cents(self) -> int:
        """Sum of the lines' charges."""
        return sum(line.billed_cents for line in self.lines)

    @property
    def paid_cents(self) -> int:
        """Sum of the lines' payments."""
        return sum(line.paid_cents for line in self.lines)

    @property
    def patient_cents(self) -> int:
        """What the patient owes: the PR adjustments."""
        lines = (a for line in self.lines for a in line.adjustments)
        return sum(cents for group, _, cents in (*lines, *self.claim_adjustments) if group == "PR")


def amount(cents: int) -> str:
    """Cents as an X12 decimal: ``15000`` -> ``150``, ``-1250`` -> ``-12.5``."""
    value = Decimal(cents) / 100
    text = format(value.normalize(), "f") if value else "0"
    return text


def _seg(*elements: str) -> str:
    return ELEMENT.join(elements).rstrip(ELEMENT) + SEGMENT


def _cas(adjustments: tuple[tuple[str, str, int], ...], sign: int) -> list[str]:
    """CAS segments, one per group, up to six triplets each."""
    by_group: dict[str, list[tuple[str, int]]] = {}
    for group, reason, cents in adjustments:
        by_group.setdefault(group, []).append((reason, cents))
    out = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            parts = [group]
            for reason, cents in items[start : start + 6]:
                parts += [reason, amount(sign * cents), ""]
            out.append(_seg("CAS", *parts))
    return out


def _claim_segments(claim: SynthClaim, index: int) -> list[str]:
    sign = -1 if claim.status == "22" else 1
    segs = [
        _seg(
            "CLP",
            claim.patient_control_number,
            claim.status,
            amount(sign * claim.billed_cents),
            amount(sign * claim.paid_cents),
            amount(sign * claim.patient_cents),
            "12",
            claim.payer_claim_number,
            "11",
            "1",
        ),
        *_cas(claim.claim_adjustments, sign),
        _seg(
            "NM1", "QC", "1", "SYNTHETIC", f"PATIENT{index:03d}", "", "", "", "MI", f"S{index:06d}"
        ),
        _seg("NM1", "82", "1", "SYNTHETIC", "PROVIDER", "", "", "", "XX", claim.rendering_npi),
    ]
    if claim.claim_remarks:
        segs.append(_seg("MOA", "", "", *claim.claim_remarks[:5]))
    if claim.original_reference:
        segs.append(_seg("REF", "F8", claim.original_reference))
    segs.append(_seg("DTM", "232", claim.date_of_service.strftime("%Y%m%d")))
    for number, line in enumerate(claim.lines if claim.service_lines else (), start=1):
        composite = COMPONENT.join(("HC", line.cpt, *line.modifiers))
        segs += [
            _seg(
                "SVC",
                composite,
                amount(sign * line.billed_cents),
                amount(sign * line.paid_cents),
                "",
                str(line.units),
            ),
            _seg("DTM", "472", (line.date_of_service or claim.date_of_service).strftime("%Y%m%d")),
            *_cas(line.adjustments, sign),
            _seg("REF", "6R", f"{claim.patient_control_number}-{number}"),
        ]
        segs += [_seg("LQ", "HE", remark) for remark in line.remarks]
    return segs


def render_835(
    claims: list[SynthClaim],
    *,
    paid_on: date = date(2024, 2, 15),
    control_number: int = 1,
    payer_name: str = PAYER_NAME,
) -> str:
    """A complete, valid 835 interchange paying or denying ``claims`` (one per line)."""
    total = sum(claim.paid_cents if claim.status != "22" else -claim.paid_cents for claim in claims)
    stamp = paid_on.strftime("%Y%m%d")
    body = [
        _seg("ST", "835", "0001"),
        _seg(
            "BPR",
            "I" if total > 0 else "H",
            amount(max(total, 0)),
            "C",
            "ACH" if total > 0 else "NON",
            *(
                (
                    "CCP",
                    "01",
                    "999999999",
                    "DA",
                    "123456",
                    "1999999999",
                    "",
                    "01",
                    "999999998",
                    "DA",
                    "654321",
                    stamp,
                )
                if total > 0
                else ("", "", "", "", "", "", "", "", "", "", "", stamp)
            ),
        ),
        _seg("TRN", "1", f"SYNTRACE{control_number:05d}", "1999999999"),
        _seg("DTM", "405", stamp),
        _seg("N1", "PR", payer_name),
        _seg("N3", "1 SYNTHETIC WAY"),
        _seg("N4", "TESTTOWN", "CA", "90001"),
        _seg("REF", "2U", PAYER_ID),
        _seg("PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"),
        _seg("N1", "PE", PAYEE_NAME, "XX", PAYEE_NPI),
        _seg("N3", "2 SYNTHETIC ROAD"),
        _seg("N4", "TESTTOWN", "CA", "90002"),
        _seg("REF", "TJ", "999999999"),
    ]
    for number, claim in enumerate(claims, start=1):
        body.append(_seg("LX", str(number)))
        body += _claim_segments(claim, number)
    body.append(_seg("SE", str(len(body) + 1), "0001"))
    isa = (
        f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{'SYNPAYER':<15}*ZZ*{'SYNCLINIC':<15}*"
        f"{paid_on.strftime('%y%m%d')}*1200*^*00501*{control_number:09d}*0*T*{COMPONENT}{SEGMENT}"
    )
    gs = _seg(
        "GS", "HP", "SYNPAYER", "SYNCLINIC", stamp, "1200", str(control_number), "X", "005010X221A1"
    )
    trailer = [_seg("GE", "1", str(control_number)), _seg("IEA", "1", f"{control_number:09d}")]
    return "\n".join([isa, gs, *body, *trailer]) + "\n"


def standard_claims(dos: date = date(2024, 1, 10), prefix: str = "SYN") -> list[SynthClaim]:
    """Paid, partial, nine denial reasons, a reversal and its correction (pain procedures)."""

    def pcn(n: int) -> str:
        return f"{prefix}-{n:04d}"

    def denied(
        n: int, cpt: str, carc: str, remarks: tuple[str, ...] = (), mods: tuple[str, ...] = ()
    ) -> SynthClaim:
        line = SynthLine(cpt, 50000, 0, (("CO", carc, 50000),), modifiers=mods, remarks=remarks)
        return SynthClaim(pcn(n), dos, (line,), status="4", payer_claim_number=f"SYNPCN{n:04d}")

    return [
        SynthClaim(
            pcn(1),
            dos,
            (SynthLine("64483", 80000, 52000, (("CO", "45", 28000),), modifiers=("LT",)),),
            payer_claim_number="SYNPCN0001",
        ),
        SynthClaim(
            pcn(2),
            dos,
            (
                SynthLine("64483", 80000, 52000, (("CO", "45", 28000),)),
                SynthLine("64484", 40000, 0, (("CO", "97", 40000),), remarks=("M80",)),
            ),
            payer_claim_number="SYNPCN0002",
        ),
        denied(3, "64493", "50", remarks=("N115",)),
        denied(4, "62323", "197"),
        denied(5, "64635", "16", remarks=("M127", "N706")),
        denied(6, "64483", "4", mods=("RT",)),
        denied(7, "64493", "151"),
        SynthClaim(
            pcn(8),
            dos,
            (SynthLine("20610", 30000, 0),),
            status="4",
            claim_adjustments=(("CO", "29", 30000),),
            payer_claim_number="SYNPCN0008",
        ),
        denied(9, "62323", "18"),
        SynthClaim(
            pcn(10),
            dos,
            (SynthLine("99213", 15000, 0, (("PR", "1", 15000),)),),
            payer_claim_number="SYNPCN0010",
        ),
        SynthClaim(
            pcn(11),
            dos,
            (SynthLine("64483", 80000, 52000, (("CO", "45", 28000),)),),
            status="22",
            payer_claim_number="SYNPCN0011",
        ),
        SynthClaim(
            pcn(11),
            dos,
            (SynthLine("64483", 80000, 60000, (("CO", "45", 20000),)),),
            status="1",
            payer_claim_number="SYNPCN0011B",
            original_reference="SYNPCN0011",
        ),
    ]
