"""A procedure note compared with the patient's authorization: met, and each mismatch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from assistant.facts import Evidence, NoteFacts, Procedure
from assistant.findings import Finding
from assistant.preauth.mismatch import authorization_findings
from assistant.preauth.tracking import Authorization, ScheduledProcedure

DOS = dt.date(2026, 3, 10)
TEXT = "PROCEDURE: Left L4-L5 and L5-S1 medial branch block under fluoroscopic guidance."


def _span(field: str, value: str, text: str, at: str | None = None) -> Evidence:
    start = TEXT.index(at or text)
    return Evidence(field=field, value=value, start=start, end=start + len(text), text=text)


def facts(
    family: str = "facet_mbb", levels: tuple[str, ...] = ("L4-L5", "L5-S1"), side: str = "left"
) -> NoteFacts:
    """The note above as the reader gives it (spans at the note's own words)."""
    evidence = [
        _span("procedures[0].family", family, "medial branch block"),
        _span("procedures[0].laterality", side, "Left"),
        *(_span("procedures[0].levels", "level", level) for level in ("L4-L5", "L5-S1")),
    ]
    procedure = Procedure.model_validate(
        {"family": family, "levels": list(levels), "laterality": side}
    )
    return NoteFacts(note_id="n1", note_kind="procedure", procedures=[procedure], evidence=evidence)


def auth(**kw: Any) -> Authorization:
    values: dict[str, Any] = {
        "patient_key": "P-1",
        "payer": "medicare",
        "family": "facet_mbb",
        "cpt_codes": ["64493", "64494"],
        "levels": ["L4-L5", "L5-S1"],
        "side": "left",
        "status": "approved",
        "number": "UTN-7",
        "valid_from": dt.date(2026, 3, 1),
        "valid_to": dt.date(2026, 5, 31),
    }
    return Authorization.model_validate({**values, **kw})


def _ids(found: list[Finding]) -> list[str]:
    return [f.rule_id for f in found]


def test_mismatch_met_gives_no_warning() -> None:
    found = authorization_findings(
        facts(), [auth()], DOS, payer="medicare", billed_codes=["64493", "64494", "77003"]
    )
    assert found == []


def test_mismatch_none_without_an_authorization_or_for_another_payer() -> None:
    assert authorization_findings(facts(side="right"), [], DOS, payer="medicare") == []
    other = auth(payer="commercial", side="right")
    assert authorization_findings(facts(), [other], DOS, payer="medicare") == []


@pytest.mark.parametrize(
    ("note", "stored", "billed", "rule_id", "detail", "evidence"),
    [
        (
            facts(family="facet_rfa"),
            auth(),
            (),
            "AUTH-001",
            "facet radiofrequency ablation performed; authorization UTN-7 is for facet medial",
            "medial branch block",
        ),
        (facts(), auth(), ("64493", "64495"), "AUTH-001", "64495 billed", "medial branch block"),
        (
            facts(levels=("L4-L5", "L5-S1")),
            auth(levels=["L4-L5"]),
            (),
            "AUTH-002",
            "L5-S1",
            "L5-S1",
        ),
        (facts(side="left"), auth(side="right"), (), "AUTH-003", "left side treated", "Left"),
        (
            facts(),
            auth(valid_to=dt.date(2026, 3, 9)),
            (),
            "AUTH-004",
            "date of service 2026-03-10; authorization UTN-7 is valid 2026-03-01 to 2026-03-09",
            "medial branch block",
        ),
        (facts(), auth(valid_from=dt.date(2026, 3, 11)), (), "AUTH-004", "2026-03-11", None),
        (facts(), auth(status="expired"), (), "AUTH-004", "valid", None),
        (facts(), auth(status="pended"), (), "AUTH-006", "pended for records", None),
        (facts(), auth(status="denied"), (), "AUTH-006", "is denied", None),
    ],
)
def test_mismatch_each_kind_warns_with_evidence(
    note: NoteFacts,
    stored: Authorization,
    billed: tuple[str, ...],
    rule_id: str,
    detail: str,
    evidence: str | None,
) -> None:
    found = authorization_findings(note, [stored], DOS, payer="medicare", billed_codes=billed)
    assert _ids(found) == [rule_id]
    finding = found[0]
    assert finding.severity == "warn" and finding.checklist == "authorization"
    assert detail in finding.message
    assert finding.evidence, "a warning points at the note's words"
    for span in finding.evidence:
        assert TEXT[span.start : span.end] == span.text
    if evidence is not None:
        assert [e.text for e in finding.evidence] == [evidence]
    assert "419" in (finding.source.section or "") + finding.source.policy
    assert "{procedure}" not in finding.query.question


def test_mismatch_visits_used_up() -> None:
    done = [
        ScheduledProcedure(
            patient_key="P-1",
            payer="medicare",
            family="facet_mbb",
            date=dt.date(2026, 3, 3),
            place_of_service="22",
        )
    ]
    found = authorization_findings(
        facts(), [auth(units_allowed=1)], DOS, payer="medicare", done=done
    )
    assert _ids(found) == ["AUTH-005"]
    assert found[0].status == "limit_exceeded"
    assert authorization_findings(facts(), [auth(units_allowed=2)], DOS, done=done) == []


def test_mismatch_several_kinds_at_once_and_the_best_fitting_authorization() -> None:
    note = facts(side="left", levels=("L4-L5", "L5-S1"))
    esi = auth(family="esi", cpt_codes=["64483"], side="right")
    wrong_side = auth(side="right", levels=["L4-L5"])
    found = authorization_findings(note, [esi, wrong_side], DOS, payer="medicare")
    assert _ids(found) == ["AUTH-002", "AUTH-003"]


def test_mismatch_unrelated_procedure_is_not_compared() -> None:
    note = facts(family="trigger_point")
    assert authorization_findings(note, [auth()], DOS, payer="commercial") == []


def test_mismatch_trial_authorization_carries_to_the_implant_for_medicare() -> None:
    note = facts(family="scs_implant", levels=(), side="left")
    trial = auth(family="scs_trial", cpt_codes=["63650"], levels=[], side=None)
    assert authorization_findings(note, [trial], DOS, payer="medicare") == []
    commercial = trial.model_copy(update={"payer": "commercial"})
    found = authorization_findings(note, [commercial], DOS, payer="commercial")
    assert _ids(found) == ["AUTH-001"]


def test_mismatch_reader_facts_of_a_real_note(read: Callable[[str], NoteFacts]) -> None:
    text = (
        "Date of service: 03/10/2026\nPROCEDURE: Right L4-L5 and L5-S1 medial branch block "
        "under fluoroscopic guidance. Second diagnostic block.\nInformed consent was obtained."
    )
    note = read(text)
    assert authorization_findings(note, [auth(side="right")], DOS, payer="medicare") == []
    found = authorization_findings(note, [auth()], DOS, payer="medicare")
    assert _ids(found) == ["AUTH-003"]
    assert [text[e.start : e.end] for e in found[0].evidence] == ["Right"]
