"""Drug lines against the documented dose (issue 16: drug lines with units per dose).

A drug code is billed in units of its HCPCS descriptor's dosage: the dose given divided by
the unit, rounded up to a whole unit (CMS), the discarded amount of a single-dose container
on its own JW line.

- CLM-034: more units than the documented dose supports (block).
- CLM-035: fewer units than the documented dose needs (info: lost revenue).
- CLM-036: a drug billed whose dose the note does not state (warn).

An intrathecal pump refill documents its dose as concentration times volume ("20 mL of
morphine 20 mg/mL" is 400 mg, J2274 x 40); the residual volume withdrawn and the programmed
daily dose are not doses given.

Findings quote the dose in the note, by character offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.checks.claims import parse_claim
from assistant.facts import NoteFacts
from assistant.findings import Finding
from assistant.pipeline import check_note

OVER, UNDER, UNDOCUMENTED = "CLM-034", "CLM-035", "CLM-036"
WASTE = "CLM-032"  # a single-dose drug without JW or JZ
DRUG_RULES = {OVER, UNDER, UNDOCUMENTED}
DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
TFESI = (
    "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection under fluoroscopic "
    "guidance. After negative aspiration, {injectate} was injected.\n"
    "Diagnosis: left L5 radiculopathy."
)


def _line(cpt: str, units: int = 1, *modifiers: str) -> dict[str, Any]:
    return {"cpt": cpt, "units": units, "modifiers": list(modifiers), "icd10": ["M54.16"]}


def _drug_findings(
    read: Callable[[str], NoteFacts], note: str, *drug_lines: dict[str, Any]
) -> dict[str, Finding]:
    claim = parse_claim({"lines": [_line("64483", 1, "LT"), *drug_lines]})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    return {f.rule_id: f for f in result.findings if f.rule_id in DRUG_RULES}


@pytest.mark.parametrize(
    ("injectate", "lines", "expected"),
    [
        # 40 mg of triamcinolone at 10 mg per unit: 4 units
        ("40 mg of triamcinolone acetonide", [_line("J3301", 4)], set()),
        ("40 mg of triamcinolone acetonide", [_line("J3301", 8)], {OVER}),
        ("40 mg of triamcinolone acetonide", [_line("J3301", 2)], {UNDER}),
        # 50 mg at 40 mg per unit: rounded up to 2 units; 3 is one unit too many
        ("50 mg of Depo-Medrol", [_line("J1030", 2)], set()),
        ("50 mg of Depo-Medrol", [_line("J1030", 1)], {UNDER}),
        ("50 mg of Depo-Medrol", [_line("J1030", 3)], {OVER}),
        # 120 mg as J1040 + J1030: the codes of one drug add up; J1040 x2 is 120 mg rounded
        # up to its 80 mg unit, one more J1030 is a whole unit too many
        ("120 mg of Depo-Medrol", [_line("J1040"), _line("J1030")], set()),
        ("120 mg of Depo-Medrol", [_line("J1040", 2)], set()),
        ("120 mg of Depo-Medrol", [_line("J1040"), _line("J1030", 2)], {OVER}),
        ("120 mg of Depo-Medrol", [_line("J1030", 2)], {UNDER}),
        # a 10 mg vial of a 1 mg code is 10 units, not 1
        ("10 mg of preservative-free dexamethasone", [_line("J1100", 10)], set()),
        ("10 mg of preservative-free dexamethasone", [_line("J1100", 1)], {UNDER}),
        # volume times strength: 2 mL of 40 mg/mL is 80 mg
        ("2 mL of Kenalog 40 mg/mL", [_line("J3301", 8)], set()),
        ("2 mL of Kenalog 40 mg/mL", [_line("J3301", 12)], {OVER}),
        # mcg to mg: fentanyl is billed per 0.1 mg
        ("fentanyl 50 mcg", [_line("J3010", 1)], set()),
        ("fentanyl 50 mcg", [_line("J3010", 2)], {OVER}),
        # the drug named without an amount, or not at all
        ("triamcinolone", [_line("J3301", 4)], {UNDOCUMENTED}),
        ("40 mg of triamcinolone acetonide", [_line("J1100", 10)], {UNDOCUMENTED}),
        # a volume without a strength: the amount is unknown, not judged
        ("2 mL of triamcinolone", [_line("J3301", 8)], set()),
    ],
)
def test_drug_units_against_the_documented_dose(
    injectate: str,
    lines: list[dict[str, Any]],
    expected: set[str],
    read: Callable[[str], NoteFacts],
) -> None:
    note = TFESI.format(injectate=injectate)
    assert set(_drug_findings(read, note, *lines)) == expected


def test_drug_finding_quotes_the_dose_by_offsets(read: Callable[[str], NoteFacts]) -> None:
    note = TFESI.format(injectate="40 mg of triamcinolone acetonide")
    finding = _drug_findings(read, note, _line("J3301", 8))[OVER]
    assert finding.severity == "block"
    assert finding.claim_line == 1
    assert "80 mg" in finding.message and "needs 4 units" in finding.message
    [evidence] = finding.evidence
    assert evidence.text == "40 mg of triamcinolone acetonide"
    assert note[evidence.start : evidence.end] == evidence.text


def test_undercoded_drug_is_information(read: Callable[[str], NoteFacts]) -> None:
    note = TFESI.format(injectate="10 mg of preservative-free dexamethasone")
    finding = _drug_findings(read, note, _line("J1100", 1))[UNDER]
    assert finding.severity == "info"
    assert "needs 10 units" in finding.message
    assert finding.evidence[0].text == "10 mg of preservative-free dexamethasone"


def test_discarded_amount_on_a_jw_line_is_not_compared(read: Callable[[str], NoteFacts]) -> None:
    note = (
        "PROCEDURE: OnabotulinumtoxinA injections for chronic migraine: 155 units injected at "
        "31 sites of the head and neck; 45 units of the 200-unit vial discarded."
    )
    lines = [
        {"cpt": "64615", "icd10": ["G43.709"]},
        {"cpt": "J0585", "units": 155, "icd10": ["G43.709"]},
        {"cpt": "J0585", "units": 45, "modifiers": ["JW"], "icd10": ["G43.709"]},
    ]
    claim = parse_claim({"lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    assert not {f.rule_id for f in result.findings} & DRUG_RULES


def test_a_total_stated_apart_from_the_toxin_is_its_dose(read: Callable[[str], NoteFacts]) -> None:
    """A toxin's total on its own line bounds the units; the rest of the vial is waste (JW)."""
    note = (
        "PROCEDURE: Chemodenervation for chronic migraine with incobotulinumtoxinA (Xeomin), "
        "one 200-unit vial.\nSites: 5 units at each of 20 sites.\nTotal given: 100 units. "
        "The other 100 units were wasted."
    )
    lines = [{"cpt": "64615", "icd10": ["G43.709"]}, {"cpt": "J0588", "units": 200}]
    claim = parse_claim({"lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    [over] = [f for f in result.findings if f.rule_id == OVER]
    assert "the note documents 100 units" in over.message
    lines[1] = {"cpt": "J0588", "units": 100}
    claim = parse_claim({"lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    assert OVER not in {f.rule_id for f in result.findings}


def test_a_home_medication_dose_is_not_the_dose_given(read: Callable[[str], NoteFacts]) -> None:
    note = "MEDICATIONS: dexamethasone 4 mg PO daily.\n\n" + TFESI.format(injectate="dexamethasone")
    found = _drug_findings(read, note, _line("J1100", 10))
    assert set(found) == {UNDOCUMENTED}
    assert "names it without a dose" in found[UNDOCUMENTED].message


def test_a_restated_dose_is_not_read_as_twice_the_dose(read: Callable[[str], NoteFacts]) -> None:
    note = TFESI.format(
        injectate="80 mg of Depo-Medrol (methylprednisolone acetate 40 mg/mL, 2 mL)"
    )
    assert _drug_findings(read, note, _line("J1030", 2)) == {}


def test_drug_rules_need_a_claim(read: Callable[[str], NoteFacts]) -> None:
    note = TFESI.format(injectate="triamcinolone")
    result = check_note(note, payer="medicare", facts=read(note))
    assert not {f.rule_id for f in result.findings} & DRUG_RULES


def test_policies_doc_explains_the_drug_unit_rules() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for rule_id in sorted(DRUG_RULES):
        assert rule_id in doc, rule_id


PUMP = (
    "PROCEDURE: Intrathecal pump analysis, reprogramming and refill.\n"
    "The reservoir was accessed with a Huber needle and the residual volume of 2.8 mL was "
    "withdrawn (expected 3.0 mL). {refill}\n"
    "Diagnosis: chronic pain syndrome."
)
MORPHINE_REFILL = (
    "Pump refill: 20 mL of preservative-free morphine 20 mg/mL; the daily dose was increased "
    "from 2.0 mg to 2.2 mg."
)


def _pump_findings(
    read: Callable[[str], NoteFacts], refill: str, *drug_lines: dict[str, Any]
) -> set[str]:
    note = PUMP.format(refill=refill)
    lines = [{"cpt": "62370", "icd10": ["G89.4"]}, *drug_lines]
    result = check_note(
        note, payer="medicare", claim=parse_claim({"lines": lines}), facts=read(note)
    )
    return {f.rule_id for f in result.findings if f.rule_id in DRUG_RULES | {WASTE}}


def _pump_line(cpt: str, units: int, *modifiers: str) -> dict[str, Any]:
    return {"cpt": cpt, "units": units, "modifiers": list(modifiers), "icd10": ["G89.4"]}


@pytest.mark.parametrize(
    ("refill", "lines", "expected"),
    [
        # 20 mL of 20 mg/mL is 400 mg: J2274 (10 mg) x 40, not x 4 (the residual withdrawn and
        # the daily dose are not doses given)
        (MORPHINE_REFILL, [_pump_line("J2274", 40, "JZ")], set()),
        (MORPHINE_REFILL, [_pump_line("J2274", 4, "JZ")], {UNDER}),
        (MORPHINE_REFILL, [_pump_line("J2274", 400, "JZ")], {OVER}),
        # a single-dose container: JW or JZ
        (MORPHINE_REFILL, [_pump_line("J2274", 40)], {WASTE}),
        # 18 mL of a 20 mL ampule of 25 mg/mL: 450 mg given, the 50 mg discarded on a JW line
        (
            "The pump was refilled with Infumorph 25 mg/mL, 18 mL; 2 mL of the 20 mL ampule was "
            "discarded.",
            [_pump_line("J2274", 45), _pump_line("J2274", 5, "JW")],
            set(),
        ),
        # baclofen in mcg per mL: 2000 mcg/mL x 20 mL is 40 mg, J0475 (10 mg) x 4
        ("Refilled with baclofen 2000 mcg/mL x 20 mL.", [_pump_line("J0475", 4, "JZ")], set()),
        ("Refilled with baclofen 2000 mcg/mL x 20 mL.", [_pump_line("J0475", 40, "JZ")], {OVER}),
        # ziconotide per mcg: 20 mL of 25 mcg/mL is 500 mcg
        ("Refilled with 20 mL of Prialt 25 mcg/mL.", [_pump_line("J2278", 500, "JZ")], set()),
        ("Refilled with 20 mL of Prialt 25 mcg/mL.", [_pump_line("J2278", 50, "JZ")], {UNDER}),
        # hydromorphone, up to 4 mg a unit: 200 mg is 50 units (not single-dose: no JW/JZ)
        ("Refilled with 20 mL of hydromorphone 10 mg/mL.", [_pump_line("J1170", 50)], set()),
        # the concentration on the drug's line and the volume on the next: 20 mL x 10 mg/mL
        (
            "Pump refill. Drug: hydromorphone 10 mg/mL.\nVolume instilled: 20 mL.",
            [_pump_line("J1170", 10)],
            {UNDER},
        ),
        (
            "Pump refill. Drug: hydromorphone 10 mg/mL.\nVolume instilled: 20 mL.",
            [_pump_line("J1170", 50)],
            set(),
        ),
        # a volume without a concentration: not judged, but the drug is named
        ("The pump was refilled with 20 mL of morphine.", [_pump_line("J2274", 4, "JZ")], set()),
    ],
)
def test_pump_refill_units_against_concentration_times_volume(
    refill: str,
    lines: list[dict[str, Any]],
    expected: set[str],
    read: Callable[[str], NoteFacts],
) -> None:
    assert _pump_findings(read, refill, *lines) == expected


def test_pump_refill_finding_quotes_the_refill(read: Callable[[str], NoteFacts]) -> None:
    note = PUMP.format(refill=MORPHINE_REFILL)
    lines = [{"cpt": "62370", "icd10": ["G89.4"]}, _pump_line("J2274", 4, "JZ")]
    result = check_note(
        note, payer="medicare", claim=parse_claim({"lines": lines}), facts=read(note)
    )
    [finding] = [f for f in result.findings if f.rule_id == UNDER]
    assert "400 mg" in finding.message and "needs 40 units" in finding.message
    [evidence] = finding.evidence
    assert evidence.text == "20 mL of preservative-free morphine 20 mg/mL"
