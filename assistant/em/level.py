"""Pure level computation: MDM elements from cue hits, MDM by 2 of 3, time thresholds.

Implements the AMA CPT E/M guidelines for office/outpatient services: the 2021+ MDM table
(problems, data, risk; the level met by 2 of the 3 elements) and the 2024+ single time
minimums. Every function takes already-found cue hits and returns levels with the
statements that support them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.em.extract import Hit, Item
from assistant.em.schema import (
    MDM_ORDER,
    EMEvidence,
    FindingFile,
    MdmElement,
    MdmLevel,
    PatientType,
    Vocabulary,
)

EM_CODES_NEW = ("99202", "99203", "99204", "99205")
EM_CODES_ESTABLISHED = ("99211", "99212", "99213", "99214", "99215")
EM_CODES = EM_CODES_NEW + EM_CODES_ESTABLISHED

# Problem categories, from the AMA CPT E/M guidelines (MDM table: problems addressed).
_PROBLEM_RANK: dict[str, MdmLevel] = {
    "high": "high",
    "exacerbation": "moderate",
    "undiagnosed_new": "moderate",
    "stable": "low",
    "unspecified": "low",
    "minor": "minimal",
}


def rank(level: MdmLevel) -> int:
    """Position of an MDM level (minimal=0 ... high=3)."""
    return MDM_ORDER.index(level)


def mdm_level(problems: MdmLevel, data: MdmLevel, risk: MdmLevel) -> MdmLevel:
    """The MDM level met or exceeded by 2 of the 3 elements (the second-highest)."""
    ordered = sorted((problems, data, risk), key=rank, reverse=True)
    return ordered[1]


@dataclass
class Problem:
    """One problem addressed and the category its wording supports."""

    category: str
    label: str
    evidence: list[EMEvidence] = field(default_factory=list)


def classify_item(item: Item, hits: Sequence[Hit]) -> Problem:
    """Category of one assessment item from the counted problem cues inside it."""
    inside = [h for h in hits if item.start <= h.start < item.end and h.counts]
    best = "unspecified"
    evidence: list[EMEvidence] = []
    for hit in inside:
        category = hit.cue.value
        if category not in _PROBLEM_RANK:
            continue
        evidence.append(hit.evidence())
        if rank(_PROBLEM_RANK[category]) > rank(_PROBLEM_RANK[best]) or (
            best == "unspecified" and category in ("stable", "minor")
        ):
            best = category
    span = EMEvidence(start=item.start, end=item.end, text=item.text, cue="assessment.item")
    return Problem(category=best, label=item.text, evidence=[span, *evidence])


def problems_element(problems: Sequence[Problem], note_hits: Sequence[Hit]) -> MdmElement:
    """Element 1 (number and complexity of problems addressed).

    ``problems`` are the assessment items; ``note_hits`` are counted problem cues outside
    them (e.g. "pain has worsened" in the HPI), which can raise but never add a problem.
    """
    detail: list[str] = []
    evidence: list[EMEvidence] = []
    levels = [_PROBLEM_RANK[p.category] for p in problems]
    n_low = sum(1 for level in levels if level == "low")
    n_minor = sum(1 for level in levels if level == "minimal")
    level: MdmLevel = "minimal"
    if any(lv == "high" for lv in levels):
        level = "high"
    elif any(lv == "moderate" for lv in levels) or n_low >= 2:
        level = "moderate"
    elif n_low == 1 or n_minor >= 2:
        level = "low"
    for problem in problems:
        evidence.extend(problem.evidence)
        detail.append(f"{problem.category}: {problem.label[:80]}")
    note_level: MdmLevel = "minimal"
    for hit in note_hits:
        category = hit.cue.value
        if category in ("high", "exacerbation", "undiagnosed_new"):
            hit_level = _PROBLEM_RANK[category]
            note_level = hit_level if rank(hit_level) > rank(note_level) else note_level
            evidence.append(hit.evidence())
            detail.append(f"{category} (outside the assessment list): {hit.text[:60]}")
    if rank(note_level) > rank(level):
        level = note_level
    if not problems and level == "minimal":
        level = "low"
        detail.append("no assessment list found: one problem addressed assumed")
    return MdmElement(level=level, evidence=evidence, detail=detail)


_STOP = re.compile(r"\.(?=\s|$)|[;\n]")
_PRE_BREAK = re.compile(r"[.;,\n]")
_OF = re.compile(r"\s+(?:of|to)\s", re.IGNORECASE)
_NEG = re.compile(r"\b(?:no|not|without)\s+(?:\w+\s+)?$", re.IGNORECASE)


def _site(text: str, start: int, end: int, sites: Sequence[Vocabulary]) -> str:
    """Body site of a test mention: just before it, just after it, or in its own name."""
    pre = text[max(0, start - 25) : start]
    pre = _PRE_BREAK.split(pre)[-1]
    post = text[end : end + 30]
    post = post if _OF.match(post) else _PRE_BREAK.split(post[:16])[0]
    windows = [pre, post, text[start:end]]
    for window in windows:
        best: tuple[int, str] | None = None
        for entry in sites:
            for match in re.finditer(entry.regex, window, re.IGNORECASE):
                # nearest to the test: the last match before it, the first after it
                pos = -match.start() if window is pre else match.start()
                if best is None or pos < best[0]:
                    best = (pos, entry.name)
        if best is not None:
            return best[1]
    return "?"


def test_keys(
    text: str, hit: Hit, tests: Sequence[Vocabulary], sites: Sequence[Vocabulary]
) -> list[str]:
    """Unique-test keys ("mri:lumbar", "labs:a1c") named from the hit to the clause end.

    A list such as "ordered a thoracic MRI and rib series" credits each test once.
    """
    start = hit.match_start
    tail = text[start : start + 160]
    stop = _STOP.search(tail, max(0, hit.end - start))
    region_end = start + (stop.start() if stop else len(tail))
    found: list[tuple[int, str]] = []
    for entry in tests:
        for match in re.finditer(entry.regex, text[start:region_end], re.IGNORECASE):
            s, e = start + match.start(), start + match.end()
            if _NEG.search(text[max(start, s - 15) : s]):
                continue
            if entry.name == "labs":
                found.append((s, f"labs:{match.group(0).lower()}"))
            else:
                found.append((s, f"{entry.name}:{_site(text, s, e, sites)}"))
    found.sort()
    return list(dict.fromkeys(key for _pos, key in found))


def data_element(
    text: str, hits: Sequence[Hit], tests: Sequence[Vocabulary], sites: Sequence[Vocabulary]
) -> MdmElement:
    """Element 2 (amount and complexity of data), per the categories of the AMA MDM table.

    Ordering a test includes reviewing its result, so a test ordered and reviewed counts
    once; a test named without a site merges into the same test named with one.
    """
    counted = [h for h in hits if h.counts and h.cue.kind == "data"]
    tests_found: dict[str, list[EMEvidence]] = {}
    sources: dict[str, list[EMEvidence]] = {}
    flags: dict[str, list[EMEvidence]] = {
        "historian": [],
        "independent_interpretation": [],
        "discussion_external": [],
    }
    for hit in counted:
        if hit.cue.value in ("test_reviewed", "test_ordered"):
            for key in test_keys(text, hit, tests, sites):
                tests_found.setdefault(key, []).append(hit.evidence())
        elif hit.cue.value == "external_notes":
            src = (hit.group("src") or "external").lower().strip()
            sources.setdefault(src, []).append(hit.evidence())
        elif hit.cue.value in flags:
            flags[hit.cue.value].append(hit.evidence())
    with_site = {key.split(":")[0] for key in tests_found if not key.endswith(":?")}
    for key in [k for k in tests_found if k.endswith(":?") and k.split(":")[0] in with_site]:
        del tests_found[key]
    if len(sources) > 1:
        sources.pop("external", None)
    n_items = len(tests_found) + len(sources)
    historian = bool(flags["historian"])
    cat1 = n_items + (1 if historian else 0) >= 3
    interp = bool(flags["independent_interpretation"])
    discussion = bool(flags["discussion_external"])
    categories = sum((cat1, interp, discussion))
    level: MdmLevel = "minimal"
    if categories >= 2:
        level = "high"
    elif categories == 1:
        level = "moderate"
    elif n_items >= 2 or historian:
        level = "low"
    detail = [f"unique test: {key}" for key in tests_found]
    detail += [f"external notes: {src}" for src in sources]
    detail += [name for name, found in flags.items() if found]
    evidence = [e for group in (*tests_found.values(), *sources.values()) for e in group]
    evidence += [e for group in flags.values() for e in group]
    return MdmElement(level=level, evidence=evidence, detail=detail)


@dataclass(frozen=True)
class PlannedDecision:
    """A decision about a future procedure taken from NoteFacts (family + evidence)."""

    family: str
    evidence: tuple[EMEvidence, ...] = ()


_RISK_RANK: dict[str, MdmLevel] = {
    "intensive_monitoring": "high",
    "parenteral_controlled": "high",
    "hospitalization": "high",
    "rx_management": "moderate",
    "sdoh": "moderate",
    "otc": "low",
    "pt_ot": "low",
}


def risk_element(
    hits: Sequence[Hit],
    *,
    procedure_day: bool,
    planned: Sequence[PlannedDecision] = (),
) -> MdmElement:
    """Element 3 (risk of patient management), per the AMA MDM table.

    Surgery decisions are graded by whether patient risk factors are documented. On a
    procedure day the decision to perform today's procedure is part of the procedure, so
    only decisions about *other* planned procedures count.
    """
    counted = [h for h in hits if h.counts and h.cue.kind in ("risk", "risk_factor")]
    factors = [h for h in counted if h.cue.kind == "risk_factor"]
    level: MdmLevel = "minimal"
    evidence: list[EMEvidence] = []
    detail: list[str] = []
    decided = False

    def raise_to(new: MdmLevel, why: str, ev: Iterable[EMEvidence]) -> None:
        nonlocal level
        if rank(new) > rank(level):
            level = new
        evidence.extend(ev)
        detail.append(f"{new}: {why}")

    for hit in counted:
        value = hit.cue.value
        if hit.cue.ignore_on_procedure_day and procedure_day:
            continue
        if value in _RISK_RANK:
            raise_to(_RISK_RANK[value], value, [hit.evidence()])
        elif value == "major_surgery":
            raise_to("high" if factors else "moderate", value, [hit.evidence()])
            decided = True
        elif value == "minor_procedure" and not procedure_day:
            raise_to("moderate" if factors else "low", value, [hit.evidence()])
            decided = True
    for decision in planned:
        raise_to(
            "moderate" if factors else "low",
            f"planned procedure ({decision.family})",
            decision.evidence,
        )
        decided = True
    if factors and decided:
        evidence.extend(h.evidence() for h in factors)
        detail.append("patient risk factors: " + ", ".join(sorted({h.cue.value for h in factors})))
    return MdmElement(level=level, evidence=evidence, detail=detail)


def code_for_mdm(level: MdmLevel, patient: PatientType, table: FindingFile) -> str:
    """The office E/M code whose MDM requirement ``level`` meets."""
    return table.mdm_codes[patient][level]


def code_for_time(minutes: int | None, patient: PatientType, table: FindingFile) -> str | None:
    """The highest code whose 2024+ minimum time ``minutes`` meets, or ``None``."""
    if minutes is None:
        return None
    thresholds = (
        table.time_thresholds.new if patient == "new" else table.time_thresholds.established
    )
    met = [code for code, need in thresholds.items() if minutes >= need]
    return max(met, key=code_rank) if met else None


def code_rank(code: str) -> int:
    """Level within the family (99211=1, 99202/99212=2 ... 99205/99215=5)."""
    return int(code[-1])


def higher(a: str | None, b: str | None) -> str | None:
    """The higher of two codes of the same family (``None`` when both are)."""
    if a is None or b is None:
        return a or b
    return a if code_rank(a) >= code_rank(b) else b


def patient_type_of(code: str) -> PatientType | None:
    """New (9920x) or established (9921x) from an office E/M code."""
    if code in EM_CODES_NEW:
        return "new"
    if code in EM_CODES_ESTABLISHED:
        return "established"
    return None


def total_minutes(hits: Sequence[Hit]) -> tuple[int | None, bool, list[EMEvidence]]:
    """(largest stated total time, whether a statement excludes procedure time, evidence)."""
    minutes: int | None = None
    excludes = False
    evidence: list[EMEvidence] = []
    for hit in hits:
        if hit.cue.kind != "time" or not hit.counts:
            continue
        if hit.cue.value == "excludes_procedure":
            excludes = True
            evidence.append(hit.evidence())
            continue
        value = hit.group("min")
        if value is None:
            continue
        evidence.append(hit.evidence())
        minutes = max(minutes or 0, int(value))
    return minutes, excludes, evidence
