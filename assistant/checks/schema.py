"""Checklist file schema: every YAML record under ``checklists/`` is validated here on load.

Closed vocabularies (severities, statuses, concern paths, extra element names) live in this
module so that a typo in a data file is a load error, not a silent rule that never fires.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.facts import ELEMENT_NAMES, Approach, Family, Guidance, Laterality, NoteKind, Region

Severity = Literal["block", "warn", "info"]
Status = Literal["missing", "contradicted", "unsupported_code", "limit_exceeded"]
Intent = Literal["diagnostic", "therapeutic"]
Basis = Literal["verified", "secondary", "general_knowledge"]
SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warn": 1, "block": 2}

# Elements a checklist may require beyond the 18 of note-facts/v1; detected by
# ``detectors.v1.yaml`` in this package's data, never by the reader.
EXTRA_ELEMENTS: tuple[str, ...] = (
    "radicular_indication",
    "axial_indication",
    "procedure_intent",
    "provocative_tests",
    "psych_eval",
    "fracture_imaging",
    "trial_result",
    "trial_stage",
    "osteoporosis_followup",
    "trigger_point_findings",
    "ultrasound_image_recorded",
    "sedation_justification",
    "rfa_technique",
    "target_named",
    "rehab_ongoing",
    "late_resort",
    "contrast_spread",
    "pump_refill_details",
    "adhesiolysis_indication",
)
ALL_ELEMENTS: frozenset[str] = frozenset(ELEMENT_NAMES) | frozenset(EXTRA_ELEMENTS)
PROCEDURE_FIELDS = ("levels", "laterality", "guidance", "contrast", "approach", "region")
CLAIM_FIELDS = ("cpt", "units", "modifiers", "icd10", "frequency", "em_level")
_CONCERN = re.compile(
    r"^(elements\.(?P<element>[a-z_]+)"
    rf"|procedures\.({'|'.join(PROCEDURE_FIELDS)})"
    rf"|claim\.({'|'.join(CLAIM_FIELDS)}))$"
)
_PAYMENT_WORDS = re.compile(
    r"\b(pay|paid|payment|reimburs\w*|denial|deny|denied|bill\w*|revenue|insurance|money)\b",
    re.IGNORECASE,
)
_OTHER_OPTION = re.compile(r"\b(other|undetermined|unable to determine)\b", re.IGNORECASE)


def validate_concern(path: str) -> str:
    """Return ``path`` if it is in the closed concern vocabulary, else raise ``ValueError``."""
    match = _CONCERN.match(path)
    if match is None:
        raise ValueError(f"unknown concern {path!r}")
    element = match.group("element")
    if element is not None and element not in ALL_ELEMENTS:
        raise ValueError(f"unknown element {element!r} in concern {path!r}")
    return path


def check_query_text(text: str) -> str:
    """Reject query wording that mentions payment (queries must be clinical, not financial)."""
    if _PAYMENT_WORDS.search(text):
        raise ValueError("a provider query must not mention payment, billing or denial")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Strict):
    """Where a rule comes from: a policy id (LCD/article), section, URL and how sure we are."""

    policy: str
    section: str | None = None
    url: str | None = None
    basis: Basis


class Query(_Strict):
    """A compliant provider query: non-leading multiple choice with an other/undetermined out.

    ``question`` may use ``{procedure}`` and ``{indicators}``, filled from the note's facts.
    """

    question: str
    options: list[str] = Field(min_length=2)

    @field_validator("question")
    @classmethod
    def _no_payment(cls, text: str) -> str:
        return check_query_text(text)

    @field_validator("options")
    @classmethod
    def _has_other(cls, options: list[str]) -> list[str]:
        for option in options:
            check_query_text(option)
        if not any(_OTHER_OPTION.search(option) for option in options):
            raise ValueError("options must include 'Other' or 'Undetermined'")
        return options


class AppliesWhen(_Strict):
    """Narrow an element to some procedures, intents or payers (absent = no restriction)."""

    families: list[Family] | None = None
    approaches: list[Approach] | None = None
    regions: list[Region] | None = None
    guidance: list[Guidance] | None = None
    intent: list[Intent] | None = None
    payers: list[str] | None = None
    note_kinds: list[NoteKind] | None = None


class ProcedureTest(_Strict):
    """A test on one field of the procedure being checked (one ``op`` is used)."""

    field: Literal["levels", "laterality", "guidance", "contrast", "approach", "region"]
    op: Literal["present", "in", "not_in", "max_count"]
    values: list[str | bool] = Field(default_factory=list)
    count: int | None = None

    @model_validator(mode="after")
    def _args(self) -> ProcedureTest:
        if self.op in ("in", "not_in") and not self.values:
            raise ValueError(f"op {self.op!r} needs 'values'")
        if self.op == "max_count" and self.count is None:
            raise ValueError("op 'max_count' needs 'count'")
        return self


class AllOf(_Strict):
    all: list[Expr] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Expr] = Field(min_length=1)


class NotOf(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: Expr = Field(alias="not")


class ElementRef(_Strict):
    """True when the element is documented: reader flag (18 elements) or a detector hit."""

    element: str

    @field_validator("element")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in ALL_ELEMENTS:
            raise ValueError(f"unknown element {name!r}")
        return name


class DetectRef(_Strict):
    """True when the named detector (``detectors.v1.yaml``) matches the note."""

    detect: str


class ProcedureRef(_Strict):
    procedure: ProcedureTest


class NamedRef(_Strict):
    """A named predicate from :mod:`assistant.checks.predicates` with literal arguments."""

    predicate: str
    args: dict[str, str | int | float | bool] = Field(default_factory=dict)


Expr = Annotated[
    Union[AllOf, AnyOf, NotOf, ElementRef, DetectRef, ProcedureRef, NamedRef],  # noqa: UP007
    Field(union_mode="left_to_right"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Examples(_Strict):
    """Golden snippets: ``present`` satisfies ``requires``; ``missing`` does not."""

    present: str
    missing: str


class ChecklistElement(_Strict):
    """One documentation requirement with a stable id, severity, source, fix and query."""

    id: str = Field(pattern=r"^[A-Z]{2,5}-\d{3}$")
    old_ids: list[str] = Field(default_factory=list)
    symbol: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    severity: Severity
    status: Status = "missing"
    applies_when: AppliesWhen = Field(default_factory=AppliesWhen)
    requires: Expr
    concerns: list[str] = Field(min_length=1)
    expected_section: list[str] = Field(default_factory=list)
    source: SourceRef
    fix: str
    query: Query
    examples: Examples

    @field_validator("concerns")
    @classmethod
    def _concerns(cls, values: list[str]) -> list[str]:
        return [validate_concern(value) for value in values]


class Scope(_Strict):
    """Which notes a checklist applies to.

    ``performed``: notes documenting a procedure of one of ``families`` (``any`` = all);
    ``planned``: consult/office notes of ``note_kinds`` that plan one of ``families``.
    """

    mode: Literal["performed", "planned"]
    families: list[Family] | Literal["any"]
    note_kinds: list[NoteKind] | None = None


class Checklist(_Strict):
    """One versioned checklist file (``checklists/<id>.v<version>.yaml``)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(ge=1)
    title: str
    scope: Scope
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors only")
    elements: list[ChecklistElement] = Field(min_length=1)


