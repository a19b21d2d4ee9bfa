from __future__ import annotations

import pytest

from assistant.checks import Claim, ClaimLine
from assistant.facts import NoteFacts, Procedure
from assistant.findings import Finding, Query, SourceRef
from assistant.pipeline import check_note, risk_input, without_findings


def _finding() -> Finding:
    return Finding(
        rule_id="FMB-003",
        symbol="prior-relief",
        severity="block",
        concerns=["elements.prior_block_relief"],
        status="missing",
        message="m",
        fix="f",
        query=Query(question="q?", options=["a", "Other", "Unable to determine"]),
        source=SourceRef(policy="L38803", basis="verified"),
    )


@pytest.mark.parametrize(
    ("claim", "has_claim", "total"),
    [
        (None, False, None),
        (
            Claim(
                lines=[ClaimLine(cpt="64493", charge=400.0), ClaimLine(cpt="64494", charge=250.5)]
            ),
            True,
            650.5,
        ),
        (Claim(lines=[ClaimLine(cpt="64493")]), True, None),
    ],
)
def test_risk_input_counts_families_once_and_sums_known_charges(
    claim: Claim | None, has_claim: bool, total: float | None
) -> None:
    facts = NoteFacts(
        note_id="n", procedures=[Procedure(family="facet_mbb"), Procedure(family="facet_mbb")]
    )
    inp = risk_input(facts, [_finding()], "not_billable_as_documented", "medicare", claim)
    assert inp.families == ["facet_mbb"]
    assert inp.findings[0].rule_id == "FMB-003"
    assert inp.findings[0].concerns == ["elements.prior_block_relief"]
    assert (inp.verdict, inp.payer) == ("not_billable_as_documented", "medicare")
    assert (inp.has_claim, inp.total_charge) == (has_claim, total)


def test_check_note_types_em_and_risk() -> None:
    result = check_note("Follow-up visit. Assessment: lumbar radiculopathy. Plan: continue PT.")
    assert result.facts.note_kind in {"office_visit", "consult", "other"}
    assert result.risk is not None and 0.0 <= result.risk.probability <= 1.0
    data = result.to_json_dict()
    assert data["risk"]["model_version"] == result.risk.model_version


def test_without_findings_recomputes_verdict_and_risk_and_keeps_the_rest() -> None:
    note = "Pt seen. Rt L4-5 blk done under fluoro, 80mg depomedrol. tolerated well."
    checked = check_note(note, payer="medicare")
    assert checked.verdict == "not_recognised" and checked.risk is not None
    after = without_findings(checked, {"NRC-001"}, None)
    assert "NRC-001" not in {f.rule_id for f in after.findings}
    assert after.verdict != "not_recognised"
    assert after.risk is not None and after.risk.probability < checked.risk.probability
    assert after.facts == checked.facts and after.checklists == checked.checklists
    assert without_findings(checked, set(), None).model_dump() == checked.model_dump()
