"""Judge each criterion over the whole timeline: met, not met, or not found, with proof.

``met``: the notes show it (the evidence proves it). ``not_met``: the notes state it, but
short of what is needed (2 weeks of therapy, 50 % relief). ``not_found``: no note states it.
Each check is a small function over the timeline; thresholds come from the payer profile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.checks.coding import ROLLING_DAYS, RepeatRule, region_group
from assistant.checks.detectors import Detections
from assistant.checks.predicates import CheckContext, evaluate
from assistant.checks.registry import ChecklistRegistry
from assistant.findings import SourceRef
from assistant.preauth.contradictions import days_in_words
from assistant.preauth.criteria import ResolvedCriterion
from assistant.preauth.items import EvidenceRef, Imaging, PerformedProcedure, Timeline
from assistant.preauth.notes import PatientNote
from assistant.preauth.planned import PlannedProcedure
from assistant.preauth.timeline import evidence_ref
from assistant.preauth.values import segments

CriterionStatus = Literal["met", "not_met", "not_found"]


class CriterionResult(BaseModel):
    """One criterion's verdict with the quotes and dates that prove it, and how to close it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: CriterionStatus
    message: str
    detail: str
    evidence: list[EvidenceRef] = Field(default_factory=list)
    source: SourceRef
    fix: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class Judged:
    """What a check found: a status, a plain detail line, and the evidence."""

    status: CriterionStatus
    detail: str
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a check may look at."""

    planned: PlannedProcedure
    timeline: Timeline
    notes: Sequence[PatientNote]
    registry: ChecklistRegistry
    thresholds: dict[str, float]

    @property
    def date(self) -> dt.date:
        """The planned date: as given, else the date of the latest note."""
        if self.planned.date is not None:
            return self.planned.date
        return max((n.date for n in self.notes), default=dt.date.today())


def _threshold(ctx: Context, params: dict[str, Any], default: float) -> float:
    key = params.get("threshold_key")
    return ctx.thresholds.get(str(key), default) if key else default


def notes_rule(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """The criterion's checklist rule evaluated on every note; met when one note meets it."""
    met: list[EvidenceRef] = []
    short: list[EvidenceRef] = []
    planned = ctx.planned.as_procedure()
    for note in ctx.notes:
        check = CheckContext(
            note.text,
            note.facts,
            Detections(note.text, ctx.registry.detectors, note.layout),
            ctx.thresholds,
            procedure=planned,
        )
        assert crit.requires is not None  # criteria.resolve checks notes_rule
        outcome = evaluate(crit.requires, check)
        refs = [evidence_ref(note, span.start, span.end) for span in outcome.spans]
        (met if outcome.ok else short).extend(refs)
    if met:
        return Judged("met", f"stated in {_notes(met)}", _unique(met))
    if short:
        return Judged("not_met", f"stated, but not as required, in {_notes(short)}", _unique(short))
    return Judged("not_found", "no note states it")


def _unique(refs: Sequence[EvidenceRef]) -> tuple[EvidenceRef, ...]:
    seen = {(r.note_id, r.start, r.end): r for r in refs}
    return tuple(sorted(seen.values(), key=lambda r: (r.date, r.note_id, r.start)))


def _notes(refs: Sequence[EvidenceRef]) -> str:
    names = dict.fromkeys(f"{r.note_id} ({r.date.isoformat()})" for r in refs)
    return ", ".join(names)


def covers(done: PerformedProcedure, planned: PlannedProcedure) -> bool:
    """An earlier procedure at the planned levels and side (unknowns do not exclude it)."""
    if done.levels and planned.levels:
        wanted = {s for level in planned.levels for s in segments(level)}
        if not any(segments(level) & wanted for level in done.levels):
            return False
    if done.side and planned.side and done.side != "bilateral":
        return done.side == planned.side
    return True


def _relief_refs(procs: Sequence[PerformedProcedure]) -> tuple[EvidenceRef, ...]:
    refs = [p.evidence for p in procs] + [r.evidence for p in procs for r in p.relief]
    return _unique(refs)


def _relief_words(proc: PerformedProcedure) -> str:
    percent = proc.relief_percent
    lasted = proc.relief_duration_days
    text = "relief not stated" if percent is None else f"{percent}% relief"
    if percent is not None and lasted is not None:
        text += f" for {days_in_words(lasted)}"
    return f"{proc.family} {proc.date.isoformat()}: {text}"


