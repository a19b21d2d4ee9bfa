"""Group FAMILY, LEVEL, LATERALITY, GUIDANCE, CONTRAST ... spans into procedures.

A family counts as *performed* when it is asserted (not planned, hypothetical,
historical or negated) in the note's procedure zone (procedure title and detail
sections, or the untitled preamble of a procedure note), or anywhere in a sentence that
says it was done. Its attributes come from the same zone: first from sentences that name
the family, then from the zone as a whole. Planned families are asserted-but-future
mentions (recommend, schedule, consider, if ... then) and family mentions in plan sections.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.facts import (
    FAMILIES,
    Approach,
    Evidence,
    Family,
    Guidance,
    Laterality,
    Procedure,
    Region,
)
from assistant.reader.levels import canonical_levels, region_of, sort_levels
from assistant.reader.section_groups import BACKGROUND_SECTIONS
from assistant.reader.spans import Target

TITLE_SECTIONS = frozenset({"procedure"})
DETAIL_SECTIONS = frozenset({"procedure_details"})
ZONE_SECTIONS = TITLE_SECTIONS | DETAIL_SECTIONS
PLAN_SECTIONS = frozenset({"observation_and_plan"})
# Sections whose family mentions are never "performed today".
NOT_PERFORMED_SECTIONS = BACKGROUND_SECTIONS | frozenset(
    {
        "imaging",
        "indications",
        "diagnoses",
        "observation_and_plan",
        "consent",
    }
)
SPINAL_FAMILIES = frozenset(
    {
        "esi",
        "facet_mbb",
        "facet_joint_injection",
        "facet_rfa",
        "sympathetic_block",
        "neurolysis_other",
        "vertebral_augmentation",
        "scs_trial",
        "scs_implant",
        "intrathecal_pump",
        "epidural_adhesiolysis",
        "epidural_blood_patch",
        "discography",
    }
)
# Families whose levels are interspaces/joints; a segment inside a named joint is redundant.
JOINT_LEVEL_FAMILIES = frozenset({"esi", "facet_joint_injection", "facet_mbb", "facet_rfa"})
ANESTHESIA_ADJUNCT_FAMILIES = frozenset(
    {"peripheral_nerve_block", "sympathetic_block", "esi", "intrathecal_pump"}
)
SACRAL_FAMILIES = frozenset({"si_joint_injection", "si_rfa"})
OTHER_REGION_FAMILIES = frozenset({"joint_injection", "peripheral_nerve_block", "genicular"})
_PERFORMED_CUE = re.compile(
    r"\b(?:performed|done|injected|administered|placed|gave|given|completed|"
    r"carried\s+out|underwent\s+today|I\s+(?:did|injected|performed)|"
    r"needle\s+was\s+(?:used|inserted|advanced|introduced|placed|directed))\b",
    re.IGNORECASE,
)
_SEGMENT_CUE = re.compile(
    r"^[\s,]*(?:and\s+[CTLS]\d+\s+)?(?:medial\s+branch|dorsal\s+ram|lateral\s+branch|nerve\s+root|"
    r"roots?\b|transverse\s+process|vertebral\s+bod|pedicle|foram|fracture|vertebra)",
    re.IGNORECASE,
)
_ASSERTED = frozenset({"affirmed"})
_FORAMEN_AFTER = re.compile(r"\s+(?:neural\s+|neuro)?foram(?:en|ina)\b", re.IGNORECASE)
_NOT_TODAY = frozenset({"hypothetical", "family", "historical"})
# Technique boilerplate ("For C3 to C6, the medial branch lies ...") names no treated level.
_GENERIC_SENTENCE = re.compile(r"\s*(?:for|if|when|in\s+general)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Context:
    """The note seen by the assembler: its text, targets and procedure zone."""

    text: str
    targets: Sequence[Target]
    has_zone: bool
    title_end: int
    narrative: bool  # no section header at all: the note is one procedure narrative

    def in_zone(self, target: Target) -> bool:
        if target.section in ZONE_SECTIONS or target.end <= self.title_end:
            return True
        return target.section is None and self.has_zone

    def zone(self, label: str) -> list[Target]:
        """Attribute spans of the procedure zone (the whole text of a header-less note)."""
        return [
            t
            for t in self.targets
            if t.label == label and (self.in_zone(t) or (self.narrative and t.section is None))
        ]


def as_family(value: str) -> Family:
    """A rule value as a note-facts/v1 family (rule files are validated against FAMILIES)."""
    if value not in FAMILIES:
        raise ValueError(f"unknown procedure family {value!r} in a target rule")
    return value


def _is_asserted(target: Target) -> bool:
    return target.assertion in _ASSERTED and not target.planned


def _performed_mentions(ctx: _Context) -> list[Target]:
    """Asserted family mentions that document a procedure done in this note."""
    mentions: list[Target] = []
    for target in ctx.targets:
        if target.label != "FAMILY" or not _is_asserted(target):
            continue
        if ctx.in_zone(target):
            mentions.append(target)
            continue
        if target.section in NOT_PERFORMED_SECTIONS:
            continue
        sentence = ctx.text[target.sent_start : target.sent_end]
        if _PERFORMED_CUE.search(sentence):
            mentions.append(target)
    return _drop_nested(mentions)


def _drop_nested(mentions: list[Target]) -> list[Target]:
    """Keep the longest family mention where two overlap ("SI joint RF ablation")."""
    ordered = sorted(mentions, key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[Target] = []
    for target in ordered:
        if kept and target.start < kept[-1].end:
            if target.end - target.start > kept[-1].end - kept[-1].start:
                kept[-1] = target
            continue
        kept.append(target)
    return kept


def _same_sentence(a: Target, b: Target) -> bool:
    return a.sent_start == b.sent_start


def _attribute_targets(
    ctx: _Context, label: str, family_mentions: Sequence[Target], others: Sequence[Target]
) -> list[Target]:
    """Zone targets of ``label`` for one family: its own sentences first, else shared ones."""
    candidates = [t for t in ctx.zone(label) if t.assertion not in _NOT_TODAY]
    own = [t for t in candidates if any(_same_sentence(t, m) for m in family_mentions)]
    if own:
        return own
    claimed = [t for t in candidates if any(_same_sentence(t, m) for m in others)]
    return [t for t in candidates if t not in claimed]


def _levels(ctx: _Context, mentions: Sequence[Target], others: Sequence[Target]) -> list[Target]:
    """Level spans: the foramina the needles entered, else the title's, else the detail's.

    A title's "L4-L5 transforaminal" is less precise than the body's "the left L4 neural
    foramen ... the left L5 neural foramen": where the body names foramina, they win.
    """
    foramina = [
        t
        for t in ctx.zone("LEVEL")
        if t.section in DETAIL_SECTIONS
        and t.assertion not in _NOT_TODAY
        and "-" not in t.text
        and _FORAMEN_AFTER.match(ctx.text, t.end)
    ]
    if foramina:
        return foramina
    level_targets = _attribute_targets(ctx, "LEVEL", mentions, others)
    level_targets = [
        t for t in level_targets if not _GENERIC_SENTENCE.match(ctx.text, t.sent_start, t.sent_end)
    ]
    titled = [t for t in level_targets if t.section in TITLE_SECTIONS or t.section is None]
    return titled or level_targets


def drop_joint_endpoints(levels: Sequence[str]) -> list[str]:
    """Drop single segments already named as the end of a listed joint.

    "Left L3-L4 TFESI (L3 nerve root)" documents the L3-L4 level once, not twice.
    """
    endpoints = {segment for level in levels if "-" in level for segment in level.split("-")}
    return [level for level in levels if "-" in level or level not in endpoints]


def canonical_from_targets(text: str, targets: Iterable[Target]) -> list[str]:
    """Canonical levels of level spans, reading a few words after each for segment cues."""
    found: list[str] = []
    for target in targets:
        after = text[target.end : target.end + 40]
        found.extend(
            canonical_levels(target.text, range_as_segments=bool(_SEGMENT_CUE.match(after)))
        )
    return sort_levels(found)


def decide_laterality(values: Iterable[str]) -> Laterality | None:
    """Bilateral when stated or when both sides are named; else the one side named."""
    seen = set(values)
    if "bilateral" in seen or {"left", "right"} <= seen:
        return "bilateral"
    if "left" in seen:
        return "left"
    if "right" in seen:
        return "right"
    return None


def decide_guidance(targets: Sequence[Target]) -> Guidance | None:
    """Imaging named as used wins; an explicit 'without imaging' gives ``none``."""
    positive = [t.value for t in targets if t.value != "none" and t.assertion != "negated"]
    for modality in ("fluoroscopy", "ct", "ultrasound"):
        if modality in positive:
            return modality
    if any(t.value == "none" or t.assertion == "negated" for t in targets):
        return "none"
    return None


def decide_contrast(targets: Sequence[Target]) -> bool | None:
    """``True`` when contrast was injected, ``False`` when the note says none was used."""
    values = {t.value if t.assertion != "negated" else "false" for t in targets}
    if "true" in values:
        return True
    return False if "false" in values else None


def decide_approach(targets: Sequence[Target]) -> Approach | None:
    """The most explicit ESI approach named: transforaminal, then caudal, then interlaminar."""
    values = {t.value for t in targets}
    for approach in ("transforaminal", "caudal", "interlaminar"):
        if approach in values:
            return approach
    return None


def decide_region(
    family: str,
    levels: Sequence[str],
    approach: str | None,
    region_words: Sequence[str],
    mention_text: str,
) -> Region | None:
    """Region from the family, its levels, the approach, then region words in the zone."""
    if family in SACRAL_FAMILIES or approach == "caudal":
        return "sacral"
    if family in OTHER_REGION_FAMILIES:
        lowered = mention_text.lower()
        return "sacral" if ("sacr" in lowered or "cocc" in lowered) else "other"
    if levels and family in SPINAL_FAMILIES:
        return region_of(levels[0])  # type: ignore[return-value]
    if region_words:
        return Counter(region_words).most_common(1)[0][0]  # type: ignore[return-value]
    if family in SPINAL_FAMILIES:
        return None
    return "other"


def _split_by_region(procedure: Procedure) -> list[Procedure]:
    """Vertebral augmentation at T12 and L1 is two procedures, one per region."""
    if procedure.family != "vertebral_augmentation" or len(procedure.levels) < 2:
        return [procedure]
    by_region: dict[str, list[str]] = {}
    for level in procedure.levels:
        by_region.setdefault(region_of(level), []).append(level)
    if len(by_region) == 1:
        return [procedure]
    return [
        procedure.model_copy(update={"region": region, "levels": levels})
        for region, levels in by_region.items()
    ]


def _planned(ctx: _Context, performed: set[str]) -> tuple[list[Family], list[Evidence]]:
    """Families the note recommends, schedules or conditionally plans."""
    families: list[Family] = []
    evidence: list[Evidence] = []
    for target in ctx.targets:
        if target.label != "FAMILY" or target.assertion in {"negated", "family", "historical"}:
            continue
        future = target.planned or target.assertion == "hypothetical"
        in_plan = target.section in PLAN_SECTIONS
        if not (future or in_plan):
            continue
        if target.value in performed and (ctx.in_zone(target) or target.section == "consent"):
            continue  # consent and technique text about today's procedure
        if target.value not in families:
            families.append(as_family(target.value))
        evidence.append(target.evidence("planned_procedures"))
    return families, evidence


@dataclass(frozen=True)
class AssembledProcedures:
    """Performed procedures, planned families, their evidence, and where they were found."""

    procedures: list[Procedure]
    planned: list[Family]
    evidence: list[Evidence]
    in_zone: bool  # a performed procedure is named in the title or procedure sections


def _title_end(text: str) -> int:
    """End of a leading title line ("BILATERAL SACROILIAC JOINT INJECTIONS"), else 0."""
    first = text.lstrip("\ufeff \t\r\n")
    offset = len(text) - len(first)
    line = first.split("\n", 1)[0]
    letters = [c for c in line if c.isalpha()]
    if letters and len(line) <= 120 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return offset + len(line)
    return 0


def _drop_anesthesia_adjuncts(ctx: _Context, mentions: list[Target]) -> list[Target]:
    """Nerve blocks in an operative note for a surgery are anesthesia, not pain procedures."""
    surgery = any(
        t.label == "SURGERY" and t.section in TITLE_SECTIONS and t.assertion == "affirmed"
        for t in ctx.targets
    )
    if not surgery:
        return mentions
    return [m for m in mentions if m.value not in ANESTHESIA_ADJUNCT_FAMILIES]


def _supersede(mentions: list[Target]) -> list[Target]:
    """Drop a block whose family the same note also ablates (the RF includes the block)."""
    families = {m.value for m in mentions}
    if "neurolysis_other" in families:
        return [m for m in mentions if m.value != "sympathetic_block"]
    return mentions


def assemble_procedures(text: str, targets: Sequence[Target]) -> AssembledProcedures:
    """Performed procedures, planned families and the evidence for both."""
    has_zone = any(t.section in ZONE_SECTIONS for t in targets)
    narrative = all(t.section is None for t in targets)
    ctx = _Context(text, targets, has_zone, _title_end(text), narrative)
    mentions = _supersede(_drop_anesthesia_adjuncts(ctx, _performed_mentions(ctx)))
    by_family: dict[str, list[Target]] = {}
    for mention in mentions:
        by_family.setdefault(mention.value, []).append(mention)

    procedures: list[Procedure] = []
    evidence: list[Evidence] = []
    for family, own in by_family.items():
        others = [m for m in mentions if m.value != family]
        level_targets = _levels(ctx, own, others)
        levels = canonical_from_targets(text, level_targets)
        if family in JOINT_LEVEL_FAMILIES:
            levels = drop_joint_endpoints(levels)
        side_targets = _attribute_targets(ctx, "LATERALITY", own, others)
        guidance_targets = _attribute_targets(ctx, "GUIDANCE", own, others)
        contrast_targets = _attribute_targets(ctx, "CONTRAST", own, others)
        approach_targets = (
            _attribute_targets(ctx, "APPROACH", own, others) if family == "esi" else []
        )
        region_targets = _attribute_targets(ctx, "REGION", own, others)
        approach = decide_approach(approach_targets)
        procedure = Procedure(
            family=as_family(family),
            approach=approach,
            region=decide_region(
                family, levels, approach, [t.value for t in region_targets], own[0].text
            ),
            levels=levels,
            laterality=decide_laterality(t.value for t in side_targets if t.assertion != "negated"),
            guidance=decide_guidance(guidance_targets),
            contrast=decide_contrast(contrast_targets),
        )
        for split in _split_by_region(procedure):
            index = len(procedures)
            procedures.append(split)
            path = f"procedures[{index}]"
            evidence.extend(m.evidence(f"{path}.family") for m in own)
            evidence.extend(t.evidence(f"{path}.levels") for t in level_targets)
            evidence.extend(t.evidence(f"{path}.laterality") for t in side_targets)
            evidence.extend(t.evidence(f"{path}.guidance") for t in guidance_targets)
            evidence.extend(t.evidence(f"{path}.contrast") for t in contrast_targets)
            evidence.extend(t.evidence(f"{path}.approach") for t in approach_targets)
    planned, planned_evidence = _planned(ctx, set(by_family))
    in_zone = any(ctx.in_zone(m) for m in mentions)
    return AssembledProcedures(procedures, planned, evidence + planned_evidence, in_zone)
