"""What a hook call gives the check: the note (draft or prefetched) and draft-order CPTs."""

from __future__ import annotations

from typing import Any

from api.cds.wire import CdsRequest
from api.fhir import note_from_document_reference, resources_of_type
from assistant.checks import Claim, ClaimLine

CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"


def _latest(documents: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not documents:
        return None
    return max(documents, key=lambda d: str(d.get("date") or ""))


def find_note(request: CdsRequest) -> tuple[str, str] | None:
    """``(text, note id)`` for the hook: the draft note, else the latest prefetched note.

    Raises:
        FhirInputError: the DocumentReference found cannot be read.
    """
    context = request.context
    candidates: list[dict[str, Any]] = []
    if request.hook == "note-sign":
        candidates = resources_of_type(context.get("draftNotes"), "DocumentReference")
        candidates += resources_of_type(context.get("draftNote"), "DocumentReference")
    if not candidates and request.prefetch:
        candidates = resources_of_type(request.prefetch.get("notes"), "DocumentReference")
    document = _latest(candidates)
    if document is None:
        return None
    text, resource_id = note_from_document_reference(document)
    return text, resource_id or request.hookInstance


def claim_from_orders(request: CdsRequest) -> Claim | None:
    """Claim lines from the CPT codes of ``order-sign`` draft orders (others are ignored)."""
    if request.hook != "order-sign":
        return None
    lines: list[ClaimLine] = []
    for order in resources_of_type(request.context.get("draftOrders"), "ServiceRequest"):
        for coding in (order.get("code") or {}).get("coding") or []:
            if isinstance(coding, dict) and coding.get("system") == CPT_SYSTEM:
                try:
                    lines.append(ClaimLine(cpt=str(coding.get("code", ""))))
                except ValueError:
                    continue
    return Claim(lines=lines) if lines else None
