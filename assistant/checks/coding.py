"""Claim-line coding checks: small pure functions over the note's facts and the claim.

Each function is named by a :class:`~assistant.checks.claims.CodingRule` (``check``) and
returns :class:`ClaimHit` records; the engine turns hits into findings with the rule's
severity, fix, query and source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.checks.claims import (
    BILATERAL_MEANING,
    BYPASS_MODIFIERS,
    Claim,
    ClaimLine,
    CodeInfo,
    CodingTable,
    DrugInfo,
    HistoryEntry,
    MueLimit,
    ProcedureHistory,
    PtpPair,
)
from assistant.checks.detectors import Detections, Span, sentence_bounds
from assistant.checks.doses import Measure, find_doses, units_for
from assistant.checks.measures import WORD_NUMBERS
from assistant.checks.measures import sides as sides_named
from assistant.checks.predicates import CheckContext, prior_relief_at_least, reader_spans
from assistant.checks.schema import Intent
from assistant.facts import NoteFacts, Procedure, Region

_SEGMENT = re.compile(r"^[CTLS]\d{1,2}$")
ROLLING_DAYS = 365


@dataclass(frozen=True)
class ClaimHit:
    """One problem a claim check found: what is wrong, on which line, and where in the note."""

    detail: str
    line: int | None = None
    spans: tuple[Span, ...] = ()


@dataclass
class ClaimContext:
    """Inputs to claim checks (claim and history are optional)."""

    text: str
    facts: NoteFacts
    table: CodingTable
    detections: Detections
    thresholds: dict[str, float]
    intent: Intent | None
    claim: Claim | None = None
    history: ProcedureHistory | None = None

    def code(self, cpt: str) -> CodeInfo | None:
        return self.table.codes.get(cpt)


def region_group(region: Region | None, levels: list[str] | None = None) -> str | None:
    """Cervicothoracic vs lumbosacral (the unit for one-region and frequency rules)."""
    if levels and any(level.startswith("T12") or level.startswith("L") for level in levels):
        if region in ("thoracic", "lumbar", None):
            return "lumbosacral" if any(lv.startswith("L") for lv in levels) else "cervicothoracic"
    if region in ("cervical", "thoracic"):
        return "cervicothoracic"
    if region in ("lumbar", "sacral"):
        return "lumbosacral"
    return None


def count_levels(levels: list[str], counting: str) -> int:
    """Documented levels: joints for facet work (medial branches L3,L4,L5 = 2 joints)."""
    if not levels:
        return 0
    if counting == "joint":
        segments = [lv for lv in levels if _SEGMENT.match(lv)]
        joints = [lv for lv in levels if not _SEGMENT.match(lv)]
        nerve_joints = max(len(segments) - 1, 1) if segments else 0
        return (
            max(len(joints), nerve_joints) if joints and segments else len(joints) or nerve_joints
        )
    if counting == "level":
        return len(set(levels))
    return 1


def _family_spans(ctx: ClaimContext, index: int, field: str = "family") -> tuple[Span, ...]:
    return tuple(reader_spans(ctx.facts, f"procedures[{index}].{field}"))


def _matching(ctx: ClaimContext, info: CodeInfo) -> list[tuple[int, Procedure]]:
    return [
        (i, proc)
        for i, proc in enumerate(ctx.facts.procedures)
        if proc.family in info.families
        and (not info.approaches or proc.approach is None or proc.approach in info.approaches)
    ]


def _lines(ctx: ClaimContext) -> list[tuple[int, ClaimLine, CodeInfo]]:
    if ctx.claim is None:
        return []
    out = []
    for i, line in enumerate(ctx.claim.lines):
        info = ctx.code(line.cpt)
        if info is not None:
            out.append((i, line, info))
    return out


def code_documented(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A procedure code whose family the note does not document as performed."""
    del params
    hits = []
    for i, line, info in _lines(ctx):
        if info.role in ("imaging",) or not info.families:
            continue
        if not _matching(ctx, info):
            hits.append(ClaimHit(f"{line.cpt} ({info.description}) is not documented", i))
    return hits


def _side(line: ClaimLine) -> str | None:
    """``RT`` or ``LT`` when a line carries exactly one of them, else ``None``."""
    sides = {"RT", "LT"} & set(line.modifiers)
    return next(iter(sides)) if len(sides) == 1 else None


def billed_levels(lines: list[tuple[ClaimLine, CodeInfo]]) -> int:
    """Levels a group of primary/add-on lines bills; an RT and an LT line are one level.

    A primary line covers its code's ``levels_per_primary`` (one, or the first two vertebral
    bodies of 64628); an add-on line, or a code reported once per level (62290 "each level"),
    one level per unit. When the sides are
    billed on separate lines (an ASC claim, or a payer that wants RT and LT lines), each
    side's lines bill the same levels, so the larger side counts, plus lines with no side.
    """
    return _one_side_counted(
        (line, info.levels_per_primary if info.role == "primary" else line.units)
        for line, info in lines
    )


def _one_side_counted(counted: Iterable[tuple[ClaimLine, int]]) -> int:
    """A count over lines where RT and LT lines are two halves of one bilateral service.

    The larger side counts, plus the lines with no single side.
    """
    per_side: dict[str | None, int] = {}
    for line, count in counted:
        side = _side(line)
        per_side[side] = per_side.get(side, 0) + count
    return max(per_side.get("RT", 0), per_side.get("LT", 0)) + per_side.get(None, 0)


