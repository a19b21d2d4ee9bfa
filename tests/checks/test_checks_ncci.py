"""NCCI procedure-to-procedure pairs and MUE limits, run through ``check_note``.

Every pair of ``ptp_pairs`` is billed on a claim against a short note: flagged with no
modifier, accepted with XS on the column-2 code when the modifier indicator is 1, and still
flagged with any modifier when it is 0. The bypass rule (CLM-024) reads the note's facts
for two sites; the MUE rule (CLM-025) counts units per line or per date of service.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import PtpPair, parse_claim
from assistant.checks.coding import ClaimContext, mue_limits
from assistant.checks.detectors import Detections
from assistant.checks.registry import default_checklist_dir, load_registry_from
from assistant.errors import RuleFileError
from assistant.facts import NoteFacts
from assistant.pipeline import check_note
from assistant.reader.read import read_layout, read_note

PTP, BYPASS, MUE, GUIDANCE = "CLM-023", "CLM-024", "CLM-025", "CLM-008"
IMAGING = {"77002", "77003", "77012", "76942"}
ESI_AND_FACET = (
    "PROCEDURE: 1. Left L5-S1 transforaminal epidural steroid injection under fluoroscopic "
    "guidance.\n2. Right L3-L4 facet joint injection under fluoroscopic guidance.\n"
    "Diagnosis: left L5 radiculopathy; lumbar facet arthropathy."
)
TF_AND_IL_SAME_LEVEL = (
    "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection and L5-S1 interlaminar "
    "epidural steroid injection under fluoroscopic guidance."
)
TF_AND_IL_TWO_REGIONS = (
    "PROCEDURE: 1. Left L5-S1 transforaminal epidural steroid injection under fluoroscopic "
    "guidance.\n2. C7-T1 interlaminar epidural steroid injection under fluoroscopic guidance."
)
TFESI = (
    "PROCEDURE: Left L4-L5 and L5-S1 transforaminal epidural steroid injection under "
    "fluoroscopic guidance.\nDiagnosis: left L5 radiculopathy."
)
KNEES = (
    "PROCEDURE: 1. Right knee joint injection under ultrasound guidance; image saved.\n"
    "2. Left knee joint injection by palpation."
)
TPI = "PROCEDURE: Trigger point injections to the left trapezius and left rhomboid muscles."
RFA = "PROCEDURE: Right L4-L5 medial branch radiofrequency ablation under fluoroscopic guidance."
# One short note per family, so the column-1 code is documented (an undocumented code raises
# CLM-001, which de-duplication keeps instead of CLM-008: both concern claim.cpt).
NOTES = {
    "esi:interlaminar": "PROCEDURE: L5-S1 interlaminar epidural steroid injection under "
    "fluoroscopic guidance.",
    "esi": TFESI,
    "facet_mbb": "PROCEDURE: Right L4-L5 facet joint injection under fluoroscopic guidance.",
    "facet_rfa": RFA,
    "si_joint_injection": "PROCEDURE: Right sacroiliac joint injection under fluoroscopic "
    "guidance.",
    "si_rfa": "PROCEDURE: Right sacroiliac joint lateral branch radiofrequency ablation under "
    "fluoroscopic guidance.",
    "joint_injection": KNEES,
    "trigger_point": TPI,
    "genicular": "PROCEDURE: Right genicular nerve block of the superomedial, superolateral "
    "and inferomedial genicular nerves under ultrasound guidance.",
    "vertebral_augmentation": "PROCEDURE: L1 kyphoplasty under fluoroscopic guidance.",
    "epidural_adhesiolysis": "PROCEDURE: Percutaneous lysis of epidural adhesions under "
    "fluoroscopic guidance.",
    "neurolysis_other": "PROCEDURE: Basivertebral nerve ablation of the L4 and L5 vertebral "
    "bodies under fluoroscopic guidance.",
}


def _note_for(cpt: str) -> str:
    """A short note documenting the service ``cpt`` bills."""
    info = load_registry().coding.codes[cpt]
    family = info.families[0]
    if family == "esi" and "interlaminar" in info.approaches:
        return NOTES["esi:interlaminar"]
    return NOTES[family]


@cache
def _facts(text: str) -> NoteFacts:
    return read_note(text, "ncci")


def _line(cpt: str, *modifiers: str, units: int = 1) -> dict[str, Any]:
    return {"cpt": cpt, "modifiers": list(modifiers), "units": units, "icd10": ["M54.16"]}


def _raised(note: str, lines: list[dict[str, Any]]) -> set[str]:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-02", "lines": lines})
    result = check_note(note, payer="medicare", claim=claim, facts=_facts(note))
    return {finding.rule_id for finding in result.findings}


def _pairs() -> list[tuple[str, str, PtpPair]]:
    return load_registry().coding.ptp_edits()


@pytest.mark.parametrize(("first", "second", "pair"), _pairs(), ids=lambda v: str(v)[:5])
def test_every_ptp_pair_follows_its_modifier_indicator(
    first: str, second: str, pair: PtpPair
) -> None:
    rule, note = (GUIDANCE, _note_for(first)) if second in IMAGING else (PTP, ESI_AND_FACET)
    assert rule in _raised(note, [_line(first), _line(second)])
    with_xs = _raised(note, [_line(first), _line(second, "XS")])
    assert (rule in with_xs) is (pair.modifier_indicator == 0)
    # a modifier on the column-1 code bypasses nothing
    assert rule in _raised(note, [_line(first, "59"), _line(second)])


def test_the_pairs_the_issue_names_are_in_the_table() -> None:
    edits = {(first, second): pair for first, second, pair in _pairs()}
    for wanted in [
        ("64483", "62323"),
        ("64483", "64493"),
        ("20553", "20552"),
        ("20611", "20610"),
        ("64451", "27096"),
        ("64483", "77003"),
        ("20611", "76942"),
    ]:
        assert wanted in edits, wanted
    assert edits[("20553", "20552")].modifier_indicator == 0
    assert all(
        pair.basis in ("verified", "secondary", "general_knowledge") for pair in edits.values()
    )


@pytest.mark.parametrize("modifier", ["59", "XE", "XP", "XS", "XU", "RT"])
def test_indicator_one_accepts_each_bypass_modifier(modifier: str) -> None:
    first = ["LT"] if modifier == "RT" else []
    raised = _raised(KNEES, [_line("20611", *first), _line("20610", modifier)])
    assert PTP not in raised


@pytest.mark.parametrize("modifiers", [["59"], ["XS"], ["XU"], ["RT"]])
def test_indicator_zero_is_never_bypassed(modifiers: list[str]) -> None:
    lines = [_line("20553", "LT"), _line("20552", *modifiers)]
    assert PTP in _raised(TPI, lines)


@pytest.mark.parametrize(
    ("note", "lines", "unsupported"),
    [
        # facet and epidural at different levels and sides: XS is backed by the note
        (ESI_AND_FACET, [_line("64483", "LT"), _line("64493", "XS")], False),
        # interlaminar and transforaminal at the same level: nothing separate to point to
        (TF_AND_IL_SAME_LEVEL, [_line("64483", "LT"), _line("62323", "XS")], True),
        # lumbar transforaminal with a cervicothoracic interlaminar: two regions
        (TF_AND_IL_TWO_REGIONS, [_line("64483", "LT"), _line("62321", "59")], False),
        # XE (separate encounter) is left to the query: the facts have no encounter times
        (TF_AND_IL_SAME_LEVEL, [_line("64483", "LT"), _line("62323", "XE")], False),
        # guidance with XS needs another procedure whose code does not include guidance
        (TFESI, [_line("64483", "LT"), _line("77003", "XS")], True),
        (KNEES, [_line("64483", "LT"), _line("20610", "LT"), _line("77002", "XS")], False),
    ],
)
def test_bypass_modifier_needs_a_separate_site_in_the_note(
    note: str, lines: list[dict[str, Any]], unsupported: bool
) -> None:
    raised = _raised(note, lines)
    assert PTP not in raised and GUIDANCE not in raised
    assert (BYPASS in raised) is unsupported


def test_ptp_finding_says_what_to_document() -> None:
    claim = parse_claim({"lines": [_line("64483", "LT"), _line("62323")]})
    result = check_note(TF_AND_IL_SAME_LEVEL, payer="medicare", claim=claim)
    finding = next(f for f in result.findings if f.rule_id == PTP)
    assert finding.claim_line == 1
    assert "62323 billed with 64483" in finding.message
    assert "basis: general_knowledge" in finding.message
    assert "separate site" in finding.fix
    assert finding.source.url is not None and "ncci" in finding.source.url


@pytest.mark.parametrize(
    ("lines", "over"),
    [
        ([_line("64483", "LT")], False),
        ([_line("64483", "LT", units=2)], True),
        # the same code split over lines still counts per date of service
        ([_line("64483", "LT"), _line("64483", "LT", "XS")], True),
        ([_line("64483", "LT"), _line("64483", "76")], True),
        # an RT line and an LT line are one bilateral service, like one unit with 50
        ([_line("64483", "RT"), _line("64483", "LT")], False),
        ([_line("64483", "50")], False),
        ([_line("64483", "LT"), _line("64484", "LT", units=4)], False),
        ([_line("64483", "LT"), _line("64484", "LT", units=5)], True),
    ],
)
def test_mue_over_and_at_the_limit(lines: list[dict[str, Any]], over: bool) -> None:
    assert (MUE in _raised(TFESI, lines)) is over


@pytest.mark.parametrize(("units", "over"), [(2, False), (3, True)])
def test_mue_major_joint(units: int, over: bool) -> None:
    assert (MUE in _raised(KNEES, [_line("20610", units=units)])) is over


def test_mue_line_indicator_counts_each_line_alone(read: Callable[[str], NoteFacts]) -> None:
    registry = load_registry()
    limit = registry.coding.mue["64483"].model_copy(update={"adjudication": 1})
    table = registry.coding.model_copy(update={"mue": {**registry.coding.mue, "64483": limit}})
    claim = parse_claim({"lines": [_line("64483", "LT"), _line("64483", "LT", "XS")]})
    ctx = ClaimContext(
        TFESI,
        read(TFESI),
        table,
        Detections(TFESI, registry.detectors, read_layout(TFESI)),
        {},
        None,
        claim,
    )
    assert mue_limits(ctx, {}) == []
    over = parse_claim({"lines": [_line("64483", "LT", units=2)]})
    ctx.claim = over
    assert [hit.line for hit in mue_limits(ctx, {})] == [0]


def test_every_mue_value_is_marked() -> None:
    mue = load_registry().coding.mue
    assert {"62323", "64483", "64493", "64635", "27096", "20552", "20553", "20610"} <= set(mue)
    assert {value.basis for value in mue.values()} <= {"verified", "secondary", "general_knowledge"}


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (('column2: ["20552"]', 'column2: ["2055"]'), r"ptp_pairs -> 4 -> column2 -> 0"),
        (
            ("modifier_indicator: 0", "modifier_indicator: 2"),
            r"ptp_pairs -> 4 -> modifier_indicator",
        ),
        (
            ('"64493": {units: 1, basis: secondary}', '"64493": {units: 0, basis: secondary}'),
            r"mue -> 64493 -> units",
        ),
        (
            ('"20552": {units: 1, basis: secondary}', '"20552": {units: 1, basis: sure}'),
            r"mue -> 20552 -> basis",
        ),
    ],
)
def test_bad_ncci_data_names_its_path(
    tmp_path: Path, mutation: tuple[str, str], message: str
) -> None:
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    path = root / "coding" / "coding.v1.yaml"
    text = path.read_text(encoding="utf-8")
    assert mutation[0] in text
    path.write_text(text.replace(*mutation, 1), encoding="utf-8")
    with pytest.raises(RuleFileError, match=message):
        load_registry_from(root)
