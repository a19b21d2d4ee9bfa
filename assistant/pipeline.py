"""The one orchestrator: read the note, check it, assess E/M, score denial risk.

    note text -> reader (spaCy Doc) -> NoteFacts + evidence -> checklist engine + E/M rules
              -> findings + verdict -> risk model -> CheckResult

Every face (CLI, API, reader processes, worklist, risk training, notebooks, benchmarks)
calls this module; no component imports it back. Each step below is a component that
knows only the step before it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.checks import (
    AppliedChecklist,
    Claim,
    ProcedureHistory,
    load_registry,
    note_verdict,
    run_checks,
)
from assistant.checks.claims import parse_claim
from assistant.em import ClaimLine, EMAssessment, assess_if_applicable, em_findings
from assistant.em.loader import finding_file
from assistant.errors import ChartReadyError, Errors, TrainingDataError, validation_paths
from assistant.facts import NoteFacts
from assistant.findings import Finding, Severity, Verdict
from assistant.layout import NoteLayout
from assistant.reader.read import read_layout, read_note, read_note_layout, read_notes
from assistant.risk import RiskInput, RiskScore, load_active_model, score_risk
from assistant.risk.training_data import OutcomeRow, StoredOutcome, TrainingRow

__all__ = [
    "CheckResult",
    "check_note",
    "check_note_json",
    "read_note",
    "read_note_layout",
    "read_notes",
    "risk_input",
    "stored_training_rows",
    "training_rows",
    "warm_up",
    "with_findings",
    "without_findings",
]

WARM_UP_NOTE = "Procedure: warm-up. Informed consent was obtained."


class CheckResult(BaseModel):
    """Everything one check produced: facts, checklists, verdict, findings, E/M and risk.

    ``em`` is set for office/consult notes or a billed E/M line; ``risk`` is always scored.
    """

    model_config = ConfigDict(extra="forbid")

    facts: NoteFacts
    checklists: list[AppliedChecklist]
    verdict: Verdict
    findings: list[Finding]
    payer: str
    reader_version: str | None = None
    em: EMAssessment | None = None
    risk: RiskScore | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """Serialise with note-facts/v1 wire names (``schema``)."""
        return self.model_dump(mode="json", by_alias=True)


def claim_lines(claim: Claim | None) -> list[ClaimLine]:
    """Claim lines as ``(cpt, modifiers, units)`` for the E/M rules."""
    if claim is None:
        return []
    return [(line.cpt, list(line.modifiers), line.units) for line in claim.lines]


def risk_input(
    facts: NoteFacts,
    findings: Sequence[Finding],
    verdict: Verdict,
    payer: str | None,
    claim: Claim | None,
) -> RiskInput:
    """What the risk model is told about one check: families, findings, verdict, claim."""
    charges = [line.charge for line in claim.lines if line.charge is not None] if claim else []
    return RiskInput(
        families=list(dict.fromkeys(p.family for p in facts.procedures)),
        findings=list(findings),
        verdict=verdict,
        payer=payer if payer is not None else (claim.payer if claim else None),
        total_charge=float(sum(charges)) if charges else None,
        has_claim=claim is not None,
    )


def check_note(
    text: str,
    *,
    note_id: str = "note",
    payer: str = "commercial",
    claim: Claim | None = None,
    history: ProcedureHistory | None = None,
    facts: NoteFacts | None = None,
    layout: NoteLayout | None = None,
) -> CheckResult:
    """Read the note (unless ``facts`` is given), check it, assess E/M and score its risk.

    Office/consult notes (or a claim with an office E/M code) also get the E/M assessment
    and its findings; every note gets the chronic-opioid checklist when opioids are managed.
    The checks and E/M use the sections and ConText scopes of the same reading; ``facts``
    given without their ``layout`` have the note read again for it.
    """
    if facts is None:
        facts, layout = read_note_layout(text, note_id)
    elif layout is None:
        layout = read_layout(text)
    lines = claim_lines(claim)
    em = assess_if_applicable(text, facts, layout, lines)
    review = run_checks(
        text,
        facts,
        layout,
        registry=load_registry(),
        payer=payer,
        claim=claim,
        history=history,
        extra_findings=em_findings(text, facts, layout, em, lines),
    )
    risk = score_risk(
        risk_input(facts, review.findings, review.verdict, payer, claim), load_active_model()
    )
    return CheckResult(
        facts=facts,
        checklists=review.checklists,
        verdict=review.verdict,
        findings=review.findings,
        payer=payer,
        reader_version=facts.reader_version,
        em=em,
        risk=risk,
    )


def without_findings(
    result: CheckResult, dismissed: Collection[str], claim: Claim | None
) -> CheckResult:
    """The check once a coder has overridden some findings: verdict and risk recomputed.

    The findings whose rule ids are in ``dismissed`` are dropped; the facts, checklists and
    E/M assessment stay as checked. ``claim`` is the one the note was checked with.
    """
    kept = [f for f in result.findings if f.rule_id not in dismissed]
    return _rescored(result, kept, claim)


def with_findings(
    result: CheckResult, extra: Sequence[Finding], claim: Claim | None
) -> CheckResult:
    """The check with findings raised outside it added: verdict and risk recomputed.

    For checks the components cannot make alone, such as a note compared with the
    patient's stored authorization (the caller reads the store); a rule id already found
    is not added twice. ``claim`` is the one the note was checked with.
    """
    found = {f.rule_id for f in result.findings}
    added = [f for f in extra if f.rule_id not in found]
    if not added:
        return result
    return _rescored(result, [*result.findings, *added], claim)


def _rescored(result: CheckResult, findings: list[Finding], claim: Claim | None) -> CheckResult:
    """``result`` with ``findings`` in place of its own, and the verdict and risk they give."""
    registry = load_registry()
    verdict = note_verdict(
        findings, (registry.get(c.id) for c in result.checklists if c.id in registry.checklists)
    )
    risk = score_risk(
        risk_input(result.facts, findings, verdict, result.payer, claim), load_active_model()
    )
    return result.model_copy(update={"findings": findings, "verdict": verdict, "risk": risk})


def check_note_json(
    text: str, note_id: str, payer: str, claim: dict[str, Any] | None, label: str
) -> dict[str, Any]:
    """Check one note with a claim given as JSON; the result as JSON.

    Plain arguments and result, so a reader process can run it for the worklist (``label``
    names the claim in errors).
    """
    parsed = parse_claim(claim, label) if claim else None
    return check_note(text, note_id=note_id, payer=payer, claim=parsed).to_json_dict()


def rule_severities() -> dict[str, Severity]:
    """Every rule id the checks can raise (checklists, coding, E/M, opioids) and its severity."""
    registry = load_registry()
    out: dict[str, Severity] = {e.id: e.severity for c in registry.all() for e in c.elements}
    out.update({rule.id: rule.severity for rule in registry.coding.rules})
    out.update({rule.id: rule.severity for rule in finding_file().rules})
    return out


def warm_up() -> None:
    """Build the reader and load checklists, E/M cues and the risk model (one throw-away check)."""
    check_note(WARM_UP_NOTE)


def _claim_of(data: dict[str, Any] | None, where: str) -> Claim | None:
    """The claim a labelled note was checked with; a bad one is refused, naming its row."""
    try:
        return Claim.model_validate(data) if data is not None else None
    except ValidationError as exc:
        problem = f"claim {validation_paths(exc)}"
        raise TrainingDataError(Errors.E303, where=where, problem=problem) from exc


def _labelled(
    result: CheckResult,
    claim: Claim | None,
    label: OutcomeRow | StoredOutcome,
    date_of_service: date | None = None,
) -> TrainingRow:
    """One training row: the check's risk input (as scoring builds it) and the payer's answer."""
    inp = risk_input(result.facts, result.findings, result.verdict, result.payer, claim)
    return TrainingRow(
        inp, label.outcome, label.carc, label.rarc, label.paid_amount, date_of_service
    )


def training_rows(rows: Sequence[OutcomeRow]) -> list[TrainingRow]:
    """Check each outcome row's note and pair its risk input with what the payer did."""
    out = []
    for row in rows:
        payer = row.payer or (row.claim or {}).get("payer")
        claim = _claim_of(row.claim, f"row {row.row}")
        try:
            result = check_note(
                row.text, note_id=row.note_id, payer=str(payer or "commercial"), claim=claim
            )
        except ChartReadyError as exc:
            where = f"row {row.row} ({row.note_id})"
            raise TrainingDataError(Errors.E303, where=where, problem=exc) from exc
        out.append(_labelled(result, claim, row))
    return out


def stored_training_rows(
    rows: Sequence[StoredOutcome],
) -> tuple[list[TrainingRow], list[StoredOutcome]]:
    """Training rows from checks stored before billing, as they were checked (no re-read).

    Returns the rows and the stored outcomes whose result or claim no longer validates (a
    result kept by an older version), so the caller can count them instead of losing them.
    """
    out: list[TrainingRow] = []
    unreadable: list[StoredOutcome] = []
    for row in rows:
        try:
            result = CheckResult.model_validate(row.result)
            claim = _claim_of(row.claim, row.where)
        except (ValidationError, TrainingDataError):
            unreadable.append(row)
            continue
        out.append(_labelled(result, claim, row, row.date_of_service))
    return out, unreadable