def units_vs_levels(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Primary + add-on units against the levels/joints the note documents.

    ``params.direction`` ``over`` (the default): units beyond the documented levels.
    ``under``: a primary billed alone although the note documents more levels than it
    covers and the code has an add-on for them (a documented level left unbilled).
    """
    under = params.get("direction") == "under"
    groups: dict[tuple[str, str], list[tuple[int, ClaimLine, CodeInfo]]] = {}
    for i, line, info in _lines(ctx):
        if info.level_counting in ("level", "joint") and info.role in (
            "primary",
            "addon",
            "per_level",
        ):
            key = (info.families[0], info.region_group or "other")
            groups.setdefault(key, []).append((i, line, info))
    hits = []
    for lines in groups.values():
        billed = billed_levels([(line, info) for _, line, info in lines])
        info = lines[0][2]
        matches = _matching(ctx, info)
        documented = max(
            (count_levels(proc.levels, info.level_counting) for _, proc in matches), default=0
        )
        spans = tuple(s for idx, _ in matches for s in _family_spans(ctx, idx, "levels"))
        codes = ", ".join(line.cpt for _, line, _ in lines)
        if under:
            primaries = [line.cpt for _, line, code in lines if code.role == "primary"]
            addons = next((a for a in map(ctx.table.addons_of, primaries) if a), [])
            alone = len(primaries) == len(lines)
            if matches and alone and addons and documented > billed:
                hits.append(
                    ClaimHit(
                        f"{codes} bill {billed} level(s); the note documents {documented} "
                        f"(add-on {', '.join(addons)} not billed)",
                        lines[0][0],
                        spans,
                    )
                )
        elif matches and billed > max(documented, 1):
            hits.append(
                ClaimHit(
                    f"{codes} bill {billed} level(s); the note documents {documented}",
                    lines[-1][0],
                    spans,
                )
            )
    return hits


def level_limits(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """More levels per session than the policy allows (TF 2, IL/caudal 1, facet 2)."""
    limits = {str(k): int(str(v)) for k, v in params.get("max_levels", {}).items()}  # type: ignore[attr-defined]
    hits = []
    for i, proc in enumerate(ctx.facts.procedures):
        key = f"{proc.family}:{proc.approach}" if proc.approach else proc.family
        limit = limits.get(key, limits.get(proc.family))
        counting = "joint" if proc.family.startswith("facet") else "level"
        if limit is not None and count_levels(proc.levels, counting) > limit:
            hits.append(
                ClaimHit(
                    f"{key} documents {count_levels(proc.levels, counting)} levels; limit {limit}",
                    None,
                    _family_spans(ctx, i, "levels"),
                )
            )
    for i, line, info in _lines(ctx):
        if info.role == "primary" and line.units > 1 and info.level_counting != "none":
            hits.append(ClaimHit(f"{line.cpt} is one level per session; {line.units} units", i))
    return hits


def one_region(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Spinal injection codes from both the cervicothoracic and lumbosacral regions."""
    del params
    groups = {
        info.region_group
        for _, _, info in _lines(ctx)
        if info.region_group in ("cervicothoracic", "lumbosacral") and info.role != "imaging"
    }
    if len(groups) > 1:
        return [ClaimHit("codes from more than one spinal region on one date of service")]
    return []


def _laterality_for(ctx: ClaimContext, info: CodeInfo) -> tuple[str | None, tuple[Span, ...]]:
    for i, proc in _matching(ctx, info):
        if proc.laterality is not None:
            return proc.laterality, _family_spans(ctx, i, "laterality")
    return None, ()


def bilateral_modifier(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Modifier 50 on a code whose MPFS bilateral indicator refuses it, or on one side only.

    ``params.allows_50`` lists the indicators that take modifier 50 (1, and 3 for the
    services paid per side); a code with no recorded indicator is not judged here (every
    procedure code of the table has one).
    """
    allows = {int(str(value)) for value in _strings(params, "allows_50", ("1", "3"))}
    hits = []
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        if "50" not in line.modifiers:
            continue
        indicator = ctx.table.bilateral.get(line.cpt)
        if indicator is not None and indicator.indicator not in allows:
            meaning = BILATERAL_MEANING[indicator.indicator]
            hits.append(
                ClaimHit(
                    f"{line.cpt}-50: bilateral surgery indicator {indicator.indicator} "
                    f"({meaning}) [basis: {indicator.basis}]",
                    i,
                )
            )
            continue
        info = ctx.code(line.cpt)
        if info is None:
            continue
        side, spans = _laterality_for(ctx, info)
        if side is not None and side != "bilateral":
            hits.append(ClaimHit(f"{line.cpt}-50 billed; the note documents {side} only", i, spans))
    return hits


def side_modifier(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """RT/LT that contradicts the documented side."""
    del params
    wanted = {"RT": "right", "LT": "left"}
    hits = []
    for i, line, info in _lines(ctx):
        side, spans = _laterality_for(ctx, info)
        for modifier, meaning in wanted.items():
            if modifier in line.modifiers and side not in (None, meaning, "bilateral"):
                hits.append(ClaimHit(f"{line.cpt}-{modifier}; the note documents {side}", i, spans))
    return hits


def _line_intent(ctx: ClaimContext, info: CodeInfo) -> Intent | None:
    if ctx.intent is not None:
        return ctx.intent
    if any(proc.family == "facet_mbb" for _, proc in _matching(ctx, info)):
        return "diagnostic"
    return None


def kx_diagnostic(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Diagnostic facet/SI lines need KX (otherwise they count as therapeutic)."""
    codes = set(params.get("codes", []))  # type: ignore[call-overload]
    hits = []
    for i, line, info in _lines(ctx):
        if (
            line.cpt in codes
            and "KX" not in line.modifiers
            and _line_intent(ctx, info) == "diagnostic"
        ):
            spans = tuple(ctx.detections.hits("diagnostic_intent"))
            hits.append(ClaimHit(f"{line.cpt} is a diagnostic block without KX", i, spans))
    return hits


LinePair = tuple[int, ClaimLine, int, ClaimLine, PtpPair]


def _ptp_lines(ctx: ClaimContext, roles: Collection[str]) -> list[LinePair]:
    """Claim line pairs an NCCI PTP edit covers (column-1 line, column-2 line, edit).

    ``roles`` narrows the column-2 codes by their role in the table (``imaging`` for the
    guidance edits; codes missing from the table count as ``single``).
    """
    if ctx.claim is None:
        return []
    lines = list(enumerate(ctx.claim.lines))
    out: list[LinePair] = []
    for first, second, pair in ctx.table.ptp_edits():
        info = ctx.code(second)
        if (info.role if info else "single") not in roles:
            continue
        for i, line1 in lines:
            for j, line2 in lines:
                if line1.cpt == first and line2.cpt == second and i != j:
                    out.append((i, line1, j, line2, pair))
    return out


def _bypass(line1: ClaimLine, line2: ClaimLine, allowed: Collection[str]) -> str | None:
    """The modifier that bypasses the edit: 59/X{EPSU} on column 2, or opposite RT/LT."""
    found = next((m for m in line2.modifiers if m in allowed), None)
    if found is not None:
        return found
    one, two = _side(line1), _side(line2)
    return two if one is not None and two is not None and one != two else None


def _strings(params: dict[str, object], key: str, default: Collection[str]) -> list[str]:
    value = params.get(key)
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else list(default)


def _allowed(params: dict[str, object]) -> list[str]:
    return _strings(params, "bypass_modifiers", BYPASS_MODIFIERS)


def ptp_edits(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A column-2 code billed with its column-1 code, without a modifier that may bypass it.

    Indicator 0 pairs are flagged whatever the modifiers; indicator 1 pairs unless the
    column-2 line carries 59/XE/XP/XS/XU (or the two lines carry opposite RT/LT).
    ``params.column2_roles`` picks the edits (imaging guidance vs procedure pairs).
    """
    roles = _strings(params, "column2_roles", ("primary", "addon", "per_level", "single"))
    allowed = _allowed(params)
    hits: list[ClaimHit] = []
    for _, line1, j, line2, pair in _ptp_lines(ctx, roles):
        if any(hit.line == j for hit in hits) or (
            pair.modifier_indicator == 1 and _bypass(line1, line2, allowed)
        ):
            continue
        detail = f"{line2.cpt} billed with {line1.cpt} ({pair.why})"
        if pair.modifier_indicator == 0:
            detail += "; modifier indicator 0: no modifier bypasses this edit"
        elif any(m in allowed for m in line1.modifiers):
            detail += f"; the bypass modifier belongs on the column-2 code {line2.cpt}"
        else:
            detail += "; no 59/XS/XU/XE/XP modifier on the column-2 code"
        hits.append(ClaimHit(f"{detail} [edit basis: {pair.basis}]", j))
    return hits


def _level_groups(proc: Procedure) -> set[str]:
    """The region groups a procedure's levels touch (its region when no level is read)."""
    groups = {
        "cervicothoracic" if level[0] in "CT" else "lumbosacral"
        for level in proc.levels
        if level[:1] in ("C", "T", "L", "S")
    }
    if not groups:
        group = region_group(proc.region)
        groups = {group} if group else set()
    return groups


def _separate_sites(first: Procedure, second: Procedure) -> bool:
    """Two documented procedures at different regions, opposite sides or disjoint levels."""
    one, two = _level_groups(first), _level_groups(second)
    if one and two and not one & two:
        return True
    sides = {first.laterality, second.laterality}
    if sides == {"left", "right"}:
        return True
    return bool(first.levels and second.levels and not set(first.levels) & set(second.levels))


def _two_sites(proc: Procedure) -> bool:
    """One documented procedure (both codes' family) done on both sides or in two regions."""
    return proc.laterality == "bilateral" or len(_level_groups(proc)) > 1


def _of_families(ctx: ClaimContext, info: CodeInfo) -> list[tuple[int, Procedure]]:
    return [(i, p) for i, p in enumerate(ctx.facts.procedures) if p.family in info.families]


def _sites_documented(ctx: ClaimContext, code1: str, code2: str) -> tuple[bool, tuple[Span, ...]]:
    info1, info2 = ctx.code(code1), ctx.code(code2)
    if info1 is None or info2 is None:
        return False, ()
    # by family only: the reader may merge an interlaminar and a transforaminal epidural
    # into one procedure with both levels
    firsts, seconds = _of_families(ctx, info1), _of_families(ctx, info2)
    spans = tuple(
        s
        for i, _ in [*firsts, *seconds]
        for field in ("levels", "laterality", "region")
        for s in _family_spans(ctx, i, field)
    )
    for i, first in firsts:
        for j, second in seconds:
            if (i != j and _separate_sites(first, second)) or (i == j and _two_sites(first)):
                return True, spans
    return False, spans


def ptp_bypass_support(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A PTP edit bypassed with 59/XP/XS/XU (or RT/LT) the note does not back.

    A procedure pair needs two sites in the note's facts (regions, sides or levels); an
    imaging code needs another procedure on the claim whose code does not include guidance.
    XE (separate encounter) is not judged: the facts carry no encounter times.
    """
    allowed = _allowed(params)
    hits: list[ClaimHit] = []
    roles = ("primary", "addon", "per_level", "single", "imaging")
    for _, line1, j, line2, pair in _ptp_lines(ctx, roles):
        modifier = _bypass(line1, line2, allowed)
        if (
            any(hit.line == j for hit in hits)
            or pair.modifier_indicator != 1
            or modifier is None
            or modifier == "XE"
        ):
            continue
        info2 = ctx.code(line2.cpt)
        if info2 is not None and info2.role == "imaging":
            if any(
                not info.includes_guidance and info.role != "imaging" for _, _, info in _lines(ctx)
            ):
                continue
            hits.append(
                ClaimHit(
                    f"{line2.cpt}-{modifier}: no other procedure on the claim needed separate "
                    f"guidance ({line1.cpt} includes it)",
                    j,
                )
            )
            continue
        ok, spans = _sites_documented(ctx, line1.cpt, line2.cpt)
        if not ok:
            hits.append(
                ClaimHit(
                    f"{line2.cpt}-{modifier} with {line1.cpt}: the note does not document a "
                    "separate region, side or level for the two services",
                    j,
                    spans,
                )
            )
    return hits


def _dos_units(lines: list[ClaimLine]) -> int:
    """Units of one code on a date of service; an RT line and an LT line count as one side.

    A bilateral service billed as an RT line and an LT line is one bilateral unit (as with
    modifier 50), so the larger side counts, plus lines with no side.
    """
    return _one_side_counted((line, line.units) for line in lines)


def mue_limits(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Units of a code above its MUE: per line (indicator 1) or per date of service.

    Per date of service, lines of the same code split with 59, 76, 77 or X{EPSU} add up.
    """
    del params
    by_code: dict[str, list[tuple[int, ClaimLine]]] = {}
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        by_code.setdefault(line.cpt, []).append((i, line))
    hits: list[ClaimHit] = []
    for code, entries in by_code.items():
        limit: MueLimit | None = ctx.table.mue.get(code)
        if limit is None:
            continue
        marker = f"MUE {limit.units}, basis: {limit.basis}"
        if limit.adjudication == 1:
            hits.extend(
                ClaimHit(f"{code} x{line.units} on one line; {marker}", i)
                for i, line in entries
                if line.units > limit.units
            )
            continue
        units = _dos_units([line for _, line in entries])
        if units > limit.units:
            where = f" over {len(entries)} lines" if len(entries) > 1 else ""
            hits.append(
                ClaimHit(
                    f"{code}: {units} units on the date of service{where}; {marker}", entries[-1][0]
                )
            )
    return hits


def _same_sentence(text: str, one: Span, two: Span) -> bool:
    return sentence_bounds(text, one.start, one.end) == sentence_bounds(text, two.start, two.end)


def _ultrasound_recorded(ctx: ClaimContext, info: CodeInfo) -> tuple[bool, tuple[Span, ...]]:
    """Whether the note documents ``info``'s procedure under ultrasound with a recorded image.

    The procedure itself (its family) must be ultrasound-guided. The recorded image must sit
    in a sentence about that procedure, unless no other procedure of the note was guided by
    ultrasound (then the note's one statement of a recorded image can only be about it).
    """
    guided = [i for i, p in enumerate(ctx.facts.procedures) if p.guidance == "ultrasound"]
    own = [i for i, _ in _matching(ctx, info) if i in guided]
    if not own:
        return False, ()
    own_spans = tuple(
        s for i in own for field in ("family", "guidance") for s in _family_spans(ctx, i, field)
    )
    recorded = [
        *ctx.detections.for_element("ultrasound_image_recorded"),
        *ctx.detections.for_element("images_saved"),
        *reader_spans(ctx.facts, "elements.images_saved"),
    ]
    if set(guided) != set(own):
        recorded = [r for r in recorded if any(_same_sentence(ctx.text, r, s) for s in own_spans)]
    ok = bool(recorded) or (ctx.facts.elements.images_saved and set(guided) == set(own))
    return ok, own_spans + tuple(recorded)


def ultrasound_joint(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A joint code with ultrasound guidance (20604/20606/20611) without it documented.

    The code needs the joint injection itself guided by ultrasound, with the image
    permanently recorded (the code's ``ultrasound_variant`` names it).
    """
    del params
    with_us = {code for info in ctx.table.codes.values() if (code := info.ultrasound_variant)}
    hits = []
    for i, line, info in _lines(ctx):
        if line.cpt not in with_us:
            continue
        ok, spans = _ultrasound_recorded(ctx, info)
        if not ok:
            hits.append(
                ClaimHit(
                    f"{line.cpt} billed; ultrasound guidance of this injection with a recorded "
                    "image is not documented",
                    i,
                    spans,
                )
            )
    return hits


def joint_undercoded(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A joint code without guidance although ultrasound with a recorded image is documented."""
    del params
    hits = []
    for i, line, info in _lines(ctx):
        if info.ultrasound_variant is None:
            continue
        ok, spans = _ultrasound_recorded(ctx, info)
        if ok:
            hits.append(
                ClaimHit(
                    f"{line.cpt} billed; the note documents ultrasound guidance of this injection "
                    f"with a recorded image, which supports {info.ultrasound_variant}",
                    i,
                    spans,
                )
            )
    return hits


# Detectors the claim checks read (the registry refuses a detector file without them).
MUSCLE_DETECTOR = "muscle_named"
MUSCLE_COUNT_DETECTOR = "muscle_count_stated"
SEDATION_TIME_DETECTOR = "sedation_time_stated"
SEDATION_DETECTOR = "moderate_sedation_given"
ANESTHESIA_CARE_DETECTOR = "anesthesia_care_given"
WASTAGE_DETECTOR = "drug_wastage_statement"
NOT_GIVEN_DETECTOR = "drug_not_given_today"
CODING_DETECTORS = (
    MUSCLE_DETECTOR,
    MUSCLE_COUNT_DETECTOR,
    SEDATION_TIME_DETECTOR,
    SEDATION_DETECTOR,
    ANESTHESIA_CARE_DETECTOR,
    WASTAGE_DETECTOR,
    NOT_GIVEN_DETECTOR,
)
_INJECTED = re.compile(r"\binject", re.IGNORECASE)
_QUALIFIER = re.compile(r"^(upper|middle|lower) |( muscles?| musculature)$")
_TRAILING_BOTH = re.compile(r"[ ,]{0,3}(bilaterally|on both sides)\b", re.IGNORECASE)


def _muscle_name(text: str) -> str:
    """One name per muscle: no upper/middle/lower or "muscles", singular."""
    name = _QUALIFIER.sub("", text.lower()).strip()
    return name[:-1] if name.endswith("s") and not name.endswith(("us", "is", "ps")) else name


def _injection_sentences(text: str, facts: NoteFacts) -> list[tuple[int, int]]:
    """Sentences that describe the trigger point injections done.

    The sentences holding the reader's evidence for a trigger point procedure (its name,
    side, site) and, when there is one, every sentence saying something was injected.
    """
    bounds = {
        sentence_bounds(text, span.start, span.end)
        for i, proc in enumerate(facts.procedures)
        if proc.family == "trigger_point"
        for span in reader_spans(facts, f"procedures[{i}].")
    }
    if bounds:
        bounds |= {sentence_bounds(text, m.start(), m.end()) for m in _INJECTED.finditer(text)}
    return sorted(bounds)


def _stated_count(span: Span) -> int | None:
    value = (span.value or "").lower()
    return int(value) if value.isdigit() else WORD_NUMBERS.get(value)


def _muscle_sides(text: str, named: list[Span]) -> dict[str, set[str]]:
    """Each named muscle with the sides the text gives it.

    A side word before a muscle carries over to the muscles listed after it in the same
    sentence ("right trapezius and levator scapulae"); "bilaterally" right after a muscle
    gives it both sides.
    """
    sides: dict[str, set[str]] = {}
    sentence: tuple[int, int] | None = None
    carried: set[str] = set()
    gap_start = 0
    for span in named:
        bounds = sentence_bounds(text, span.start, span.end)
        if bounds != sentence:
            sentence, carried, gap_start = bounds, set(), bounds[0]
        carried = sides_named(text[gap_start : span.start]) or carried
        found = {"left", "right"} if _TRAILING_BOTH.match(text, span.end) else carried
        sides.setdefault(_muscle_name(span.value or span.text), set()).update(found)
        gap_start = span.end
    return sides


def muscles_injected(
    text: str, facts: NoteFacts, detections: Detections
) -> tuple[int | None, tuple[Span, ...]]:
    """How many muscles the trigger point injections went into, and the spans that say so.

    Only the sentences about the injections count (not the exam's list of tender muscles).
    A count the note states ("(3 muscles)") wins; else each muscle named counts once per
    side (the left and right trapezius are two muscles). ``None`` when those sentences name
    no muscle: the note does not document the count.
    """
    sentences = _injection_sentences(text, facts)

    def inside(span: Span) -> bool:
        return any(left <= span.start and span.end <= right for left, right in sentences)

    stated = [s for s in detections.hits(MUSCLE_COUNT_DETECTOR) if inside(s)]
    counts = [count for s in stated if (count := _stated_count(s)) is not None]
    if counts:
        return max(counts), tuple(stated)
    named = [s for s in detections.hits(MUSCLE_DETECTOR) if inside(s)]
    sides = _muscle_sides(text, named)
    if not sides:
        return None, ()
    return sum(max(1, len(found)) for found in sides.values()), tuple(named)


def trigger_point_muscles(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """20552 vs 20553 against the muscles the note says were injected.

    ``params.direction`` picks the finding: ``over`` for a code above the documented count
    (20553 with one or two muscles), ``under`` for one below it (20552 with three or more).
    A note that does not say which muscles were injected raises neither.
    """
    over = params.get("direction", "over") == "over"
    lines = [(i, line) for i, line, _ in _lines(ctx) if line.cpt in ("20552", "20553")]
    if not lines:
        return []
    count, spans = muscles_injected(ctx.text, ctx.facts, ctx.detections)
    if count is None:
        return []
    hits = []
    for i, line in lines:
        if over and line.cpt == "20553" and count < 3:
            detail = f"20553 (3 or more muscles) billed; the note documents {count} muscle(s)"
        elif not over and line.cpt == "20552" and count >= 3:
            detail = f"20552 (1 or 2 muscles) billed; the note documents {count} muscles (20553)"
        else:
            continue
        hits.append(ClaimHit(detail, i, spans))
    return hits


def dx_covered(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """No diagnosis on a line is on the list of the code's family (``params.families`` only).

    Codes that are not billable as coded are left to ``dx_invalid`` (a parent code is not
    "outside the list"; it is not specific enough).
    """
    families = set(_strings(params, "families", ()))
    hits = []
    for i, line, info in _lines(ctx):
        family = next((f for f in info.families if f in ctx.table.covered_dx), None)
        if family is None or family not in families or not line.icd10:
            continue
        billable = [code for code in line.icd10 if ctx.table.dx_problem(code) is None]
        dx_list = ctx.table.covered_dx[family]
        if billable and not any(dx_list.covers(code) for code in billable):
            hits.append(
                ClaimHit(
                    f"{line.cpt}: {', '.join(billable)} not in the {family} list "
                    f"[list basis: {dx_list.basis}]",
                    i,
                )
            )
    return hits


def dx_invalid(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Deleted, non-billable parent or incomplete (no 7th character) diagnosis codes."""
    del params
    if ctx.claim is None:
        return []
    hits = []
    for i, line in enumerate(ctx.claim.lines):
        for code in line.icd10:
            reason = ctx.table.dx_problem(code)
            if reason is not None:
                hits.append(ClaimHit(f"{code}: {reason}", i))
    return hits


_MODIFIER_SIDE = {"RT": "right", "LT": "left"}


def _line_side(ctx: ClaimContext, line: ClaimLine) -> tuple[str | None, tuple[Span, ...]]:
    """The side a line bills: 50 or RT+LT both sides, RT/LT one, else the documented side."""
    if "50" in line.modifiers or {"RT", "LT"} <= set(line.modifiers):
        return "bilateral", ()
    side = _side(line)
    if side is not None:
        return _MODIFIER_SIDE[side], ()
    info = ctx.code(line.cpt)
    return _laterality_for(ctx, info) if info is not None else (None, ())


def dx_side_match(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A diagnosis whose side (ICD-10-CM laterality) differs from the side the line treats.

    Only codes that name a side are compared; a bilateral code fits either side, and a
    bilateral service needs a bilateral code or codes for both sides.
    """
    del params
    hits = []
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        sided = {code: side for code in line.icd10 if (side := ctx.table.dx_side(code))}
        treated, spans = _line_side(ctx, line)
        if not sided or treated is None:
            continue
        sides = set(sided.values())
        if treated == "bilateral":
            fits = "bilateral" in sides or {"left", "right"} <= sides
        else:
            fits = bool({treated, "bilateral"} & sides)
        if not fits:
            codes = ", ".join(f"{code} ({side})" for code, side in sided.items())
            hits.append(ClaimHit(f"{line.cpt} treats {treated}; diagnosis {codes}", i, spans))
    return hits


def dx_missing(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A procedure line with no diagnosis code linked."""
    del params
    return [
        ClaimHit(f"{line.cpt} has no diagnosis code", i)
        for i, line, info in _lines(ctx)
        if not line.icd10 and info.role != "imaging"
    ]


def addon_without_primary(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """An add-on code billed without its primary code on the same claim."""
    del params
    billed = {line.cpt for _, line, _ in _lines(ctx)}
    return [
        ClaimHit(f"add-on {line.cpt} without {' or '.join(info.primary)}", i)
        for i, line, info in _lines(ctx)
        if info.role == "addon" and info.primary and not billed & set(info.primary)
    ]


def noncovered_code(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Codes this payer profile lists as non-covered (``params.noncovered`` from the payer).

    A line with GA (ABN on file) or GZ (expected denial, no ABN) already bills the service
    as expected to be denied, which is this rule's fix; whether that modifier fits the note
    is CLM-033's question.
    """
    noncovered: dict[str, str] = params.get("noncovered", {})  # type: ignore[assignment]
    if ctx.claim is None:
        return []
    return [
        ClaimHit(f"{line.cpt}: {noncovered[line.cpt]}", i)
        for i, line in enumerate(ctx.claim.lines)
        if line.cpt in noncovered and not {"GA", "GZ"} & set(line.modifiers)
    ]


def _session_buckets(ctx: ClaimContext) -> list[tuple[str, str, int | None]]:
    """(bucket, region group, procedure index) for what this note's session counts toward."""
    out: list[tuple[str, str, int | None]] = []
    for i, proc in enumerate(ctx.facts.procedures):
        group = region_group(proc.region, proc.levels)
        for limit in ctx.table.frequency:
            if proc.family not in limit.families:
                continue
            intent = ctx.intent or ("diagnostic" if proc.family == "facet_mbb" else None)
            if limit.intent is not None and limit.intent != intent:
                continue
            out.append((limit.bucket, group or "any", i))
    return out


def _entry_bucket(ctx: ClaimContext, family: str | None, intent: str | None) -> list[str]:
    return [
        limit.bucket
        for limit in ctx.table.frequency
        if family in limit.families and (limit.intent is None or limit.intent == intent)
    ]


def _date_of_service(ctx: ClaimContext) -> dt.date:
    return (ctx.claim.date_of_service if ctx.claim else None) or dt.date.today()


def frequency(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Sessions in a rolling 12 months (this one included) above the payer's cap."""
    del params
    if ctx.history is None:
        return []
    dos = _date_of_service(ctx)
    start = dos - dt.timedelta(days=ROLLING_DAYS)
    hits = []
    seen: set[tuple[str, str]] = set()
    for bucket, group, index in _session_buckets(ctx):
        if (bucket, group) in seen:
            continue
        seen.add((bucket, group))
        limit = next(lim for lim in ctx.table.frequency if lim.bucket == bucket)
        cap = ctx.thresholds.get(limit.threshold_key)
        if cap is None:
            continue
        dates = {dos}
        for entry in ctx.history.procedures:
            family = entry.family or _family_of_cpt(ctx, entry.cpt)
            entry_group = region_group(entry.region) or _group_of_cpt(ctx, entry.cpt) or "any"
            if bucket not in _entry_bucket(ctx, family, entry.intent or _default_intent(family)):
                continue
            if group != "any" and entry_group not in (group, "any"):
                continue
            if start <= entry.date_of_service < dos:
                dates.add(entry.date_of_service)
        if len(dates) > cap:
            spans = _family_spans(ctx, index) if index is not None else ()
            hits.append(
                ClaimHit(
                    f"{len(dates)} {bucket} sessions ({group}) in 12 months; cap {cap:g}",
                    None,
                    spans,
                )
            )
    return hits


def code_interval(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A code billed again sooner than the policy's interval after the same service.

    ``params.codes`` are one service (95970-95972: electronic analysis of a stimulator);
    ``params.days`` the least number of days between two dates of service.
    """
    if ctx.claim is None or ctx.history is None:
        return []
    codes = set(_strings(params, "codes", ()))
    billed = next(((i, line) for i, line in enumerate(ctx.claim.lines) if line.cpt in codes), None)
    days = int(str(params.get("days", 0)))
    dos = _date_of_service(ctx)
    earlier = [
        entry.date_of_service
        for entry in ctx.history.procedures
        if entry.cpt in codes and dos - dt.timedelta(days=days) < entry.date_of_service < dos
    ]
    if billed is None or not earlier:
        return []
    index, line = billed
    last = max(earlier)
    return [
        ClaimHit(
            f"{line.cpt} on {dos.isoformat()}, {(dos - last).days} days after the same service "
            f"on {last.isoformat()}; at least {days} days apart",
            index,
        )
    ]


def _default_intent(family: str | None) -> str | None:
    return "diagnostic" if family == "facet_mbb" else None


def _family_of_cpt(ctx: ClaimContext, cpt: str | None) -> str | None:
    info = ctx.code(cpt) if cpt else None
    return info.families[0] if info and info.families else None


def _group_of_cpt(ctx: ClaimContext, cpt: str | None) -> str | None:
    info = ctx.code(cpt) if cpt else None
    return info.region_group if info else None


def _earlier(
    ctx: ClaimContext, families: Collection[str], group: str | None, dos: dt.date
) -> list[HistoryEntry]:
    """History entries of ``families`` in the same region group before ``dos``, oldest first."""
    if ctx.history is None:
        return []
    entries = [
        entry
        for entry in ctx.history.procedures
        if (entry.family or _family_of_cpt(ctx, entry.cpt)) in families
        and entry.date_of_service < dos
        and (
            group is None
            or (region_group(entry.region) or _group_of_cpt(ctx, entry.cpt)) in (group, None)
        )
    ]
    return sorted(entries, key=lambda entry: entry.date_of_service)


def rfa_prior_blocks(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Facet RFA without two earlier diagnostic blocks of >= 80 % relief.

    Only diagnostic blocks of ``block_families`` dated before this session count (not
    therapeutic or intra-articular injections). A repeat RFA within ``rediagnose_after_days``
    of the last one needs no new blocks (the repeat rule applies); after that, the blocks
    must postdate the last RFA. Without such history, two qualifying blocks stated in the
    note will do.
    """
    if ctx.history is None:
        return []
    threshold = ctx.thresholds.get("facet_dx_relief_pct", 80.0)
    families = set(params.get("block_families", []))  # type: ignore[call-overload]
    rediagnose = dt.timedelta(days=float(params.get("rediagnose_after_days", 730)))  # type: ignore[arg-type]
    dos = _date_of_service(ctx)
    hits = []
    for i, proc in enumerate(ctx.facts.procedures):
        if proc.family != "facet_rfa":
            continue
        group = region_group(proc.region, proc.levels)
        earlier_rfa = _earlier(ctx, {"facet_rfa"}, group, dos)
        since = earlier_rfa[-1].date_of_service if earlier_rfa else None
        if since is not None and dos - since < rediagnose:
            continue
        good = [
            entry
            for entry in _earlier(ctx, families, group, dos)
            if (entry.intent or _default_intent(entry.family)) != "therapeutic"
            and (entry.relief or 0) >= threshold
            and (since is None or entry.date_of_service > since)
        ]
        note_ctx = CheckContext(ctx.text, ctx.facts, ctx.detections, ctx.thresholds)
        in_note = prior_relief_at_least(note_ctx, {"threshold": threshold, "count": 2})
        if len(good) >= 2 or (since is None and in_note.ok):
            continue
        after = f" after the last RFA ({since.isoformat()})" if since else ""
        hits.append(
            ClaimHit(
                f"history shows {len(good)} diagnostic block(s) with >= {threshold:g}% "
                f"relief{after}",
                None,
                _family_spans(ctx, i),
            )
        )
    return hits


class RepeatRule(BaseModel):
    """What a repeat of one family needs from the previous session's relief."""

    model_config = ConfigDict(extra="forbid")

    percent: float = Field(gt=0, le=100)
    days: float = Field(ge=0)
    within_days: float = Field(gt=0, description="an earlier session this recent makes a repeat")
    intent: Intent | None = None


def repeat_relief(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A repeat session whose previous one did not give (or does not record) enough relief.

    ``params.families`` maps a family to its :class:`RepeatRule`: the previous session of
    that family in the same region group must show ``percent`` relief lasting ``days``.
    Relief the history does not record counts as missing unless the note documents prior
    relief itself.
    """
    if ctx.history is None:
        return []
    rules = {
        family: RepeatRule.model_validate(rule)
        for family, rule in dict(params.get("families", {})).items()  # type: ignore[call-overload]
    }
    dos = _date_of_service(ctx)
    hits = []
    for i, proc in enumerate(ctx.facts.procedures):
        rule = rules.get(proc.family)
        if rule is None or (rule.intent is not None and ctx.intent != rule.intent):
            continue
        earlier = _earlier(ctx, {proc.family}, region_group(proc.region, proc.levels), dos)
        recent = [e for e in earlier if (dos - e.date_of_service).days <= rule.within_days]
        if not recent:
            continue
        last = recent[-1]
        relief, lasted = last.relief, last.relief_duration_days
        when = last.date_of_service.isoformat()
        if relief is None or lasted is None:
            if ctx.facts.elements.prior_block_relief:
                continue
            message = f"relief after the previous {proc.family} ({when}) is not recorded"
        elif relief < rule.percent or lasted < rule.days:
            message = (
                f"previous {proc.family} ({when}) gave {relief:g}% for {lasted:g} days; "
                f"a repeat needs >= {rule.percent:g}% for >= {rule.days:g} days"
            )
        else:
            continue
        hits.append(ClaimHit(message, None, _family_spans(ctx, i)))
    return hits


def opd_prior_authorization(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A hospital outpatient service of the prior-authorization program with no UTN on the claim.

    ``params.codes`` are the services the program covers and ``params.places`` the place
    of service codes of a hospital outpatient department; a claim without a place of
    service is not judged.
    """
    codes = set(_strings(params, "codes", ()))
    places = set(_strings(params, "places", ("22", "19")))
    claim = ctx.claim
    if claim is None or claim.place_of_service not in places or claim.prior_authorization:
        return []
    return [
        ClaimHit(
            f"{line.cpt} in a hospital outpatient department (POS {claim.place_of_service}) "
            "without a prior authorization (UTN) on the claim",
            i,
        )
        for i, line in enumerate(claim.lines)
        if line.cpt in codes
    ]


SEDATION_CODES = ("99151", "99152", "99153")
_ANESTHESIA_CODE = re.compile(r"^0[01]\d{3}$")


def _sedation_minutes(ctx: ClaimContext) -> tuple[int | None, tuple[Span, ...]]:
    """The longest intraservice sedation time the note states, in minutes."""
    hits = ctx.detections.hits(SEDATION_TIME_DETECTOR)
    minutes = [int(str(hit.value)) for hit in hits if str(hit.value).isdigit()]
    return (max(minutes) if minutes else None), tuple(hits)


def _sedation_units_allowed(minutes: int) -> int:
    """99153 units by intraservice time: 23-37 minutes one, 38-52 two, and so on (CPT)."""
    return max(0, (minutes - 8) // 15) if minutes >= 23 else 0


def moderate_sedation(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Moderate sedation (99151-99153) the note does not support as billed.

    It is not reported with an anesthesia code (00100-01999) for the same session, nor when
    the note documents anesthesia care (MAC, general, deep sedation) instead of moderate
    sedation by the proceduralist, nor under ``params.min_minutes`` of intraservice time;
    99153 units follow the documented time, which must be stated.
    """
    minimum = int(str(params.get("min_minutes", 10)))
    lines = [(i, line) for i, line in enumerate(ctx.claim.lines if ctx.claim else [])]
    sedation = [(i, line) for i, line in lines if line.cpt in SEDATION_CODES]
    if not sedation:
        return []
    first = sedation[0][0]
    anesthesia = [line.cpt for _, line in lines if _ANESTHESIA_CODE.match(line.cpt)]
    given = tuple(ctx.detections.hits(SEDATION_DETECTOR))
    care = tuple(ctx.detections.hits(ANESTHESIA_CARE_DETECTOR))
    minutes, time_spans = _sedation_minutes(ctx)
    if anesthesia:
        detail = f"moderate sedation billed with anesthesia {', '.join(anesthesia)}"
        spans: tuple[Span, ...] = ()
    elif care:
        detail, spans = "moderate sedation billed; the note documents anesthesia care", care
    elif not given:
        detail, spans = "moderate sedation billed; the note documents no moderate sedation", ()
    elif minutes is None:
        detail, spans = "moderate sedation billed; intraservice time is not documented", given
    elif minutes < minimum:
        detail = f"moderate sedation of {minutes} minutes (under {minimum}) is not reported"
        spans = time_spans
    else:
        billed = sum(line.units for _, line in sedation if line.cpt == "99153")
        allowed = _sedation_units_allowed(minutes)
        if billed <= allowed:
            return []
        detail = f"99153 x{billed} billed; {minutes} minutes of sedation support {allowed}"
        spans = time_spans
    return [ClaimHit(detail, first, spans)]


def drug_waste_modifier(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """A single-dose drug billed without JW/JZ, or with both (Medicare JW/JZ policy).

    Each drug code the table marks ``single_dose`` needs JW on the line of the amount
    discarded or JZ when nothing was discarded; JZ with a JW line for the same drug
    contradicts itself.
    """
    del params
    by_code: dict[str, list[tuple[int, ClaimLine]]] = {}
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        drug = ctx.table.drugs.get(line.cpt)
        if drug is not None and drug.single_dose:
            by_code.setdefault(line.cpt, []).append((i, line))
    hits = []
    for code, entries in by_code.items():
        modifiers = {m for _, line in entries for m in line.modifiers}
        unit = ctx.table.drugs[code].unit
        if {"JW", "JZ"} <= modifiers:
            detail = f"{code} ({unit}) carries JZ (none discarded) and JW (amount discarded)"
        elif not {"JW", "JZ"} & modifiers:
            detail = f"{code} ({unit}) from a single-dose container without JW or JZ"
        else:
            continue
        hits.append(ClaimHit(detail, entries[0][0], tuple(ctx.detections.hits(WASTAGE_DETECTOR))))
    return hits


class DrugUnitParams(BaseModel):
    """How one drug-unit rule reads: which finding it raises, and the drugs that end a dose.

    ``other_drugs`` are drugs a note lists beside billed ones (local anesthetics, contrast,
    saline): their names, like every drug name of the table, end the text searched for a
    dose ("Kenalog with 3 mL of 0.25% bupivacaine" gives Kenalog no dose).
    """

    model_config = ConfigDict(extra="forbid")

    direction: Literal["over", "under", "undocumented"]
    other_drugs: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _DrugLine:
    """A line of the amount of a drug given, with its code's billing unit."""

    index: int
    line: ClaimLine
    drug: DrugInfo
    unit: float
    measure: Measure


def _drug_lines(ctx: ClaimContext) -> dict[tuple[str, ...], list[_DrugLine]]:
    """Lines of the amount given (not JW) of drugs the table can compare, by drug (its names)."""
    groups: dict[tuple[str, ...], list[_DrugLine]] = {}
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        drug = ctx.table.drugs.get(line.cpt)
        unit = drug.billing_unit if drug is not None and drug.names else None
        if drug is not None and unit is not None and "JW" not in line.modifiers:
            entry = _DrugLine(i, line, drug, *unit)
            groups.setdefault(tuple(sorted(drug.names)), []).append(entry)
    return groups


def _given_elsewhere(ctx: ClaimContext) -> Callable[[int, int], bool]:
    """A test of whether a span is in a sentence about what was not given today.

    The ``drug_not_given_today`` detector marks those sentences: a prescription or home
    medication, a plan, an earlier procedure, an allergy.
    """
    sentences = {
        sentence_bounds(ctx.text, hit.start, hit.end)
        for hit in ctx.detections.hits(NOT_GIVEN_DETECTOR)
    }
    return lambda start, end: sentence_bounds(ctx.text, start, end) in sentences


def _amount(value: float, measure: str) -> str:
    return f"{value:g} {measure}"


def _units_needed(amount: float, unit: float) -> str:
    units = units_for(amount, unit)
    return f", which needs {units} unit{'s' if units > 1 else ''} (rounded up)"


def drug_units(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """Units of a drug line against the dose the note documents.

    A drug is billed in units of its HCPCS descriptor's dosage: the dose given divided by
    the unit, rounded up to a whole unit (CMS); a discarded amount goes on its own JW line,
    which is not compared here. ``params.direction`` picks the finding: ``over`` when the
    lines bill at least one whole unit more than the most the note can be read to document,
    ``under`` when they bill less than the least it documents, ``undocumented`` when the note
    states no dose of the drug. Lines of codes with the same names (J1030 and J1040) add up.
    A dose stated only in a measure that does not convert (mL without a strength) is not
    judged.
    """
    fields = DrugUnitParams.model_fields
    settings = DrugUnitParams.model_validate({k: v for k, v in params.items() if k in fields})
    groups = _drug_lines(ctx)
    stop = [name for drug in ctx.table.drugs.values() for name in drug.names]
    stop += settings.other_drugs
    skip = _given_elsewhere(ctx) if groups else None
    hits: list[ClaimHit] = []
    for names, lines in groups.items():
        first = lines[0]
        found = find_doses(ctx.text, names, first.measure, stop, skip)
        billed = sum(entry.line.units * entry.unit for entry in lines)
        codes = " + ".join(f"{e.line.cpt} x{e.line.units} ({e.drug.unit} per unit)" for e in lines)
        what = f"{codes} bills {_amount(billed, first.measure)} of {first.drug.description}"
        if settings.direction == "undocumented":
            if not found.mentions:
                said = "names it without a dose" if found.named else "does not name it"
                hits.append(ClaimHit(f"{what}; the note {said}", first.index, found.named))
            continue
        bounds = found.bounds()
        if bounds is None:
            continue
        low, high = bounds
        # One code: say how many units the dose needs (several codes: the amounts say it).
        single = len({entry.line.cpt for entry in lines}) == 1
        if settings.direction == "over" and billed - high >= min(e.unit for e in lines) - 1e-9:
            value, bound = high, "at most"
        elif settings.direction == "under" and billed < low - 1e-9:
            value, bound = low, "at least"
        else:
            continue
        dose = _amount(value, first.measure)
        dose = dose if low == high else f"{bound} {dose}"
        needs = _units_needed(value, first.unit) if single else ""
        spans = tuple(mention.span for mention in found.mentions)
        hits.append(ClaimHit(f"{what}; the note documents {dose}{needs}", first.index, spans))
    return hits


def liability_modifiers(ctx: ClaimContext, params: dict[str, object]) -> list[ClaimHit]:
    """GA/GZ/GY that contradict each other or the note, or a non-covered line without them.

    GA says a signed ABN is on file (the note must document it), GZ that there is none;
    GY is for services outside any Medicare benefit, not for the procedures of this table.
    ``params.noncovered`` (from the payer) lists the codes expected to be denied.
    """
    noncovered: dict[str, str] = params.get("noncovered", {})  # type: ignore[assignment]
    notice = ctx.detections.for_element("noncovered_notice")
    hits = []
    for i, line in enumerate(ctx.claim.lines if ctx.claim else []):
        modifiers = set(line.modifiers)
        if {"GA", "GZ"} <= modifiers:
            detail = f"{line.cpt}: GA (ABN on file) and GZ (no ABN) on one line"
        elif "GA" in modifiers and not notice:
            detail = f"{line.cpt}-GA: the note documents no signed ABN"
        elif "GY" in modifiers and line.cpt in ctx.table.codes:
            detail = f"{line.cpt}-GY: the service is a Medicare benefit, not statutorily excluded"
        elif line.cpt in noncovered and not {"GA", "GZ", "GY"} & modifiers:
            detail = f"{line.cpt} is expected to be denied ({noncovered[line.cpt]}); no GA or GZ"
        else:
            continue
        hits.append(ClaimHit(detail, i, tuple(notice)))
    return hits


CHECKS: dict[str, Callable[[ClaimContext, dict[str, object]], list[ClaimHit]]] = {
    "code_documented": code_documented,
    "units_vs_levels": units_vs_levels,
    "level_limits": level_limits,
    "one_region": one_region,
    "bilateral_modifier": bilateral_modifier,
    "side_modifier": side_modifier,
    "kx_diagnostic": kx_diagnostic,
    "ptp_edits": ptp_edits,
    "ptp_bypass_support": ptp_bypass_support,
    "mue_limits": mue_limits,
    "ultrasound_joint": ultrasound_joint,
    "joint_undercoded": joint_undercoded,
    "trigger_point_muscles": trigger_point_muscles,
    "opd_prior_authorization": opd_prior_authorization,
    "moderate_sedation": moderate_sedation,
    "drug_waste_modifier": drug_waste_modifier,
    "drug_units": drug_units,
    "liability_modifiers": liability_modifiers,
    "dx_covered": dx_covered,
    "dx_invalid": dx_invalid,
    "dx_side_match": dx_side_match,
    "dx_missing": dx_missing,
    "addon_without_primary": addon_without_primary,
    "noncovered_code": noncovered_code,
    "frequency": frequency,
    "rfa_prior_blocks": rfa_prior_blocks,
    "repeat_relief": repeat_relief,
    "code_interval": code_interval,
}
# Checks that need a claim; the rest also run with only a note (and history). Level limits
# are a billing rule (a caudal catheter reaching two levels is one billable injection), and
# the note-only side of it is the checklists' own documentation elements (ESI-007).
NEEDS_CLAIM = frozenset(CHECKS) - {"frequency", "rfa_prior_blocks", "repeat_relief"}
