"""Checklist file schema: every YAML record under ``checklists/`` is validated here on load.

Closed vocabularies (severities, statuses, concern paths, extra element names) live in this
module so that a typo in a data file is a load error, not a silent rule that never fires.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.datafiles import LinearRegex, with_vocabulary
from assistant.facts import ELEMENT_NAMES, Approach, Family, Guidance, Laterality, NoteKind, Region
from assistant.findings import Query, Severity, SourceRef, Status
from assistant.layout import ContextCategory

Intent = Literal["diagnostic", "therapeutic"]

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
    "trial_function",
    "noncovered_notice",
    "modic_changes",
    "revision_reason",
    "lead_type",
    "programming_parameters",
    "programming_response",
    "side_effects",
    "pump_drug_concentration",
    "pump_reprogramming",
    "pump_next_refill",
    "headache_indication",
    "headache_frequency",
    "prophylaxis_failed",
    "genicular_targets",
    "pdph_indication",
    "blood_volume",
    "discogram_response",
    "control_disc",
    "disc_pressure",
    "discography_indication",
    "toxin_units",
    "injection_sites",
    "drug_wastage",
)
ALL_ELEMENTS: frozenset[str] = frozenset(ELEMENT_NAMES) | frozenset(EXTRA_ELEMENTS)
PROCEDURE_FIELDS = ("family", "levels", "laterality", "guidance", "contrast", "approach", "region")
# ``undercoded``: the note supports a higher-paying code than the one billed (its own
# concern, so an overcoding block on the same claim does not hide it).
CLAIM_FIELDS = (
    "cpt",
    "units",
    "modifiers",
    "icd10",
    "frequency",
    "em_level",
    "ptp",
    "mue",
    "undercoded",
    "prior_authorization",
    "sedation",
    "drug_waste",
    "liability",
)
_CONCERN = re.compile(
    r"^(elements\.(?P<element>[a-z_]+)"
    rf"|procedures\.({'|'.join(PROCEDURE_FIELDS)})"
    rf"|claim\.({'|'.join(CLAIM_FIELDS)}))$"
)


def validate_concern(path: str) -> str:
    """Return ``path`` if it is in the closed concern vocabulary, else raise ``ValueError``."""
    match = _CONCERN.match(path)
    if match is None:
        raise ValueError(f"unknown concern {path!r}")
    element = match.group("element")
    if element is not None and element not in ALL_ELEMENTS:
        raise ValueError(f"unknown element {element!r} in concern {path!r}")
    return path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    """A named predicate from :mod:`assistant.checks.predicates` with literal arguments.

    An ``element`` argument names a reader element whose evidence the predicate reads.
    """

    predicate: str
    args: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("args")
    @classmethod
    def _known_element(
        cls, args: dict[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        element = args.get("element")
        if element is not None and element not in ELEMENT_NAMES:
            raise ValueError(f"unknown reader element {element!r}")
        return args


Expr = Annotated[
    Union[AllOf, AnyOf, NotOf, ElementRef, DetectRef, ProcedureRef, NamedRef],  # noqa: UP007
    Field(union_mode="left_to_right"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


EXAMPLE_SLOT = "{example}"


def _check_frame(frame: str) -> str:
    if EXAMPLE_SLOT not in frame:
        raise ValueError(f"a note frame must contain {EXAMPLE_SLOT!r}")
    return frame


class Examples(_Strict):
    """Golden snippets run through the whole pipeline (``tests/checks/test_checks_examples.py``).

    ``present`` must not raise the element's finding and ``missing`` must; each is put into
    ``frame`` (default: the checklist's ``example_frame``) at ``{example}`` so the note has
    the context that makes the element apply. ``payer`` names the profile to check with.
    """

    present: str = Field(min_length=1)
    missing: str = Field(min_length=1)
    frame: str | None = None
    payer: str = "medicare"

    @field_validator("frame")
    @classmethod
    def _frame(cls, frame: str | None) -> str | None:
        return None if frame is None else _check_frame(frame)


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
    verdict: Literal["not_recognised"] | None = Field(
        default=None, description="a finding of this element sets the note's verdict"
    )

    @field_validator("concerns")
    @classmethod
    def _concerns(cls, values: list[str]) -> list[str]:
        return [validate_concern(value) for value in values]


class Scope(_Strict):
    """Which notes a checklist applies to.

    ``performed``: notes documenting a procedure of one of ``families`` (``any`` = all);
    ``planned``: consult/office notes of ``note_kinds`` that plan one of ``families``;
    ``detected``: notes where one of ``detectors`` matches, whatever the reader made of the
    procedure (checked per performed procedure of ``families``, else once for the note);
    ``unrecognised``: notes in which the reader could name no procedure, of kind
    ``procedure``, or of kind ``other`` where at least ``detectors_needed`` of ``detectors``
    (words of a procedure) match.
    With ``performed``, non-empty ``detectors`` narrow it further; a hit of any of
    ``unless_detected`` keeps the checklist off the note (a service another checklist owns).
    """

    mode: Literal["performed", "planned", "detected", "unrecognised"]
    families: list[Family] | Literal["any"]
    note_kinds: list[NoteKind] | None = None
    detectors: list[str] = Field(default_factory=list)
    detectors_needed: int = Field(default=1, ge=1)
    unless_detected: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _detectors(self) -> Scope:
        if self.mode == "detected" and not self.detectors:
            raise ValueError("mode 'detected' needs 'detectors'")
        if self.mode == "planned" and self.detectors:
            raise ValueError("mode 'planned' takes no 'detectors'")
        if self.detectors_needed > max(1, len(self.detectors)):
            raise ValueError("'detectors_needed' is more than the detectors listed")
        return self


class Checklist(_Strict):
    """One versioned checklist file (``checklists/<id>.v<version>.yaml``).

    ``example_frame`` is the short synthetic note each element's examples are put into.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(ge=1)
    title: str
    scope: Scope
    example_frame: str = EXAMPLE_SLOT
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors only")
    elements: list[ChecklistElement] = Field(min_length=1)

    @field_validator("example_frame")
    @classmethod
    def _frame(cls, frame: str) -> str:
        return _check_frame(frame)

    def example_note(self, element: ChecklistElement, kind: Literal["present", "missing"]) -> str:
        """The synthetic note of one of ``element``'s examples (snippet put into its frame)."""
        frame = element.examples.frame or self.example_frame
        snippet = element.examples.present if kind == "present" else element.examples.missing
        return frame.replace(EXAMPLE_SLOT, snippet)


class Detector(_Strict):
    """A regex rule marking an element in the note text (for elements beyond the reader's).

    A match counts unless a reader ConText modifier of a ``voided_by`` category points at
    it from its sentence (negation is the reader's one reading of the note), or its sentence
    matches one of ``unless`` (what ConText does not say: plans, numeric comparisons). A
    pattern may name the part of the match that holds a value, ``(?P<value>...)``, for the
    named predicates that compare a duration, percent or score with a threshold.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    element: str | None = None
    patterns: list[LinearRegex] = Field(min_length=1)
    unless: list[LinearRegex] = Field(default_factory=list)
    voided_by: list[ContextCategory] = Field(default_factory=list)

    @field_validator("element")
    @classmethod
    def _known(cls, name: str | None) -> str | None:
        if name is not None and name not in ALL_ELEMENTS:
            raise ValueError(f"unknown element {name!r}")
        return name


class DetectorFile(_Strict):
    """The regex detectors (where a missing item belongs comes from the reader's sections).

    ``vocabulary`` names fragments several detectors share (a title line's label, a drug
    class), used in a pattern as ``{{name}}``.
    """

    version: int = Field(ge=1)
    vocabulary: dict[str, str] = Field(default_factory=dict)
    detectors: list[Detector]

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        return with_vocabulary(data, "detectors", ("patterns", "unless"))


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
    "EXAMPLE_SLOT",
    "EXTRA_ELEMENTS",
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
