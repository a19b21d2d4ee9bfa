"""Diagnosis lists on the claim (issue 16, item 10).

Closed lists hold only the codes the policies name (no axial-only discogenic codes for an
ESI); non-billable parents (M79.1, G90.51, M80.08 without its 7th character) are flagged as
not coded to the highest specificity (CLM-011); the side in a diagnosis code must match the
side billed or documented (CLM-026); vertebral augmentation, SCS and genicular procedures
have diagnosis lists of their own (CLM-010, CLM-027).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import parse_claim
from assistant.facts import NoteFacts
from assistant.findings import Finding
from assistant.pipeline import check_note

CLOSED, ESI_DX, INVALID, SIDE, INDICATION = "CLM-010", "CLM-016", "CLM-011", "CLM-026", "CLM-027"
TFESI = (
    "PROCEDURE: Left L4-L5 and L5-S1 transforaminal epidural steroid injection under "
    "fluoroscopic guidance.\nDiagnosis: left L5 radiculopathy."
)
TPI = (
    "PROCEDURE: Trigger point injections to the left trapezius and left rhomboid muscles.\n"
    "Diagnosis: myofascial pain."
)
KNEE = "PROCEDURE: Right knee joint injection by palpation.\nDiagnosis: right knee osteoarthritis."
BOTH_KNEES = "PROCEDURE: Bilateral knee joint injections by palpation."
KYPHOPLASTY = "PROCEDURE: L1 kyphoplasty under fluoroscopic guidance."
SCS = (
    "PROCEDURE: Spinal cord stimulator trial: two percutaneous epidural leads were placed under "
    "fluoroscopic guidance."
)
GENICULAR = (
    "PROCEDURE: Right genicular nerve radiofrequency ablation of the superomedial, "
    "superolateral and inferomedial genicular nerves under fluoroscopic guidance."
)


def _line(cpt: str, dx: list[str], *modifiers: str, units: int = 1) -> dict[str, Any]:
    return {"cpt": cpt, "modifiers": list(modifiers), "units": units, "icd10": dx}


def _findings(
    note: str, lines: list[dict[str, Any]], read: Callable[[str], NoteFacts]
) -> dict[str, Finding]:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-02", "lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    return {finding.rule_id: finding for finding in result.findings}


def _tfesi(dx: str) -> list[dict[str, Any]]:
    return [_line("64483", [dx], "LT"), _line("64484", [dx], "LT")]


@pytest.mark.parametrize(
    ("dx", "outside"),
    [
        ("M51.360", True),  # discogenic back pain only: axial
        ("M51.369", True),  # without mention of back or leg pain
        ("M51.370", True),
        ("M51.361", False),  # with lower-extremity pain
        ("M51.362", False),
        ("M51.372", False),
        ("M54.16", False),
    ],
)
def test_esi_list_leaves_out_axial_discogenic_codes(
    dx: str, outside: bool, read: Callable[[str], NoteFacts]
) -> None:
    assert (ESI_DX in _findings(TFESI, _tfesi(dx), read)) is outside


def test_non_billable_parent_is_flagged_not_passed_by_the_list(
    read: Callable[[str], NoteFacts],
) -> None:
    found = _findings(TPI, [_line("20552", ["M79.1"])], read)
    assert INVALID in found and CLOSED not in found
    assert "highest specificity" in found[INVALID].message
    assert "M79.18" in found[INVALID].message
    assert INVALID not in _findings(TPI, [_line("20552", ["M79.18"])], read)


@pytest.mark.parametrize(
    ("note", "lines", "mismatch"),
    [
        (KNEE, [_line("20610", ["M17.11"], "RT")], False),
        (KNEE, [_line("20610", ["M17.12"], "RT")], True),
        # no side modifier: the documented side is compared
        (KNEE, [_line("20610", ["M17.12"])], True),
        (KNEE, [_line("20610", ["M17.0"], "RT")], False),  # a bilateral code covers one side
        (TFESI, _tfesi("M54.42"), False),  # left lumbago with sciatica, left side billed
        (TFESI, _tfesi("M54.41"), True),
        (TFESI, _tfesi("M54.16"), False),  # no side in the code: nothing to compare
        (BOTH_KNEES, [_line("20610", ["M17.0"], "50")], False),
        (BOTH_KNEES, [_line("20610", ["M17.11", "M17.12"], "50")], False),
        (BOTH_KNEES, [_line("20610", ["M17.11"], "50")], True),
    ],
)
def test_diagnosis_side_matches_the_procedure_side(
    note: str, lines: list[dict[str, Any]], mismatch: bool, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(note, lines, read)
    assert (SIDE in found) is mismatch
    if mismatch:
        assert found[SIDE].severity == "warn"


@pytest.mark.parametrize(
    ("dx", "rule"),
    [
        ("M80.08XA", None),
        ("M80.88XA", None),
        ("M80.08", INVALID),  # the 7th character is required
        ("M80.08XD", CLOSED),  # subsequent encounter: not the acute fracture treated
        ("M54.50", CLOSED),
    ],
)
def test_vertebral_augmentation_needs_a_fracture_code_with_its_7th_character(
    dx: str, rule: str | None, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(KYPHOPLASTY, [_line("22514", [dx])], read)
    assert {CLOSED, INVALID} & set(found) == ({rule} if rule else set())


@pytest.mark.parametrize(
    ("note", "lines", "outside"),
    [
        (SCS, [_line("63650", ["M96.1"], units=2)], False),
        (SCS, [_line("63650", ["G90.522"], units=2)], False),
        (SCS, [_line("63650", ["M54.50"], units=2)], True),
        (GENICULAR, [_line("64624", ["M17.11"], "RT")], False),
        (GENICULAR, [_line("64624", ["M54.50"], "RT")], True),
    ],
)
def test_scs_and_genicular_diagnosis_lists(
    note: str, lines: list[dict[str, Any]], outside: bool, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(note, lines, read)
    assert (INDICATION in found) is outside
    if outside:
        assert found[INDICATION].severity == "warn"


def test_lists_hold_no_parent_code_and_no_axial_esi_code() -> None:
    table = load_registry().coding
    for family, dx_list in table.covered_dx.items():
        exact = {code for code in dx_list.codes if not code.endswith("-")}
        assert sorted(exact & set(table.invalid_dx)) == [], family
        assert all(table.dx_problem(code) is None for code in exact), family
        assert dx_list.basis in ("verified", "secondary", "general_knowledge")
    esi = table.covered_dx["esi"]
    for axial in ("M51.36", "M51.37", "M51.360", "M51.369", "M51.370", "M51.379"):
        assert not esi.covers(axial), axial
    assert {"vertebral_augmentation", "scs_trial", "scs_implant", "genicular"} <= set(
        table.covered_dx
    )
