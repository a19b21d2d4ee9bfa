"""Request and response models, named by role (``*Request``, ``*Public``).

A DocumentReference in a request is checked here for its shape only (``DocumentReferenceIn``;
:func:`api.fhir.note_from_document_reference` reads it), not with ``fhir.resources``'
model (see :mod:`api.fhir` for why reading uses JSON): in a request body that model would
also put 11 kB of loosely typed schema (nested elements as ``{}``, the library's own
``fhir_comments``) into the OpenAPI document, and the property tests generated from it
would reach the ``KeyError`` it raises for an unknown ``contained`` resource. The class
docstrings here are the OpenAPI descriptions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from api.problems import Problem
from assistant.checks import AppliedChecklist
from assistant.checks.claims import Claim, ProcedureHistory
from assistant.em import EMAssessment
from assistant.facts import NoteFacts
from assistant.findings import Finding, Verdict
from assistant.risk import RiskScore

EXAMPLE_NOTE = (
    "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection under fluoroscopy.\n"
    "Informed consent was obtained. Pain 7/10 for 8 months despite 6 weeks of physical "
    "therapy.\nIsovue contrast confirmed epidural spread. 80 mg triamcinolone injected.\n"
    "No complications. Images saved."
)


class AttachmentIn(BaseModel):
    """FHIR Attachment (only the fields ChartReady reads are declared)."""

    model_config = ConfigDict(extra="allow")

    contentType: str | None = None
    data: str | None = None


class ContentIn(BaseModel):
    """FHIR DocumentReference.content."""

    model_config = ConfigDict(extra="allow")

    attachment: AttachmentIn


class DocumentReferenceIn(BaseModel):
    """A FHIR R4 DocumentReference carrying the note as a base64 text/plain attachment."""

    model_config = ConfigDict(extra="allow")

    resourceType: Literal["DocumentReference"]
    id: str | None = None
    content: list[ContentIn] = Field(min_length=1)


class NoteInput(BaseModel):
    """A note as plain text or as a FHIR DocumentReference (exactly one)."""

    note: str | None = Field(
        default=None,
        validation_alias=AliasChoices("note", "text"),
        description="The note's plain text (UTF-8); ``text`` is accepted as an alias.",
    )
    document_reference: DocumentReferenceIn | None = Field(
        default=None, description="A FHIR R4 DocumentReference with a text/plain attachment."
    )
    note_id: str | None = Field(
        default=None, max_length=200, description="Caller's id for the note, echoed back."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> NoteInput:
        if (self.note is None) == (self.document_reference is None):
            raise ValueError("send exactly one of 'note' or 'document_reference'")
        return self


class ExtractRequest(NoteInput):
    """Read one note and return its documented facts."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": EXAMPLE_NOTE, "note_id": "example-1"}]}
    )


class ExtractPublic(BaseModel):
    """The facts found in one note (note-facts/v1 with evidence offsets)."""

    facts: NoteFacts
    reader_version: str


class HealthPublic(BaseModel):
    """Liveness or readiness."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "checks": {}},
                {
                    "status": "ready",
                    "checks": {"reader": "warm", "readers": "2/2 processes", "store": "ok"},
                },
            ]
        }
    )

    status: Literal["ok", "ready", "starting"]
    checks: dict[str, Any] = Field(default_factory=dict)


class CheckRequest(NoteInput):
    """Check one note against the payer's checklists (and the claim, when given)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "note": EXAMPLE_NOTE,
                    "note_id": "example-1",
                    "payer": "medicare",
                    "claim": {
                        "lines": [{"cpt": "64483", "modifiers": ["LT"], "icd10": ["M54.17"]}]
                    },
                    "store": False,
                }
            ]
        }
    )

    payer: str = Field(default="commercial", max_length=50, description="A payer profile id.")
    claim: Claim | None = Field(default=None, description="Claim lines for the date of service.")
    history: ProcedureHistory | None = Field(
        default=None, description="Earlier procedure sessions (frequency limits, RFA ladder)."
    )
    store: bool = Field(default=False, description="Keep the result (no note text) if true.")
    patient_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description=(
            "The practice's pseudonymous patient key (no names). When given, each procedure "
            "of the note is also compared with the patient's stored prior authorizations "
            "(code, levels, side, validity window on the claim's date of service, else "
            "today); what differs is added as AUTH-* findings."
        ),
    )


class VersionsPublic(BaseModel):
    """The versions of everything that shaped a result."""

    api: str
    reader: str | None
    checklists: dict[str, int]
    risk_model: str | None = None


class CheckPublic(BaseModel):
    """One check: verdict, findings with evidence offsets, risk, checklists and facts."""

    note_id: str
    payer: str
    verdict: Verdict
    risk: RiskScore | None
    findings: list[Finding]
    checklists: list[AppliedChecklist]
    facts: NoteFacts
    em: EMAssessment | None = None
    versions: VersionsPublic
    stored_id: int | None = Field(default=None, description="Set when store=true.")


class CheckBatchRequest(BaseModel):
    """Several checks in one request (the server's batch limit applies)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [{"note": EXAMPLE_NOTE, "note_id": "a", "payer": "commercial"}]}]
        }
    )

    items: list[CheckRequest] = Field(min_length=1, max_length=256)


class BatchItemPublic(BaseModel):
    """One batch item: its result, or the problem that stopped it."""

    index: int
    result: CheckPublic | None = None
    error: Problem | None = None


class CheckBatchPublic(BaseModel):
    """Results in request order; a bad item does not fail the others."""

    items: list[BatchItemPublic]
    count: int


class ChecklistSummary(BaseModel):
    """A checklist's identity and scope."""

    id: str
    version: int
    title: str
    elements: int
    families: list[str] | Literal["any"]
    mode: str


class ChecklistsPublic(BaseModel):
    """All checklists."""

    data: list[ChecklistSummary]
    count: int
