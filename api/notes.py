"""Turn a request's note input (text or DocumentReference) into validated text."""

from __future__ import annotations

from api.fhir import note_from_document_reference
from api.schemas import NoteInput
from assistant.notes import validate_note_text


def note_text(body: NoteInput) -> tuple[str, str]:
    """``(text, note_id)`` for a request; raises coded note or FHIR input errors."""
    if body.document_reference is not None:
        resource = body.document_reference.model_dump(mode="json", exclude_none=True)
        text, resource_id = note_from_document_reference(resource)
        return text, body.note_id or resource_id or "note"
    assert body.note is not None  # guaranteed by NoteInput's validator
    return validate_note_text(body.note, "note"), body.note_id or "note"
