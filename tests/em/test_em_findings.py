"""em_findings: level mismatches, modifier 25, G2211, prolonged time, opioid checklist."""

from __future__ import annotations

import em_notes as N
import pytest

from assistant.em import assess_em, em_findings
from assistant.em.loader import finding_file
from assistant.em.modifier25 import is_procedure_code
from assistant.em.schema import ClaimLine, EMAssessment
from assistant.facts import NoteFacts, Procedure
from assistant.findings import Finding

TFESI = ("64483", ["RT"], 1)


def facts(kind: str = "office_visit", procedures: int = 0) -> NoteFacts:
    return NoteFacts(
        note_id="t",
        note_kind=kind,  # type: ignore[arg-type]
        procedures=[Procedure(family="esi", region="lumbar")] * procedures,
    )


def assess(text: str, facts: NoteFacts, billed_cpt: str | None = None) -> EMAssessment:
    """assess_em with the reader's layout of ``text``."""
    return assess_em(text, facts, N.layout(text), billed_cpt=billed_cpt)


def findings(
    text: str, facts: NoteFacts, em: EMAssessment | None, lines: list[ClaimLine]
) -> list[Finding]:
    """em_findings with the reader's layout of ``text``."""
    return em_findings(text, facts, N.layout(text), em, lines)


def ids(found: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in found)


@pytest.mark.parametrize(
    ("billed", "expected", "severity"),
    [
        ("99215", ["EM-10"], "block"),  # supported 99214: overcoding risk
        ("99214", [], None),
        ("99213", ["EM-11"], "warn"),  # undercoding: money left behind
        ("99212", ["EM-11"], "warn"),
    ],
)
def test_em_findings_level_mismatch(billed: str, expected: list[str], severity: str | None) -> None:
    found = findings(N.MODERATE, facts(), None, [(billed, [], 1)])
    assert ids(found) == expected
    for finding in found:
        assert finding.severity == severity
        assert finding.concerns == ["claim.em_level"]
        assert "99214" in finding.message and billed in finding.message
        assert finding.evidence and all(
            N.MODERATE[e.start : e.end] == e.text for e in finding.evidence
        )


def test_em_findings_undercoding_names_money_left_behind() -> None:
    (finding,) = findings(N.MODERATE, facts(), None, [("99212", [], 1)])
    assert "unbilled" in finding.message
    assert "pay" not in finding.query.render().lower()


def test_em_findings_uses_given_assessment() -> None:
    em = assess(N.LOW, facts(), billed_cpt="99213")
    assert findings(N.LOW, facts(), em, [("99213", [], 1)]) == []


@pytest.mark.parametrize(
    ("note", "procedures", "lines", "expected"),
    [
        # -25 on a procedure day, E/M only covers the decision to inject
        (N.PROCEDURE_ONLY, 1, [("99213", ["25"], 1), TFESI], ["EM-01"]),
        # same, procedure known only from the claim line
        (N.PROCEDURE_ONLY, 0, [("99213", ["25"], 1), TFESI], ["EM-01"]),
        # no -25 and nothing separate: the visit is part of the procedure
        (N.PROCEDURE_ONLY, 1, [("99213", [], 1), TFESI], ["EM-12"]),
        # separate problem managed: -25 supported, level matches
        (N.PROCEDURE_WITH_SEPARATE, 1, [("99214", ["25"], 1), TFESI], []),
        # separate work but -25 missing
        (N.PROCEDURE_WITH_SEPARATE, 1, [("99214", [], 1), TFESI], ["EM-13"]),
        # -25 without any procedure on the day
        (N.MODERATE, 0, [("99214", ["25"], 1)], ["EM-14"]),
        # G2211 with a -25 E/M
        (N.PROCEDURE_WITH_SEPARATE, 1, [("99214", ["25"], 1), TFESI, ("G2211", [], 1)], ["EM-04"]),
        # G2211 without -25 is fine
        (N.MODERATE, 0, [("99214", [], 1), ("G2211", [], 1)], []),
    ],
)
def test_em_findings_modifier25_and_g2211(
    note: str, procedures: int, lines: list[tuple[str, list[str], int]], expected: list[str]
) -> None:
    found = findings(note, facts(procedures=procedures), None, lines)
    assert ids(found) == expected
    for finding in found:
        assert finding.concerns == ["claim.modifiers"]
        assert finding.severity == ("warn" if finding.rule_id in ("EM-13", "EM-14") else "block")


