"""Request and response models, named by role (``*Request``, ``*Public``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.facts import NoteFacts

EXAMPLE_NOTE = (
    "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection under fluoroscopy.\n"
    "Informed consent was obtained. Pain 7/10 for 8 months despite 6 weeks of physical "
    "therapy.\nIsovue contrast confirmed epidural spread. 80 mg triamcinolone injected.\n"
    "No complications. Images saved."
)


class AttachmentIn(BaseModel):
    """FHIR Attachment (only the fields ChartReady reads are declared)."""

    model_config = ConfigDict(extra="allow")

    contentType: str | None = None  # noqa: N815 - FHIR element name
    data: str | None = None


class ContentIn(BaseModel):
    """FHIR DocumentReference.content."""

    model_config = ConfigDict(extra="allow")

    attachment: AttachmentIn


class DocumentReferenceIn(BaseModel):
    """A FHIR R4 DocumentReference carrying the note as a base64 text/plain attachment."""

    model_config = ConfigDict(extra="allow")

    resourceType: Literal["DocumentReference"]  # noqa: N815 - FHIR element name
    id: str | None = None
    content: list[ContentIn] = Field(min_length=1)


class NoteInput(BaseModel):
    """A note as plain text or as a FHIR DocumentReference (exactly one)."""

    note: str | None = Field(default=None, description="The note's plain text (UTF-8).")
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

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok", "ready", "starting"]
    checks: dict[str, Any] = Field(default_factory=dict)
