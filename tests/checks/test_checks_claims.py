"""Claim-line checks against a documented left L4-L5/L5-S1 TFESI and other notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.checks.claims import parse_claim, parse_history
from assistant.checks.coding import CHECKS, ClaimContext, rfa_prior_blocks
from assistant.checks.detectors import Detections
from assistant.errors import ClaimInputError
from assistant.facts import NoteFacts
from assistant.pipeline import check_note
from assistant.reader.read import read_layout, read_note

TFESI = (
    "PROCEDURE: Left L4-L5 and L5-S1 transforaminal epidural steroid injection under "
    "fluoroscopic guidance.\nDiagnosis: left L5 radiculopathy."
)
RFA = "PROCEDURE: Right L4-L5 medial branch radiofrequency ablation under fluoroscopic guidance."


def _line(cpt: str, **kw: Any) -> dict[str, Any]:
    return {"cpt": cpt, "units": 1, "icd10": ["M54.16"], **kw}


@pytest.mark.parametrize(
    ("lines", "rule_id"),
    [
        ([_line("64483", modifiers=["LT"]), _line("64484", modifiers=["LT"], units=2)], "CLM-002"),
        ([_line("64483", modifiers=["50"]), _line("64484", modifiers=["50"])], "CLM-005"),
        ([_line("64483", modifiers=["RT"]), _line("64484", modifiers=["RT"])], "CLM-006"),
        ([_line("64483", modifiers=["LT"]), _line("77003")], "CLM-008"),
        ([_line("64483", modifiers=["LT"], icd10=["M54.5"])], "CLM-011"),
        ([_line("64484", modifiers=["LT"])], "CLM-013"),
        ([_line("64483", modifiers=["LT"]), _line("64493")], "CLM-001"),
    ],
)
def test_claim_check_flags_coding_error(
    lines: list[dict[str, Any]], rule_id: str, read: Callable[[str], NoteFacts]
) -> None:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-01", "lines": lines})
    result = check_note(TFESI, payer="medicare", claim=claim, facts=read(TFESI))
    assert rule_id in {f.rule_id for f in result.findings}
    assert result.verdict == "not_billable_as_documented"


def test_claim_check_correct_claim_has_no_claim_findings(read: Callable[[str], NoteFacts]) -> None:
    claim = parse_claim(
        {"lines": [_line("64483", modifiers=["LT"]), _line("64484", modifiers=["LT"])]}
    )
    result = check_note(TFESI, payer="medicare", claim=claim, facts=read(TFESI))
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("CLM")] == []


def test_a_code_nothing_in_the_note_names_says_so_in_a_sentence() -> None:
    note = "Follow-up visit. Back pain is better. Continue home exercise."
    claim = parse_claim({"lines": [_line("64483", modifiers=["LT"])]})
    result = check_note(note, payer="medicare", claim=claim)
    finding = next(f for f in result.findings if f.rule_id == "CLM-001")
    assert finding.evidence == []
    assert finding.message.endswith(". No text in the note names this service.")
    assert ".." not in finding.message


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"lines": [{"cpt": "6448", "units": 1}]}, r"lines -> 0 -> cpt"),
        ({"lines": [{"cpt": "64483", "units": 0}]}, r"lines -> 0 -> units"),
        ({"lines": [{"cpt": "64483", "icd10": ["nope"]}]}, r"lines -> 0 -> icd10"),
        ({"lines": [{"cpt": "64483", "unit": 1}]}, r"lines -> 0 -> unit\]"),
        ({"lines": []}, r"\[lines\]"),
    ],
)
def test_parse_claim_malformed_names_path(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ClaimInputError, match=path):
        parse_claim(data, "claim.json")


@pytest.mark.parametrize(("prior", "flagged"), [(3, False), (4, True)])
def test_frequency_esi_cap_per_rolling_year(
    prior: int, flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    history = parse_history(
        [
            {"date_of_service": f"2025-{month:02d}-10", "cpt": "64483"}
            for month in (4, 6, 8, 10)[:prior]
        ]
    )
    claim = parse_claim(
        {
            "date_of_service": "2026-03-01",
            "lines": [_line("64483", modifiers=["LT"]), _line("64484", modifiers=["LT"])],
        }
    )
    result = check_note(TFESI, payer="medicare", claim=claim, history=history, facts=read(TFESI))
    assert ("CLM-015" in {f.rule_id for f in result.findings}) is flagged


@pytest.mark.parametrize(("reliefs", "flagged"), [([90, 85], False), ([90, 50], True)])
def test_rfa_history_needs_two_positive_blocks(
    reliefs: list[int], flagged: bool, read: Callable[[str], NoteFacts]
) -> None:
    history = parse_history(
        [
            {
                "date_of_service": f"2025-0{i + 1}-05",
                "family": "facet_mbb",
                "region": "lumbar",
                "relief_percent": r,
            }
            for i, r in enumerate(reliefs)
        ]
    )
    registry = load_registry()
    facts = read(RFA)
    ctx = ClaimContext(
        RFA,
        facts,
        registry.coding,
        Detections(RFA, registry.detectors, read_layout(RFA)),
        registry.payer("medicare").thresholds,
        None,
        None,
        history,
    )
    hits = rfa_prior_blocks(ctx, {"block_families": ["facet_mbb"]})
    assert bool(hits) is flagged


def test_kx_missing_on_diagnostic_mbb_is_medicare_block(read: Callable[[str], NoteFacts]) -> None:
    text = (
        "PROCEDURE: Left L4-L5 medial branch block under fluoroscopic guidance. "
        "First diagnostic block."
    )
    claim = parse_claim({"lines": [_line("64493", modifiers=["LT"], icd10=["M47.816"])]})
    medicare = check_note(text, payer="medicare", claim=claim, facts=read(text))
    commercial = check_note(text, payer="commercial", claim=claim, facts=read(text))
    assert {f.rule_id: f.severity for f in medicare.findings}.get("CLM-007") == "block"
    assert {f.rule_id: f.severity for f in commercial.findings}.get("CLM-007") == "info"


@pytest.mark.parametrize(
    ("nerves", "over"),
    [("L3, L4 and L5", False), ("L2, L3, L4 and L5", True)],
)
def test_facet_rfa_is_limited_to_two_joint_levels_per_session(nerves: str, over: bool) -> None:
    note = (
        f"PROCEDURE: Right {nerves} medial branch radiofrequency ablation under fluoroscopic "
        "guidance."
    )
    claim = parse_claim(
        {"lines": [_line("64635", modifiers=["RT"]), _line("64636", modifiers=["RT"])]}
    )
    result = check_note(note, payer="medicare", claim=claim)
    limits = [f for f in result.findings if f.rule_id == "CLM-003"]
    assert bool(limits) == over
    if over:
        assert "facet_rfa documents 3 levels; limit 2" in limits[0].message


def test_diagnostic_si_joint_injection_billed_with_the_asc_code_needs_kx() -> None:
    note = (
        "PROCEDURE: Right sacroiliac joint injection under fluoroscopic guidance, first "
        "diagnostic block with bupivacaine only.\nDiagnosis: sacroiliitis."
    )
    lines = {"bare": ["RT"], "kx": ["RT", "KX"]}
    raised = {
        name: {
            f.rule_id
            for f in check_note(
                note,
                payer="medicare",
                claim=parse_claim({"lines": [_line("G0260", modifiers=mods, icd10=["M46.1"])]}),
            ).findings
        }
        for name, mods in lines.items()
    }
    assert "CLM-007" in raised["bare"]
    assert "CLM-007" not in raised["kx"]


@pytest.mark.parametrize(
    ("intent", "modifiers", "flagged"),
    [
        ("Diagnostic", ["LT"], True),
        ("Diagnostic", ["LT", "KX"], False),
        ("Therapeutic", ["LT"], False),
    ],
)
def test_diagnostic_selective_nerve_root_block_needs_kx(
    intent: str, modifiers: list[str], flagged: bool
) -> None:
    note = (
        f"PROCEDURE: {intent} left L5 selective nerve root block (transforaminal epidural "
        "injection) under fluoroscopic guidance.\nPain 8/10 before and 1/10 after."
    )
    claim = parse_claim({"lines": [_line("64483", modifiers=modifiers, icd10=["M54.17"])]})
    result = check_note(note, payer="medicare", claim=claim)
    assert ("CLM-007" in {f.rule_id for f in result.findings}) == flagged


def _rules_raised(note: str, history: list[dict[str, Any]]) -> set[str]:
    """Coding rules whose check fires for ``note`` billed to Medicare on 2026-06-01.

    The check functions run directly with their rule's parameters: the engine would fold a
    coding finding into a checklist element with the same concern (RFA-004 for CLM-017).
    """
    registry = load_registry()
    cpt = "64635" if note.startswith(RFA) else "64483"
    claim = parse_claim({"date_of_service": "2026-06-01", "lines": [_line(cpt)]})
    facts = read_note(note)
    ctx = ClaimContext(
        note,
        facts,
        registry.coding,
        Detections(note, registry.detectors, read_layout(note)),
        registry.payer("medicare").thresholds,
        None,
        claim,
        parse_history(history),
    )
    return {rule.id for rule in registry.coding.rules if CHECKS[rule.check](ctx, rule.params)}


def _block(date: str, relief: float, **kw: Any) -> dict[str, Any]:
    return {
        "date_of_service": date,
        "family": "facet_mbb",
        "region": "lumbar",
        "relief_percent": relief,
        **kw,
    }


@pytest.mark.parametrize(
    ("history", "flagged"),
    [
        ([_block("2026-03-02", 90), _block("2026-03-20", 85)], False),
        # intra-articular injections are not diagnostic medial-branch blocks
        (
            [_block("2026-03-02", 90, family="facet_joint_injection"), _block("2026-03-20", 85)],
            True,
        ),
        # a therapeutic block does not count as a diagnostic one
        ([_block("2026-03-02", 90, intent="therapeutic"), _block("2026-03-20", 85)], True),
        # a block dated after this session cannot have justified it
        ([_block("2026-03-02", 90), _block("2026-07-20", 85)], True),
        # relief computed from the same scale before and after: 8 -> 1 is 87.5 %
        (
            [
                _block("2026-03-02", 90),
                {
                    **_block("2026-03-20", 0),
                    "relief_percent": None,
                    "pain_before": 8,
                    "pain_after": 1,
                },
            ],
            False,
        ),
    ],
)
def test_rfa_counts_only_earlier_diagnostic_medial_branch_blocks(
    history: list[dict[str, Any]], flagged: bool
) -> None:
    assert ("CLM-017" in _rules_raised(RFA, history)) is flagged


def _rfa(date: str, relief: float | None = 70, days: float | None = 240) -> dict[str, Any]:
    return {
        "date_of_service": date,
        "family": "facet_rfa",
        "region": "lumbar",
        "relief_percent": relief,
        "relief_duration_days": days,
    }


@pytest.mark.parametrize(
    ("history", "clm017", "clm020"),
    [
        # a repeat within two years needs no new blocks, but lasting relief from the last RFA
        ([_block("2024-10-01", 90), _block("2024-10-20", 90), _rfa("2025-09-01")], False, False),
        (
            [_block("2024-10-01", 90), _block("2024-10-20", 90), _rfa("2025-09-01", 70, 60)],
            False,
            True,
        ),
        # the last RFA is more than two years old: the diagnostic blocks must be repeated
        ([_block("2023-01-05", 90), _block("2023-01-25", 90), _rfa("2023-03-01")], True, False),
        (
            [
                _block("2023-01-05", 90),
                _rfa("2023-03-01"),
                _block("2026-04-01", 85),
                _block("2026-04-20", 90),
            ],
            False,
            False,
        ),
    ],
)
def test_repeat_rfa_rules(history: list[dict[str, Any]], clm017: bool, clm020: bool) -> None:
    raised = _rules_raised(RFA, history)
    assert ("CLM-017" in raised) is clm017
    assert ("CLM-020" in raised) is clm020


def _esi(date: str, relief: float | None, days: float | None) -> dict[str, Any]:
    return {
        "date_of_service": date,
        "family": "esi",
        "region": "lumbar",
        "relief_percent": relief,
        "relief_duration_days": days,
    }


@pytest.mark.parametrize(
    ("previous", "flagged"),
    [
        (_esi("2026-02-01", 70, 100), False),
        (_esi("2026-02-01", 70, 30), True),  # relief wore off within a month
        (_esi("2026-02-01", 40, 100), True),  # not enough relief
        (_esi("2026-02-01", None, None), True),  # nothing recorded, and the note says nothing
        (_esi("2024-02-01", 20, 10), False),  # two years ago: a new episode, not a repeat
    ],
)
def test_repeat_esi_needs_half_relief_for_three_months(
    previous: dict[str, Any], flagged: bool
) -> None:
    assert ("CLM-019" in _rules_raised(TFESI, [previous])) is flagged


def test_repeat_esi_relief_the_note_documents_is_not_asked_again() -> None:
    note = (
        f"{TFESI}\nHer previous epidural injection in February gave 70% relief of her leg "
        "pain that lasted about four months."
    )
    assert "CLM-019" not in _rules_raised(note, [_esi("2026-02-01", None, None)])


BASIVERTEBRAL = (
    "PROCEDURE: Basivertebral nerve ablation of the L3 and L4 vertebral bodies, bilateral "
    "transpedicular approach, under fluoroscopic guidance.\nDiagnosis: vertebrogenic low back pain."
)


@pytest.mark.parametrize(
    ("lines", "flagged"),
    [
        ([_line("64628", icd10=["M54.51"])], set()),
        # 64628 covers the first two vertebral bodies: an add-on needs a third
        ([_line("64628", icd10=["M54.51"]), _line("64629", icd10=["M54.51"])], {"CLM-002"}),
        # the code includes its imaging guidance
        ([_line("64628", icd10=["M54.51"]), _line("77003", icd10=["M54.51"])], {"CLM-008"}),
    ],
)
def test_basivertebral_ablation_counts_vertebral_bodies_and_includes_guidance(
    lines: list[dict[str, Any]], flagged: set[str]
) -> None:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-01", "lines": lines})
    found = {f.rule_id for f in check_note(BASIVERTEBRAL, payer="medicare", claim=claim).findings}
    assert found & {"CLM-002", "CLM-008"} == flagged


DISCOGRAPHY = (
    "PROCEDURE: Provocative lumbar discography at L3-L4, L4-L5 and L5-S1 under fluoroscopic "
    "guidance, L3-L4 painless (control).\nINDICATION: her spine surgeon is choosing between a "
    "one- and a two-level fusion and asked for the study.\nSEDATION: moderate sedation, "
    "midazolam 1 mg, independent observer; intra-service 10:02-10:40 (38 min)."
)


@pytest.mark.parametrize(
    ("lines", "flagged"),
    [
        # 62290 is reported once per disc level: three units for three discs
        (
            [_line("62290", units=3, icd10=["M51.36"]), _line("72295", units=3, icd10=["M51.36"])],
            set(),
        ),
        (
            [_line("62290", units=4, icd10=["M51.36"]), _line("72295", units=4, icd10=["M51.36"])],
            {"CLM-002"},
        ),
        # 38 minutes of intraservice time support 99152 and 99153 x2, not x3
        (
            [
                _line("62290", units=3, icd10=["M51.36"]),
                _line("99152", icd10=["M51.36"]),
                _line("99153", units=3, icd10=["M51.36"]),
            ],
            {"CLM-031"},
        ),
        (
            [
                _line("62290", units=3, icd10=["M51.36"]),
                _line("99152", icd10=["M51.36"]),
                _line("99153", units=2, icd10=["M51.36"]),
            ],
            set(),
        ),
    ],
)
def test_discography_is_billed_per_disc_level_and_sedation_by_its_clock_times(
    lines: list[dict[str, Any]], flagged: set[str]
) -> None:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-01", "lines": lines})
    found = {f.rule_id for f in check_note(DISCOGRAPHY, payer="medicare", claim=claim).findings}
    assert found & {"CLM-002", "CLM-031", "DSC-005"} == flagged


PNS_RIGHT = (
    "PROCEDURE: Permanent peripheral nerve stimulator, right sural nerve, with IPG in a right "
    "calf pocket, under ultrasound guidance.\nDiagnosis: lesion of the right sural nerve."
)


@pytest.mark.parametrize(
    ("side", "icd10", "flagged"),
    [
        ("RT", "G57.81", set()),
        ("LT", "G57.81", {"CLM-006", "CLM-026"}),  # the note documents the right leg
        ("RT", "G57.82", {"CLM-026"}),  # a left-limb code on a right-sided implant
    ],
)
def test_peripheral_stimulator_lines_and_diagnosis_take_the_documented_side(
    side: str, icd10: str, flagged: set[str]
) -> None:
    lines = [
        _line("64555", modifiers=[side], icd10=[icd10]),
        _line("64590", modifiers=[side], icd10=[icd10]),
    ]
    claim = parse_claim({"payer": "commercial", "date_of_service": "2026-03-01", "lines": lines})
    found = {f.rule_id for f in check_note(PNS_RIGHT, payer="commercial", claim=claim).findings}
    assert found & {"CLM-006", "CLM-026"} == flagged


def test_a_visit_billed_beside_stimulator_programming_is_a_procedure_day() -> None:
    note = (
        "Established patient visit.\nHPI: neck pain stable on meloxicam; SCS covering the legs "
        "well.\nPlan: refill meloxicam 15 mg daily.\n"
        "SCS ANALYSIS AND PROGRAMMING: amplitude 2.1 mA, pulse width 240 us, 50 Hz; "
        "paresthesia covers both feet."
    )
    lines = [
        {"cpt": "99213", "modifiers": ["25"], "units": 1, "icd10": ["M47.812"]},
        {"cpt": "95972", "units": 1, "icd10": ["M96.1"]},
    ]
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-01", "lines": lines})
    found = {f.rule_id for f in check_note(note, payer="medicare", claim=claim).findings}
    assert "EM-14" not in found


FACET_TWO_LEVELS = (
    "PROCEDURE: Right L4-L5 and L5-S1 facet joint injections under fluoroscopic guidance.\n"
    "Diagnosis: lumbar spondylosis without myelopathy."
)


@pytest.mark.parametrize(
    ("lines", "undercoded"),
    [
        ([_line("64493", modifiers=["RT"], icd10=["M47.816"])], True),
        (
            [
                _line("64493", modifiers=["RT"], icd10=["M47.816"]),
                _line("64494", modifiers=["RT"], icd10=["M47.816"]),
            ],
            False,
        ),
    ],
)
def test_a_documented_level_left_unbilled_is_reported(
    lines: list[dict[str, Any]], undercoded: bool
) -> None:
    claim = parse_claim({"payer": "medicare", "date_of_service": "2026-03-01", "lines": lines})
    found = check_note(FACET_TWO_LEVELS, payer="medicare", claim=claim).findings
    assert ("CLM-037" in {f.rule_id for f in found}) is undercoded


@pytest.mark.parametrize(("last", "too_soon"), [("2026-02-10", True), ("2026-01-25", False)])
def test_stimulator_analysis_within_thirty_days_of_the_last(last: str, too_soon: bool) -> None:
    note = (
        "SCS ANALYSIS AND PROGRAMMING: contacts 3+ 4- at 1.8 mA, 210 us, 60 Hz; coverage of "
        "both legs restored.\nDiagnosis: failed back surgery syndrome."
    )
    claim = parse_claim(
        {
            "payer": "medicare",
            "date_of_service": "2026-03-05",
            "lines": [{"cpt": "95971", "units": 1, "icd10": ["M96.1"]}],
        }
    )
    history = parse_history({"procedures": [{"date_of_service": last, "cpt": "95972"}]})
    found = check_note(note, payer="medicare", claim=claim, history=history).findings
    assert ("CLM-038" in {f.rule_id for f in found}) is too_soon


SI_HISTORY_THEN_THERAPEUTIC = (
    "A diagnostic right SI joint injection in May gave 85 percent relief for the anesthetic's "
    "duration. FABER, Gaenslen and thigh thrust are positive on the right.\n"
    "PROCEDURE: Therapeutic right sacroiliac joint injection under fluoroscopic guidance with "
    "40 mg triamcinolone.\nDiagnosis: right sacroiliitis."
)


def test_intent_is_read_from_the_procedure_not_from_an_earlier_injection() -> None:
    claim = parse_claim(
        {
            "payer": "medicare",
            "date_of_service": "2026-10-01",
            "lines": [{"cpt": "27096", "modifiers": ["RT"], "units": 1, "icd10": ["M46.1"]}],
        }
    )
    found = {f.rule_id for f in check_note(SI_HISTORY_THEN_THERAPEUTIC, claim=claim).findings}
    assert "CLM-007" not in found  # a therapeutic injection needs no KX


def test_two_positive_si_tests_of_five_are_not_three() -> None:
    note = SI_HISTORY_THEN_THERAPEUTIC.replace(
        "FABER, Gaenslen and thigh thrust are positive on the right.",
        "FABER and Gaenslen are positive on the right; thigh thrust, compression and "
        "distraction are negative.",
    )
    assert "SIJ-003" in {f.rule_id for f in check_note(note).findings}
    assert "SIJ-003" not in {f.rule_id for f in check_note(SI_HISTORY_THEN_THERAPEUTIC).findings}


def test_stimulator_interval_needs_the_service_on_this_claim() -> None:
    claim = parse_claim(
        {
            "payer": "medicare",
            "date_of_service": "2026-03-05",
            "lines": [{"cpt": "99213", "units": 1, "icd10": ["M96.1"]}],
        }
    )
    history = parse_history({"procedures": [{"date_of_service": "2026-02-20", "cpt": "95972"}]})
    found = check_note("Follow-up visit for back pain.", claim=claim, history=history).findings
    assert "CLM-038" not in {f.rule_id for f in found}


@pytest.mark.parametrize(
    ("history", "short"),
    [
        ("The leg pain has been going on for about fourteen months.", False),
        ("Her sciatica dates to 2021.", False),
        ("The leg pain started nine days ago.", True),
    ],
)
def test_a_duration_the_reader_reads_counts_for_a_planned_procedure(
    history: str, short: bool
) -> None:
    note = (
        f"Consultation. {history} Exam: positive straight leg raise on the left.\n"
        "Plan: schedule a left L5-S1 transforaminal epidural steroid injection."
    )
    found = {f.rule_id for f in check_note(note, payer="medicare").findings}
    assert ("MN-014" in found) is short