def prior_blocks(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """Enough earlier diagnostic blocks (``count``) at these levels with enough relief."""
    families = set(crit.params.get("block_families", ["facet_mbb"]))
    needed = int(crit.params.get("count", 2))
    threshold = _threshold(ctx, crit.params, 80.0)
    blocks = [
        p
        for p in ctx.timeline.procedures
        if p.family in families and p.date < ctx.date and covers(p, ctx.planned)
    ]
    if not blocks:
        return _or_notes(ctx, crit, "no earlier diagnostic block in the notes")
    good = [p for p in blocks if (p.relief_percent or 0) >= threshold]
    dates = {p.date for p in good}
    detail = "; ".join(_relief_words(p) for p in blocks)
    summary = f"{len(dates)} of {needed} blocks with >= {threshold:g}% relief ({detail})"
    if len(dates) >= needed:
        return Judged("met", summary, _relief_refs(blocks))
    stated = _or_notes(ctx, crit, summary)
    if stated.status == "met":  # blocks done elsewhere, stated with their relief in a note
        return Judged("met", stated.detail, _unique([*_relief_refs(blocks), *stated.evidence]))
    return Judged("not_met", summary, _relief_refs(blocks))


def _or_notes(ctx: Context, crit: ResolvedCriterion, nothing: str) -> Judged:
    """When the timeline holds nothing to judge, the notes rule decides (if there is one)."""
    if crit.requires is None:
        return Judged("not_found", nothing)
    judged = notes_rule(ctx, crit)
    if judged.status == "not_found":
        return Judged("not_found", nothing)
    return Judged(judged.status, f"{nothing}; {judged.detail}", judged.evidence)


def repeat_relief(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """A repeat (an earlier session within the window) needs that session's lasting relief."""
    rules = {f: RepeatRule.model_validate(r) for f, r in crit.params.get("families", {}).items()}
    rule = rules.get(ctx.planned.family)
    if rule is None:
        return Judged("met", "no repeat rule for this family")
    earlier = [
        p
        for p in ctx.timeline.procedures
        if p.family == ctx.planned.family
        and p.date < ctx.date
        and (ctx.date - p.date).days <= rule.within_days
        and covers(p, ctx.planned)
    ]
    if not earlier:
        return Judged("met", "not a repeat: no earlier session in the window")
    last = earlier[-1]
    refs = _relief_refs([last])
    percent, lasted = last.relief_percent, last.relief_duration_days
    if percent is None or lasted is None:
        return Judged("not_found", f"repeat; {_relief_words(last)}, duration not stated", refs)
    ok = percent >= rule.percent and lasted >= rule.days
    needs = f"needs >= {rule.percent:g}% for >= {days_in_words(rule.days)}"
    return Judged("met" if ok else "not_met", f"{_relief_words(last)}; {needs}", refs)


def frequency(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """Sessions of the planned family's bucket in the rolling 12 months, this one included."""
    intent = str(
        crit.params.get("intent", "diagnostic" if ctx.planned.family == "facet_mbb" else "")
    )
    limits = [
        limit
        for limit in ctx.registry.coding.frequency
        if ctx.planned.family in limit.families and (limit.intent in (None, intent or None))
    ]
    if not limits or limits[0].threshold_key not in ctx.thresholds:
        return Judged("met", "no session limit for this family and payer")
    limit = limits[0]
    cap = ctx.thresholds[limit.threshold_key]
    group = region_group(None, ctx.planned.levels)
    start = ctx.date - dt.timedelta(days=ROLLING_DAYS)
    sessions = [
        p
        for p in ctx.timeline.procedures
        if p.family in limit.families
        and start <= p.date < ctx.date
        and (group is None or region_group(p.region, p.levels) in (group, None))
    ]
    count = len({p.date for p in sessions}) + 1
    status: CriterionStatus = "met" if count <= cap else "not_met"
    detail = f"{count} session(s) in 12 months with this one; limit {cap:g}"
    return Judged(status, detail, _unique([p.evidence for p in sessions]))


def trial_success(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """A trial (``trial_family``) whose stated relief reaches the payer threshold."""
    family = str(crit.params.get("trial_family", "scs_trial"))
    threshold = _threshold(ctx, crit.params, 50.0)
    trials = [p for p in ctx.timeline.procedures if p.family == family and p.date <= ctx.date]
    stated = [p for p in trials if p.relief_percent is not None]
    if not stated:
        nothing = "a trial in the notes, relief not stated" if trials else "no trial in the notes"
        return _or_notes(ctx, crit, nothing)
    last = stated[-1]
    ok = (last.relief_percent or 0) >= threshold
    detail = f"{_relief_words(last)}; needs >= {threshold:g}%"
    return Judged("met" if ok else "not_met", detail, _relief_refs([last]))


def at_target(item: Imaging, planned: PlannedProcedure) -> bool:
    """Imaging naming a planned level, and the planned side when it names sides."""
    if planned.levels:
        wanted = {level.upper() for level in planned.levels}
        singles = {lv for lv in wanted if "-" not in lv}
        named = set(item.levels)
        if not (named & wanted or {s for lv in named for s in segments(lv)} & singles):
            return False
    if planned.side and item.sides:
        needed = {"left", "right"} if planned.side == "bilateral" else {planned.side}
        return needed <= set(item.sides)
    return True


def imaging_at_target(ctx: Context, crit: ResolvedCriterion) -> Judged:
    """Imaging concordant with the plan: the planned level, and side when sides are named."""
    studies = [i for i in ctx.timeline.imaging if i.modality or i.levels]
    if not studies:
        return _or_notes(ctx, crit, "no imaging in the notes")
    hits = [i for i in studies if at_target(i, ctx.planned)]
    where = ", ".join([*ctx.planned.levels, ctx.planned.side or ""]).strip(", ")
    if hits:
        return Judged(
            "met", f"imaging at {where or 'the target'}", _unique([i.evidence for i in hits])
        )
    return Judged(
        "not_met", f"imaging does not name {where}", _unique([i.evidence for i in studies])
    )


CHECKS: dict[str, Callable[[Context, ResolvedCriterion], Judged]] = {
    "notes": notes_rule,
    "prior_blocks": prior_blocks,
    "repeat_relief": repeat_relief,
    "frequency": frequency,
    "trial_success": trial_success,
    "imaging_at_target": imaging_at_target,
}


def judge(ctx: Context, crit: ResolvedCriterion) -> CriterionResult:
    """One criterion's result; gaps carry the rule's fix and its query for this procedure."""
    found = CHECKS[crit.criterion.check](ctx, crit)
    gap = found.status != "met"
    query = (
        crit.query.render().replace("{procedure}", ctx.planned.procedure_words.lower())
        if gap
        else None
    )
    return CriterionResult(
        id=crit.id,
        status=found.status,
        message=crit.criterion.message,
        detail=found.detail,
        evidence=list(found.evidence),
        source=crit.source,
        fix=crit.fix if gap else None,
        query=query,
    )