def test_em_findings_modifier25_reason_names_the_separate_work() -> None:
    em = assess(N.PROCEDURE_WITH_SEPARATE, facts(procedures=1), billed_cpt="99214")
    assert em.modifier25.separately_identifiable
    assert "prescription drug management" in em.modifier25.reason
    bare = assess(N.PROCEDURE_ONLY, facts(procedures=1), billed_cpt="99213")
    assert not bare.modifier25.separately_identifiable
    assert "decision to perform" in bare.modifier25.reason


@pytest.mark.parametrize(
    "extra",
    [
        "She also complains of new right knee pain; knee exam shows an effusion.",
        "Separately, she reports new numbness of the left hand, evaluated today.",
    ],
)
def test_em_findings_new_problem_supports_modifier25(extra: str) -> None:
    note = N.PROCEDURE_ONLY.replace("PHYSICAL EXAMINATION:", f"{extra}\nPHYSICAL EXAMINATION:")
    em = assess(note, facts(procedures=1), billed_cpt="99213")
    assert em.modifier25.separately_identifiable
    found = findings(note, facts(procedures=1), em, [("99213", ["25"], 1), TFESI])
    assert [f.rule_id for f in found if "claim.modifiers" in f.concerns] == []


def test_em_findings_template_separateness_is_not_enough() -> None:
    note = N.PROCEDURE_ONLY.replace(
        "Consent obtained.",
        "Consent obtained. A significant, separately identifiable E/M was done.",
    )
    em = assess(note, facts(procedures=1), billed_cpt="99213")
    assert not em.modifier25.separately_identifiable
    assert "asserts separate work" in em.modifier25.reason


@pytest.mark.parametrize(
    ("minutes", "lines", "expected"),
    [
        (70, [("99215", [], 1), ("G2212", [], 1)], []),
        (68, [("99215", [], 1), ("G2212", [], 1)], ["EM-05"]),
        (70, [("99215", [], 1), ("G2212", [], 2)], ["EM-05"]),  # 2 units need 84
        (56, [("99215", [], 1), ("99417", [], 1)], []),
        (70, [("99214", [], 1), ("G2212", [], 1)], ["EM-05", "EM-11"]),  # not a 99215
    ],
)
def test_em_findings_prolonged_time(
    minutes: int, lines: list[tuple[str, list[str], int]], expected: list[str]
) -> None:
    note = N.TIME_TEMPLATE.format(time=f"Total time on the date of service: {minutes} minutes.")
    assert ids(findings(note, facts(), None, lines)) == expected


@pytest.mark.parametrize("procedures", [0, 1])  # procedure known from the note or the claim
def test_em_findings_time_on_procedure_day_without_exclusion(procedures: int) -> None:
    note = N.PROCEDURE_WITH_SEPARATE + "Total time 45 minutes.\n"
    em = assess(note, facts(procedures=procedures))
    found = findings(note, facts(procedures=procedures), em, [("99215", ["-25"], 1), TFESI])
    assert ids(found) == ["EM-03", "EM-10"]


def test_em_findings_billed_code_overrides_patient_type() -> None:
    em = assess(N.MODERATE, facts("consult"))
    assert em.supported_level == "99204"
    found = findings(N.MODERATE, facts("consult"), em, [("99215", [], 1)])
    assert ids(found) == ["EM-10"]
    assert "supports 99214" in found[0].message


@pytest.mark.parametrize(
    ("note", "missing"),
    [
        (
            N.OPIOID_PARTIAL,
            {
                "treatment_agreement",
                "mme",
                "functional_goals",
                "opioid_risk_monitoring",
                "naloxone",
            },
        ),
        (N.OPIOID_COMPLETE, set()),
        (N.OPIOID_LIST_ONLY, set()),  # opioid only in the medication list: not managed here
    ],
)
def test_em_findings_opioid_checklist(note: str, missing: set[str]) -> None:
    found = [f for f in findings(note, facts(), None, []) if f.rule_id.startswith("OPI-")]
    assert {c.removeprefix("elements.") for f in found for c in f.concerns} == missing
    for finding in found:
        assert finding.severity == "warn"
        assert finding.status == "missing"
        assert finding.source.url.startswith("https://www.cdc.gov/")
        assert "Other (please specify)" in finding.query.options


def test_em_findings_opioid_negated_pdmp_is_missing() -> None:
    note = N.OPIOID_COMPLETE.replace("PDMP reviewed.", "PDMP was not checked.")
    found = findings(note, facts(), None, [])
    assert [f.concerns for f in found] == [["elements.pdmp_check"]]


@pytest.mark.parametrize(
    ("code", "is_procedure"),
    [("64483", True), ("20552", True), ("G0260", True), ("99214", False), ("77003", False)],
)
def test_is_procedure_code_data_ranges(code: str, is_procedure: bool) -> None:
    assert is_procedure_code(code, finding_file()) is is_procedure
