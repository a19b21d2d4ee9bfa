"""FHIR R4 input: the note text inside a DocumentReference's base64 attachment.

Problems are reported as OperationOutcome issues with FHIRPath-like expressions; the note
text is never quoted in a diagnostic.

Resources ChartReady writes are built with ``fhir.resources`` (its R4B models: the
resources used here are the same in R4 and R4B). Resources it reads are walked as JSON
instead, because the library's models do not fit untrusted, partial input:

- they validate a whole resource strictly: a draft note without ``status``, a draft order
  without ``subject`` or a Coverage with one unknown field is refused as a whole, although
  ChartReady reads only a few fields of it;
- an unknown ``resourceType`` in a Bundle entry or in ``contained`` raises ``KeyError``
  (an internal error) instead of a validation error;
- an attachment's invalid base64 is accepted as empty data, so an unreadable note could not
  be told from an empty one.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent

from api.problems import FhirInputError, fhir_issue
from assistant.errors import NoteInputError
from assistant.notes import decode_note

TEXT_TYPES = ("text/plain",)


def _is_text(content_type: object) -> bool:
    if not isinstance(content_type, str):
        return False
    return content_type.split(";", 1)[0].strip().lower() in TEXT_TYPES


def resources_of_type(value: object, resource_type: str) -> list[dict[str, Any]]:
    """Resources of ``resource_type`` in a resource, a Bundle or a list of either.

    Anything else (other resources, malformed entries) is skipped.
    """
    if isinstance(value, list):
        return [r for item in value for r in resources_of_type(item, resource_type)]
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == resource_type:
        return [value]
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        return [
            r
            for entry in entries
            if isinstance(entry, dict)
            for r in resources_of_type(entry.get("resource"), resource_type)
        ]
    return []


def note_from_document_reference(resource: dict[str, Any]) -> tuple[str, str | None]:
    """``(text, resource id)`` from the first text/plain attachment with inline data.

    Raises:
        FhirInputError: the resource is not a usable DocumentReference.
    """
    if resource.get("resourceType") != "DocumentReference":
        raise FhirInputError(
            [fhir_issue("expected a DocumentReference resource", "resourceType", "structure")]
        )
    contents = resource.get("content")
    if not isinstance(contents, list) or not contents:
        raise FhirInputError(
            [fhir_issue("DocumentReference.content is required", "DocumentReference.content")]
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
                [
                    fhir_issue(
                        "the attachment has no inline base64 data", f"{where}.data", "required"
                    )
                ]
            )
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise FhirInputError(
                [fhir_issue("attachment.data is not valid base64", f"{where}.data")]
            ) from None
        try:
            text = decode_note(raw, f"{where}.data")
        except NoteInputError as exc:
            raise FhirInputError([fhir_issue(f"{exc.code} {exc}", f"{where}.data")]) from None
        resource_id = resource.get("id")
        return text, resource_id if isinstance(resource_id, str) else None
    found = ", ".join(sorted(set(seen_types))) or "none"
    raise FhirInputError(
        [
            fhir_issue(
                f"no text/plain attachment found (content types: {found})",
                "DocumentReference.content.attachment.contentType",
                "not-supported",
            )
        ]
    )


def document_reference(text: str, resource_id: str = "note") -> dict[str, Any]:
    """A minimal DocumentReference carrying ``text`` (for examples, tests and the bench)."""
    attachment = Attachment(
        contentType="text/plain; charset=utf-8", data=base64.b64encode(text.encode("utf-8"))
    )
    resource = DocumentReference(
        id=resource_id,
        status="current",
        content=[DocumentReferenceContent(attachment=attachment)],
    )
    return resource.model_dump(mode="json", exclude_none=True)
