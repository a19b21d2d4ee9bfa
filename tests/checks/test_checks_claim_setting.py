"""Claim-level context (issue 16, item 4): place of service, sedation, drug and liability modifiers.

- CLM-030: Medicare hospital outpatient (POS 22/19) facet and stimulator services need the
  prior authorization (UTN) on the claim.
- CLM-031: moderate sedation 99152/99153 only when the note documents moderate sedation by
  the proceduralist, for at least 10 minutes, units by intraservice time, and no anesthesia
  code for the same session.
- CLM-032: single-dose drug lines carry JW (amount discarded) or JZ (none discarded).
- CLM-033: GA/GZ/GY say who is liable for a service Medicare may not pay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.checks.claims import parse_claim
from assistant.errors import ClaimInputError
from assistant.facts import NoteFacts
from assistant.findings import Finding
from assistant.pipeline import check_note

PA, SEDATION, DRUG, LIABILITY = "CLM-030", "CLM-031", "CLM-032", "CLM-033"
MBB = (
    "PROCEDURE: Left L4-L5 medial branch block under fluoroscopic guidance. First diagnostic "
    "block.\nDiagnosis: lumbar facet arthropathy."
)
SCS = (
    "PROCEDURE: Spinal cord stimulator trial: two percutaneous epidural leads were placed under "
    "fluoroscopic guidance.\nDiagnosis: post-laminectomy syndrome."
)
TFESI = (
    "PROCEDURE: Left L4-L5 and L5-S1 transforaminal epidural steroid injection under "
    "fluoroscopic guidance.\nDiagnosis: left L5 radiculopathy."
)
SEDATED = (
    f"{TFESI}\nSEDATION: Moderate sedation with midazolam 2 mg and fentanyl 50 mcg IV was given "
    "for severe anxiety, with an independent trained observer; intraservice time {minutes} "
    "minutes."
)
LOCAL_ONLY = f"{TFESI}\nANESTHESIA: Local anesthesia only; no sedation."
MAC = f"{TFESI}\nANESTHESIA: Monitored anesthesia care by the anesthesia team for severe anxiety."
BOTOX = (
    "PROCEDURE: OnabotulinumtoxinA injections for chronic migraine: 155 units injected at 31 "
    "sites of the head and neck; 45 units of the 200-unit vial discarded."
)
SI_RFA = (
    "PROCEDURE: Right sacroiliac joint lateral branch radiofrequency ablation under fluoroscopic "
    "guidance.\nDiagnosis: right sacroiliitis."
)
ABN = f"{SI_RFA}\nThe patient signed an ABN before the procedure."


def _line(cpt: str, *modifiers: str, units: int = 1, dx: str = "M54.16") -> dict[str, Any]:
    return {"cpt": cpt, "modifiers": list(modifiers), "units": units, "icd10": [dx]}


def _findings(
    note: str,
    lines: list[dict[str, Any]],
    read: Callable[[str], NoteFacts],
    payer: str = "medicare",
    **claim: Any,
) -> dict[str, Finding]:
    data = {"payer": payer, "date_of_service": "2026-03-02", "lines": lines, **claim}
    result = check_note(note, payer=payer, claim=parse_claim(data), facts=read(note))
    return {finding.rule_id: finding for finding in result.findings}


MBB_LINE = _line("64493", "LT", "KX", dx="M47.816")
BOTOX_LINES = [_line("64615", dx="G43.709"), _line("J0585", units=155, dx="G43.709")]


@pytest.mark.parametrize(
    ("note", "lines", "claim", "payer", "flagged"),
    [
        (MBB, [MBB_LINE], {"place_of_service": "22"}, "medicare", True),
        (MBB, [MBB_LINE], {"place_of_service": "19"}, "medicare", True),
        (
            MBB,
            [MBB_LINE],
            {"place_of_service": "22", "prior_authorization": "U1"},
            "medicare",
            False,
        ),
        (MBB, [MBB_LINE], {"place_of_service": "11"}, "medicare", False),
        (MBB, [MBB_LINE], {"place_of_service": "24"}, "medicare", False),
        (MBB, [MBB_LINE], {}, "medicare", False),  # no place of service: nothing to judge
        (MBB, [MBB_LINE], {"place_of_service": "22"}, "commercial", False),
        (SCS, [_line("63650", units=2, dx="M96.1")], {"place_of_service": "22"}, "medicare", True),
        (
            TFESI,
            [_line("64483", "LT"), _line("64484", "LT")],
            {"place_of_service": "22"},
            "medicare",
            False,
        ),
    ],
)
def test_hospital_outpatient_prior_authorization(
    note: str,
    lines: list[dict[str, Any]],
    claim: dict[str, Any],
    payer: str,
    flagged: bool,
    read: Callable[[str], NoteFacts],
) -> None:
    found = _findings(note, lines, read, payer, **claim)
    assert (PA in found) is flagged
    if flagged:
        assert found[PA].severity == "warn"
        assert "POS" in found[PA].message


def test_place_of_service_is_two_digits() -> None:
    with pytest.raises(ClaimInputError, match="place_of_service"):
        parse_claim({"place_of_service": "2", "lines": [_line("64483")]})


TF_LINES = [_line("64483", "LT"), _line("64484", "LT")]


@pytest.mark.parametrize(
    ("note", "extra", "flagged"),
    [
        (SEDATED.format(minutes=20), [_line("99152")], False),
        (SEDATED.format(minutes=20), [_line("99152"), _line("99153")], True),  # 23+ minutes
        (SEDATED.format(minutes=40), [_line("99152"), _line("99153", units=2)], False),
        (SEDATED.format(minutes=40), [_line("99152"), _line("99153", units=3)], True),
        (SEDATED.format(minutes=8), [_line("99152")], True),  # under 10 minutes: not reported
        (SEDATED.format(minutes=20), [_line("99152"), _line("01936")], True),  # with anesthesia
        (LOCAL_ONLY, [_line("99152")], True),
        (MAC, [_line("99152")], True),
        (f"{TFESI}\nModerate sedation was given for severe anxiety.", [_line("99152")], True),
        (SEDATED.format(minutes=20), [], False),
    ],
)
def test_moderate_sedation_is_reported_only_as_documented(
    note: str, extra: list[dict[str, Any]], flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(note, [*TF_LINES, *extra], read)
    assert (SEDATION in found) is flagged
    if flagged:
        assert "sedation" in found[SEDATION].message


@pytest.mark.parametrize(
    ("lines", "payer", "flagged"),
    [
        (BOTOX_LINES, "medicare", True),
        (
            [
                _line("64615", dx="G43.709"),
                _line("J0585", units=155, dx="G43.709"),
                _line("J0585", "JW", units=45, dx="G43.709"),
            ],
            "medicare",
            False,
        ),
        (
            [_line("64615", dx="G43.709"), _line("J0585", "JZ", units=155, dx="G43.709")],
            "medicare",
            False,
        ),
        # JZ says nothing was discarded; a JW line for the same drug says otherwise
        (
            [
                _line("64615", dx="G43.709"),
                _line("J0585", "JZ", units=155, dx="G43.709"),
                _line("J0585", "JW", units=45, dx="G43.709"),
            ],
            "medicare",
            True,
        ),
        (BOTOX_LINES, "commercial", False),
        # a drug this table does not know as single-dose is not judged
        ([_line("64483", "LT"), _line("J1040", dx="M54.16")], "medicare", False),
    ],
)
def test_single_dose_drug_lines_carry_jw_or_jz(
    lines: list[dict[str, Any]], payer: str, flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    note = TFESI if lines[0]["cpt"] == "64483" else BOTOX
    assert (DRUG in _findings(note, lines, read, payer)) is flagged


@pytest.mark.parametrize(
    ("note", "line", "flagged"),
    [
        (SI_RFA, _line("64625", "RT", dx="M46.1"), True),  # non-covered: GA or GZ expected
        (SI_RFA, _line("64625", "RT", "GZ", dx="M46.1"), False),
        (ABN, _line("64625", "RT", "GA", dx="M46.1"), False),
        (SI_RFA, _line("64625", "RT", "GA", dx="M46.1"), True),  # GA without an ABN in the note
        (ABN, _line("64625", "RT", "GA", "GZ", dx="M46.1"), True),
        (TFESI, _line("64483", "LT", "GY"), True),  # GY is for services outside any benefit
        (TFESI, _line("64483", "LT"), False),
    ],
)
def test_liability_modifiers(
    note: str, line: dict[str, Any], flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    assert (LIABILITY in _findings(note, [line], read)) is flagged


@pytest.mark.parametrize(
    ("modifiers", "blocked"),
    [(("RT",), True), (("RT", "GA"), False), (("RT", "GZ"), False)],
)
def test_a_noncovered_line_billed_as_expected_denial_is_not_blocked(
    read: Callable[[str], NoteFacts], modifiers: tuple[str, ...], blocked: bool
) -> None:
    found = _findings(ABN, [_line("64625", *modifiers, dx="M46.1")], read)
    assert ("CLM-014" in found) is blocked