class Detector(_Strict):
    """A regex rule marking an element in the note text (for elements beyond the reader's).

    A match counts unless its sentence also matches one of ``unless``.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    element: str | None = None
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)

    @field_validator("patterns", "unless")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        return patterns

    @field_validator("element")
    @classmethod
    def _known(cls, name: str | None) -> str | None:
        if name is not None and name not in ALL_ELEMENTS:
            raise ValueError(f"unknown element {name!r}")
        return name


class DetectorFile(_Strict):
    """Detectors plus section-header patterns used to point at where a missing item belongs."""

    version: int = Field(ge=1)
    sections: dict[str, list[str]] = Field(default_factory=dict)
    detectors: list[Detector]


class PayerProfile(_Strict):
    """A payer: thresholds and severity overrides on top of an optional parent profile."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    inherits: str | None = None
    thresholds: dict[str, float] = Field(default_factory=dict)
    severity_overrides: dict[str, Severity] = Field(default_factory=dict)
    disabled_rules: list[str] = Field(default_factory=list)
    noncovered_cpt: dict[str, str] = Field(default_factory=dict)


__all__ = [
    "ALL_ELEMENTS",
    "EXTRA_ELEMENTS",
    "SEVERITY_RANK",
    "AppliesWhen",
    "Approach",
    "Checklist",
    "ChecklistElement",
    "Detector",
    "DetectorFile",
    "Expr",
    "Guidance",
    "Laterality",
    "PayerProfile",
    "Region",
    "Scope",
]
