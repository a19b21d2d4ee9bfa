"""Typed shapes of the E/M rule data (YAML) and of what the E/M assessment returns.

Two data files drive the package, both validated on load with ``extra="forbid"`` so a typo
is an error that names its path (``[cues -> 3 -> kind] ...``):

- ``rules/cues.v1.yaml``: regex cues for MDM problems, data, risk, total time, modifier-25
  separateness and the opioid checklist; which E/M section each of the reader's section
  categories is, which ConText categories void a cue, and the assertion triggers the
  reader's ConText does not have.
- ``rules/findings.v1.yaml``: the finding rules (id, symbol, severity, concerns, message,
  fix, provider query, source) and the 2024+ time thresholds.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.datafiles import LinearRegex
from assistant.findings import Query, Severity, SourceRef, Status
from assistant.layout import ContextCategory, ReaderSection

MdmLevel = Literal["minimal", "low", "moderate", "high"]
MDM_ORDER: tuple[MdmLevel, ...] = ("minimal", "low", "moderate", "high")
PatientType = Literal["new", "established"]
PatientTypeSource = Literal["claim", "note_kind", "default"]
# A claim line as the E/M rules see it: (CPT/HCPCS code, modifiers, units).
ClaimLine = tuple[str, list[str], int]
AssertionKind = Literal["negated", "hypothetical"]
CueKind = Literal["problem", "data", "risk", "risk_factor", "time", "separate", "opioid"]
SectionCategory = Literal[
    "assessment",
    "plan",
    "medications",
    "allergies",
    "history",
    "family_history",
    "hpi",
    "exam",
    "procedure",
    "results",
    "other",
]


def _both_assertions() -> list[AssertionKind]:
    return ["negated", "hypothetical"]


_MACRO = re.compile(r"<<([a-z_]+)>>")


def _expand(pattern: str, macros: dict[str, str], index: int) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"cues -> {index} -> regex: unknown macro <<{name}>>")
        return f"(?:{macros[name]})"

    return _MACRO.sub(repl, pattern)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CueRule(_Strict):
    """One regex cue: what it marks (``kind``/``value``) and when it does not count.

    ``blocked_by`` lists the assertions (from nearby trigger words) that void a match;
    ``exclude_sections`` voids matches inside those sections (a medication list is not
    prescription management); a non-empty ``only_sections`` keeps matches only there.
    A named group ``t`` narrows the quoted evidence, and ``min``
    captures minutes for time cues.
    """

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    kind: CueKind
    value: str
    regex: LinearRegex
    blocked_by: list[AssertionKind] = Field(default_factory=_both_assertions)
    exclude_sections: list[SectionCategory] = Field(default_factory=list)
    only_sections: list[SectionCategory] = Field(default_factory=list)
    scope: Literal["clause", "sentence"] = "clause"
    ignore_on_procedure_day: bool = False
    note: str | None = None


class TitleRule(_Strict):
    """Headers whose words match ``title`` (searched, case-insensitive) are ``category``."""

    title: LinearRegex
    category: SectionCategory


class TitleSplit(_Strict):
    """A reader section category that E/M splits by the words of its header.

    The first of ``titles`` that matches the header decides, else ``otherwise``: the reader
    files "ASSESSMENT AND PLAN" and "PLAN" alike under ``observation_and_plan``, while only
    the first lists the problems addressed.
    """

    titles: list[TitleRule] = Field(min_length=1)
    otherwise: SectionCategory


class TriggerRule(_Strict):
    """Words that make a nearby cue negated or hypothetical (before or after it).

    For the assertions the reader's ConText does not make (see ``CueFile.context``).
    """

    assertion: AssertionKind
    direction: Literal["before", "after"]
    # "cue": the cue's own scope; "sentence": conditionals ("If X, will order Y") reach
    # across commas.
    scope: Literal["cue", "sentence"] = "cue"
    kinds: list[CueKind] = Field(default_factory=list)  # empty: applies to every cue kind
    regex: LinearRegex


class Vocabulary(_Strict):
    """A canonical name and the regex that recognises it (test kinds, body sites)."""

    name: str
    regex: LinearRegex


class CueFile(_Strict):
    """The packaged cue data (``rules/cues.v1.yaml``)."""

    version: str
    scope_chars: int = Field(default=60, ge=10, le=200)
    clause_breaks: LinearRegex
    sentence_breaks: LinearRegex
    macros: dict[str, LinearRegex] = Field(default_factory=dict)
    # the E/M section of each reader section category (a category not listed: none)
    sections: dict[ReaderSection, SectionCategory | TitleSplit]
    # headers the reader's section rules do not have yet, by the E/M section they open
    headers: dict[SectionCategory, list[str]] = Field(default_factory=dict)
    # the assertion a ConText modifier category gives the cues in its scope
    context: dict[ContextCategory, AssertionKind] = Field(default_factory=dict)
    triggers: list[TriggerRule]
    tests: list[Vocabulary]
    sites: list[Vocabulary]
    cues: list[CueRule]

    @model_validator(mode="before")
    @classmethod
    def _expand_macros(cls, raw: object) -> object:
        """Replace ``<<name>>`` in cue regexes with ``(?:macro)`` before validation."""
        if not isinstance(raw, dict):
            return raw
        macros = raw.get("macros") or {}
        cues = raw.get("cues")
        if not isinstance(macros, dict) or not isinstance(cues, list):
            return raw
        expanded = []
        for index, cue in enumerate(cues):
            if isinstance(cue, dict) and isinstance(cue.get("regex"), str):
                cue = {**cue, "regex": _expand(cue["regex"], macros, index)}
            expanded.append(cue)
        return {**raw, "cues": expanded}

    @model_validator(mode="after")
    def _unique_ids(self) -> CueFile:
        seen: set[str] = set()
        for cue in self.cues:
            if cue.id in seen:
                raise ValueError(f"duplicate cue id {cue.id!r}")
            seen.add(cue.id)
        return self


class ExampleLine(_Strict):
    """A claim line of an example: code, modifiers and units (no diagnosis needed)."""

    cpt: str = Field(pattern=r"^[A-Z0-9]{5}$")
    modifiers: list[str] = Field(default_factory=list)
    units: int = Field(default=1, ge=1)


class RuleExample(_Strict):
    """A note and the claim lines billed with it."""

    note: str = Field(min_length=1)
    lines: list[ExampleLine] = Field(default_factory=list)


class RuleExamples(_Strict):
    """A rule's golden cases: ``good`` must not raise it, ``bad`` must.

    Both go through the whole ``check_note`` for ``payer`` (``tests/em/test_em_examples.py``).
    """

    payer: str = "commercial"
    good: RuleExample
    bad: RuleExample


class FindingRule(_Strict):
    """One E/M or opioid finding rule: identity, severity, what it concerns, and the words.

    ``message`` may use ``{placeholders}`` filled by the code that raises the finding.
    """

    id: str = Field(pattern=r"^(EM|OPI)-[0-9]{2}[A-Z]?$")
    symbol: str = Field(pattern=r"^[a-z0-9-]+$")
    severity: Severity
    concerns: list[str] = Field(min_length=1)
    status: Status
    message: str
    fix: str
    query: Query
    source: SourceRef
    element: str | None = None
    old_ids: list[str] = Field(default_factory=list)
    examples: RuleExamples


class TimeThresholds(_Strict):
    """2024+ single minimum minutes per code, by patient type."""

    new: dict[str, int]
    established: dict[str, int]


class ProlongedRule(_Strict):
    """A prolonged-service code: minutes needed for the first unit over the base code."""

    code: str
    base: dict[str, int]
    unit_minutes: int = 15


class FindingFile(_Strict):
    """The packaged finding rules (``rules/findings.v1.yaml``)."""

    version: str
    time_thresholds: TimeThresholds
    mdm_codes: dict[PatientType, dict[MdmLevel, str]]
    prolonged: list[ProlongedRule]
    procedure_cpt_ranges: list[tuple[str, str]]
    procedure_codes: list[str]
    rules: list[FindingRule]

    @model_validator(mode="after")
    def _unique_ids(self) -> FindingFile:
        ids = [r.id for r in self.rules]
        symbols = [r.symbol for r in self.rules]
        if len(set(ids)) != len(ids) or len(set(symbols)) != len(symbols):
            raise ValueError("rule ids and symbols must be unique")
        return self


# ---- outputs ---------------------------------------------------------------------------


class EMEvidence(_Strict):
    """One statement supporting an MDM element or the time: offsets into the note."""

    start: int
    end: int
    text: str
    cue: str


class MdmElement(_Strict):
    """An MDM element's level and the statements that support it."""

    level: MdmLevel
    evidence: list[EMEvidence] = Field(default_factory=list)
    detail: list[str] = Field(default_factory=list)


class Mdm(_Strict):
    """The three 2021+ MDM elements; the MDM level is the level met by 2 of 3."""

    problems: MdmElement
    data: MdmElement
    risk: MdmElement
    level: MdmLevel


class Modifier25(_Strict):
    """Whether same-day E/M work is significant and separately identifiable, and why."""

    procedure_day: bool
    separately_identifiable: bool
    reason: str
    evidence: list[EMEvidence] = Field(default_factory=list)


class EMAssessment(_Strict):
    """What the documentation supports for an office/outpatient E/M (99202-99215)."""

    supported_level: str | None
    patient_type: PatientType
    patient_type_source: PatientTypeSource
    by_mdm: str | None
    by_time: str | None
    mdm: Mdm
    total_minutes: int | None
    time_counts: bool
    time_note: str | None = None
    modifier25: Modifier25
    opioid_management: bool
    evidence: list[EMEvidence] = Field(default_factory=list)
    rules_version: str
