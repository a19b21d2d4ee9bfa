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
# Each family in words, for pages and reports (the ids stay in the API, exports and logs).
# Typed by ``str`` so ids read back from a store can be looked up; a test keeps the keys
# equal to FAMILIES.
FAMILY_LABELS: dict[str, str] = {
    "esi": "Epidural steroid injection",
    "facet_mbb": "Facet medial branch block",
    "facet_joint_injection": "Facet joint injection",
    "facet_rfa": "Facet radiofrequency ablation",
    "si_joint_injection": "Sacroiliac joint injection",
    "si_rfa": "Sacroiliac joint radiofrequency ablation",
    "trigger_point": "Trigger point injection",
    "joint_injection": "Joint, bursa or tendon sheath injection",
    "genicular": "Genicular nerve block or ablation",
    "peripheral_nerve_block": "Peripheral nerve block",
    "sympathetic_block": "Sympathetic nerve block",
    "neurolysis_other": "Neurolysis (other nerves)",
    "vertebral_augmentation": "Vertebral augmentation (vertebroplasty, kyphoplasty)",
    "scs_trial": "Spinal cord stimulator trial",
    "scs_implant": "Spinal cord stimulator implant",
    "intrathecal_pump": "Intrathecal pump",
    "epidural_adhesiolysis": "Epidural adhesiolysis",
    "epidural_blood_patch": "Epidural blood patch",
    "discography": "Discography",
    "chemodenervation": "Chemodenervation (botulinum toxin)",
    "other": "Other procedure",
}
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


def family_label(family: str | None, approach: str | None = None) -> str:
    """A family id in words, led by its approach when known.

    ``("esi", "transforaminal")`` gives "Transforaminal epidural steroid injection". No id
    (or the worklist's ``none``, a note without a procedure) reads "No procedure found"; an id
    outside the vocabulary (stored by an older version) is shown with spaces, never refused.
    """
    if not family or family == "none":
        return "No procedure found"
    label = FAMILY_LABELS.get(family) or family.replace("_", " ").capitalize()
    if approach:
        return f"{approach.capitalize()} {label[:1].lower()}{label[1:]}"
    return label


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
