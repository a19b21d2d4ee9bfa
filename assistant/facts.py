"""NoteFacts: the note-facts/v1 contract between reading a note and judging it.

The reader fills it; the checklist engine only reads it. Field names and vocabularies are
exactly those of ``shared/corpus/FORMAT.md``; ``evidence`` adds where each value came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA: Literal["note-facts/v1"] = "note-facts/v1"

NoteKind = Literal["procedure", "office_visit", "consult", "other"]
Family = Literal[
    "esi",
    "facet_mbb",
    "facet_joint_injection",
    "facet_rfa",
    "si_joint_injection",
    "si_rfa",
    "trigger_point",
    "joint_injection",
    "genicular",
    "peripheral_nerve_block",
    "sympathetic_block",
    "neurolysis_other",
    "vertebral_augmentation",
    "scs_trial",
    "scs_implant",
    "intrathecal_pump",
    "epidural_adhesiolysis",
    "epidural_blood_patch",
    "discography",
    "chemodenervation",
    "other",
]
FAMILIES: tuple[Family, ...] = Family.__args__  # type: ignore[attr-defined]
Approach = Literal["interlaminar", "transforaminal", "caudal"]
Region = Literal["cervical", "thoracic", "lumbar", "sacral", "other"]
Laterality = Literal["left", "right", "bilateral"]
Guidance = Literal["fluoroscopy", "ct", "ultrasound", "none"]
Assertion = Literal["affirmed", "negated", "hypothetical", "historical", "family", "uncertain"]

ELEMENT_NAMES: tuple[str, ...] = (
    "informed_consent",
    "pain_duration",
    "conservative_therapy",
    "conservative_therapy_duration",
    "conservative_therapy_failed",
    "functional_impairment",
    "pain_score",
    "imaging_findings",
    "prior_block_relief",
    "complications",
    "images_saved",
    "medication_dose",
    "sedation_or_anesthesia",
    "post_procedure_assessment",
    "exam_documented",
    "diagnosis_stated",
    "opioid_risk_monitoring",
    "total_time",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Procedure(_Strict):
    """One performed procedure: a family in one region on one side, as the note groups it."""

    family: Family
    approach: Approach | None = None
    region: Region | None = None
    levels: list[str] = Field(default_factory=list)
    laterality: Laterality | None = None
    guidance: Guidance | None = None
    contrast: bool | None = None


class Elements(_Strict):
    """The 18 documentation elements; ``True`` only when affirmatively documented."""

    informed_consent: bool = False
    pain_duration: bool = False
    conservative_therapy: bool = False
    conservative_therapy_duration: bool = False
    conservative_therapy_failed: bool = False
    functional_impairment: bool = False
    pain_score: bool = False
    imaging_findings: bool = False
    prior_block_relief: bool = False
    complications: bool = False
    images_saved: bool = False
    medication_dose: bool = False
    sedation_or_anesthesia: bool = False
    post_procedure_assessment: bool = False
    exam_documented: bool = False
    diagnosis_stated: bool = False
    opioid_risk_monitoring: bool = False
    total_time: bool = False


class Evidence(_Strict):
    """Where one extracted value came from: a character span of the original note.

    ``field`` is a path into NoteFacts (``elements.pain_score``, ``procedures[0].levels``,
    ``planned_procedures``, ``note_kind``); ``value`` is the value this span supports.
    """

    field: str
    value: str | bool | None
    start: int
    end: int
    text: str
    section: str | None = None
    assertion: Assertion = "affirmed"
    trigger: str | None = None
    rule: str | None = None


class NoteFacts(_Strict):
    """Everything the reader found documented in one note (note-facts/v1 plus evidence)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["note-facts/v1"] = Field(default=SCHEMA, alias="schema")
    note_id: str
    note_kind: NoteKind = "other"
    procedures: list[Procedure] = Field(default_factory=list)
    planned_procedures: list[Family] = Field(default_factory=list)
    elements: Elements = Field(default_factory=Elements)
    evidence: list[Evidence] = Field(default_factory=list)
    reader_version: str | None = None

    def to_json_dict(self) -> dict[str, object]:
        """Serialise with the wire names of note-facts/v1 (``schema``, not ``schema_``)."""
        return self.model_dump(mode="json", by_alias=True)
