"""Charge capture both ways (issue 16, item 11): overcoding and undercoding.

Joint injections: a code with ultrasound guidance needs the joint injection itself guided by
ultrasound with a recorded image (CLM-009); a code without it, billed when that is
documented, is flagged as undercoded (CLM-018), for small, intermediate and major joints.
Trigger points: 20552 is 1-2 muscles and 20553 three or more, counted from the sentences
the reader ties to the trigger point procedure (CLM-028 overcoded, CLM-029 undercoded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import parse_claim
from assistant.checks.coding import muscles_injected
from assistant.checks.detectors import Detections
from assistant.facts import NoteFacts
from assistant.findings import Finding
from assistant.pipeline import check_note
from assistant.reader.read import read_layout

US_CODE, UNDER_US, OVER_TPI, UNDER_TPI = "CLM-009", "CLM-018", "CLM-028", "CLM-029"
KNEE_US = (
    "PROCEDURE: Right knee joint injection under ultrasound guidance; image saved.\n"
    "Diagnosis: primary osteoarthritis of the right knee."
)
# the ultrasound and the saved image belong to the genicular block, not the knee injection
GENICULAR_US_KNEE_PALPATION = (
    "PROCEDURE: 1. Right genicular nerve block of the superomedial, superolateral and "
    "inferomedial genicular nerves under ultrasound guidance; images saved.\n"
    "2. Left knee joint injection by palpation."
)
THUMB_US = (
    "PROCEDURE: Right first carpometacarpal joint injection under ultrasound guidance; "
    "ultrasound image permanently recorded.\nDiagnosis: primary osteoarthritis of the right hand."
)
WRIST_PALPATION = "PROCEDURE: Right wrist joint injection by palpation."
TWO_MUSCLES = "PROCEDURE: Trigger point injections to the left trapezius and left rhomboid muscles."
THREE_MUSCLES = (
    "PROCEDURE: Trigger point injections.\n"
    "EXAM: Taut bands in the bilateral trapezius and levator scapulae.\n"
    "DESCRIPTION: Trigger points in the right trapezius, right levator scapulae and right "
    "rhomboid were each injected with 2 mL of 1% lidocaine."
)
BILATERAL_ONE_MUSCLE = "PROCEDURE: Trigger point injections to the bilateral trapezius muscles."
BILATERAL_TWO_MUSCLES = (
    "PROCEDURE: Bilateral trigger point injections to the upper trapezius and levator scapulae."
)
STATED_COUNT = "PROCEDURE: Trigger point injections (4 muscles) of the cervical paraspinal region."
NO_MUSCLES = (
    "Palpable trigger points were noted bilaterally in the trapezius and lumbar paraspinal "
    "musculature.\nHer treatment plan will consist of a series of trigger point injections, "
    "which were performed today."
)


def _line(cpt: str, *modifiers: str, dx: str = "M79.18") -> dict[str, Any]:
    return {"cpt": cpt, "modifiers": list(modifiers), "icd10": [dx]}


def _findings(
    note: str, lines: list[dict[str, Any]], read: Callable[[str], NoteFacts]
) -> dict[str, Finding]:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-02", "lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=read(note))
    return {finding.rule_id: finding for finding in result.findings}


@pytest.mark.parametrize(
    ("note", "line", "rule"),
    [
        (KNEE_US, _line("20610", "RT", dx="M17.11"), UNDER_US),
        (KNEE_US, _line("20611", "RT", dx="M17.11"), None),
        (GENICULAR_US_KNEE_PALPATION, _line("20610", "LT", dx="M17.12"), None),
        (GENICULAR_US_KNEE_PALPATION, _line("20611", "LT", dx="M17.12"), US_CODE),
        (THUMB_US, _line("20600", "RT", dx="M18.11"), UNDER_US),
        (THUMB_US, _line("20604", "RT", dx="M18.11"), None),
        (WRIST_PALPATION, _line("20605", "RT", dx="M19.031"), None),
        (WRIST_PALPATION, _line("20606", "RT", dx="M19.031"), US_CODE),
    ],
)
def test_joint_injection_code_matches_its_own_guidance(
    note: str, line: dict[str, Any], rule: str | None, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(note, [line], read)
    assert {US_CODE, UNDER_US} & set(found) == ({rule} if rule else set())
    if rule == UNDER_US:
        assert found[rule].severity == "info"
        assert found[rule].evidence


@pytest.mark.parametrize(
    ("note", "count"),
    [
        (TWO_MUSCLES, 2),
        (THREE_MUSCLES, 3),  # the exam's muscles are not the ones injected
        (BILATERAL_ONE_MUSCLE, 2),  # the left and right trapezius are two muscles
        (BILATERAL_TWO_MUSCLES, 4),
        (STATED_COUNT, 4),
        (
            "PROCEDURE: Trigger point injections.\nDESCRIPTION: The right trapezius, right "
            "rhomboid and right infraspinatus were injected after negative aspiration prior to "
            "injection. Her prior injections were in the left trapezius.",
            3,
        ),
        (NO_MUSCLES, None),  # nothing tied to the injection names a muscle
    ],
)
def test_muscles_injected_counts_from_the_procedure_sentences(
    note: str, count: int | None, read: Callable[[str], NoteFacts]
) -> None:
    detections = Detections(note, load_registry().detectors, read_layout(note))
    found, spans = muscles_injected(note, read(note), detections)
    assert found == count
    assert all(0 <= span.start < span.end <= len(note) for span in spans)
    if count is not None:
        assert spans


@pytest.mark.parametrize(
    ("note", "cpt", "rule"),
    [
        (TWO_MUSCLES, "20552", None),
        (TWO_MUSCLES, "20553", OVER_TPI),
        (BILATERAL_ONE_MUSCLE, "20553", OVER_TPI),
        (THREE_MUSCLES, "20552", UNDER_TPI),
        (THREE_MUSCLES, "20553", None),
        (BILATERAL_TWO_MUSCLES, "20552", UNDER_TPI),
        (STATED_COUNT, "20553", None),
        (NO_MUSCLES, "20553", None),  # no count documented: the query asks, no finding
        (NO_MUSCLES, "20552", None),
    ],
)
def test_trigger_point_code_follows_the_muscle_count(
    note: str, cpt: str, rule: str | None, read: Callable[[str], NoteFacts]
) -> None:
    found = _findings(note, [_line(cpt)], read)
    assert {OVER_TPI, UNDER_TPI} & set(found) == ({rule} if rule else set())
    if rule is not None:
        assert "muscle" in found[rule].message
        assert found[rule].evidence
