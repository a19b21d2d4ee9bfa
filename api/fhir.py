"""FHIR R4 input: the note text inside a DocumentReference's base64 attachment.

Problems are reported as OperationOutcome issues with FHIRPath-like expressions; the note
text is never quoted in a diagnostic.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from api.problems import FhirInputError, OperationOutcomeIssue
from assistant.errors import NoteInputError
from assistant.notes import decode_note

TEXT_TYPES = ("text/plain",)


def _issue(diagnostics: str, expression: str, code: str = "invalid") -> OperationOutcomeIssue:
    return OperationOutcomeIssue(code=code, diagnostics=diagnostics, expression=[expression])


def _is_text(content_type: object) -> bool:
    if not isinstance(content_type, str):
        return False
    return content_type.split(";", 1)[0].strip().lower() in TEXT_TYPES


def note_from_document_reference(resource: dict[str, Any]) -> tuple[str, str | None]:
    """``(text, resource id)`` from the first text/plain attachment with inline data.

    Raises:
        FhirInputError: the resource is not a usable DocumentReference.
    """
    if resource.get("resourceType") != "DocumentReference":
        raise FhirInputError(
            [_issue("expected a DocumentReference resource", "resourceType", "structure")]
        )
    contents = resource.get("content")
    if not isinstance(contents, list) or not contents:
        raise FhirInputError(
            [_issue("DocumentReference.content is required", "DocumentReference.content")]
        )
    seen_types: list[str] = []
    for index, content in enumerate(contents):
        attachment = content.get("attachment") if isinstance(content, dict) else None
        if not isinstance(attachment, dict):
            continue
        where = f"DocumentReference.content[{index}].attachment"
        content_type = attachment.get("contentType")
        if not _is_text(content_type):
            seen_types.append(str(content_type))
            continue
        data = attachment.get("data")
        if not isinstance(data, str) or not data:
            raise FhirInputError(
                [_issue("the attachment has no inline base64 data", f"{where}.data", "required")]
            )
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise FhirInputError(
                [_issue("attachment.data is not valid base64", f"{where}.data")]
            ) from None
        try:
            text = decode_note(raw, f"{where}.data")
        except NoteInputError as exc:
            raise FhirInputError([_issue(f"{exc.code} {exc}", f"{where}.data")]) from None
        resource_id = resource.get("id")
        return text, resource_id if isinstance(resource_id, str) else None
    found = ", ".join(sorted(set(seen_types))) or "none"
    raise FhirInputError(
        [
            _issue(
                f"no text/plain attachment found (content types: {found})",
                "DocumentReference.content.attachment.contentType",
                "not-supported",
            )
        ]
    )


def document_reference(text: str, resource_id: str = "note") -> dict[str, Any]:
    """A minimal DocumentReference carrying ``text`` (for examples, tests and the bench)."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {
        "resourceType": "DocumentReference",
        "id": resource_id,
        "status": "current",
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": data}}],
    }
