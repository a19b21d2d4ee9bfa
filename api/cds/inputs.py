"""What a hook call gives: the note (draft or prefetched), draft-order CPTs, procedure orders.

:func:`procedure_orders` reads the ``order-sign`` draft orders strictly (the prior-
authorization service answers for each one, so an order it cannot read is refused with a
400 problem naming the entry, never quoting values that are not codes);
:func:`claim_from_orders` reads them leniently as claim lines for the note check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.cds.wire import CdsRequest
from api.fhir import note_from_document_reference, resources_of_type
from api.problems import ProblemError
from assistant.checks import Claim, ClaimLine
from assistant.checks.claims import CodeInfo, check_cpt
from assistant.facts import Laterality
from assistant.reader.levels import levels_in

CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
# The CMS place-of-service code system as HL7 terminology names it (CMSPlaceofServiceCodes).
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_SIDES = re.compile(r"\b(left|right|bilateral)\b", re.IGNORECASE)


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


@dataclass(frozen=True)
class ProcedureOrder:
    """One procedure a draft ServiceRequest orders: its CPT code, and where and when.

    ``levels`` and ``side`` come from ``bodySite`` (its text and codings' display) when it
    names them; ``day`` from ``occurrence[x]``, else the day of the call; ``place_of_service``
    from a ``locationCode`` coding in the CMS place-of-service system, else unknown.
    """

    where: str
    cpt: str
    description: str
    families: tuple[str, ...]
    levels: tuple[str, ...]
    side: Laterality | None
    day: dt.date
    place_of_service: str | None


def _draft_orders_error(detail: str) -> ProblemError:
    return ProblemError(400, detail, slug="draft-orders")


def _list_of_objects(value: object, where: str) -> list[dict[str, Any]]:
    """``value`` as a list of JSON objects (absent: empty), or a 400 naming ``where``."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _draft_orders_error(f"{where} must be a list of objects.")
    return value


def _concept(value: object, where: str) -> dict[str, Any]:
    """A CodeableConcept (absent: empty), or a 400 naming ``where``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _draft_orders_error(f"{where} must be a CodeableConcept object.")
    return value


def _codes(concept: dict[str, Any], system: str, where: str) -> list[str]:
    """The codes of ``concept``'s codings in ``system`` (each must be a string)."""
    codes: list[str] = []
    for coding in _list_of_objects(concept.get("coding"), f"{where}.coding"):
        if coding.get("system") != system:
            continue
        code = coding.get("code")
        if not isinstance(code, str):
            raise _draft_orders_error(f"{where}.coding: a code must be a string.")
        codes.append(code)
    return codes


def _words(concepts: list[dict[str, Any]], where: str) -> list[str]:
    """The text and coding displays of some CodeableConcepts (strings only)."""
    out: list[str] = []
    for concept in concepts:
        out += [concept["text"]] if isinstance(concept.get("text"), str) else []
        codings = _list_of_objects(concept.get("coding"), f"{where}.coding")
        out += [c["display"] for c in codings if isinstance(c.get("display"), str)]
    return out


def _side(words: list[str]) -> Laterality | None:
    """The side the words name: both sides, or "bilateral", read as bilateral."""
    found = {match.lower() for text in words for match in _SIDES.findall(text)}
    if "bilateral" in found or {"left", "right"} <= found:
        return "bilateral"
    if found == {"left"}:
        return "left"
    return "right" if found == {"right"} else None


def _day(order: dict[str, Any], where: str, today: dt.date) -> dt.date:
    """The day the order is for: ``occurrenceDateTime`` or the period's start, else today."""
    period = order.get("occurrencePeriod")
    if period is not None and not isinstance(period, dict):
        raise _draft_orders_error(f"{where}.occurrencePeriod must be a Period object.")
    field, value = "occurrenceDateTime", order.get("occurrenceDateTime")
    if value is None and period is not None:
        field, value = "occurrencePeriod.start", period.get("start")
    if value is None:
        return today
    day = _iso_day(value)
    if day is None:
        raise _draft_orders_error(f"{where}.{field} must be a FHIR dateTime with a day.")
    return day


def _iso_day(value: object) -> dt.date | None:
    """The day a FHIR dateTime starts with (``2026-03-10T09:00:00Z``), or None."""
    match = _DAY.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _place(order: dict[str, Any], where: str) -> str | None:
    """The CMS place-of-service code of the order's ``locationCode``, if one is given."""
    field = f"{where}.locationCode"
    concepts = _list_of_objects(order.get("locationCode"), field)
    codes = [code for concept in concepts for code in _codes(concept, POS_SYSTEM, field)]
    for code in codes:
        if len(code) != 2 or not code.isdigit():
            raise _draft_orders_error(
                f"{where}.locationCode: a CMS place of service is a two-digit code."
            )
    return codes[0] if codes else None


def _where(index: int, order: dict[str, Any]) -> str:
    """The entry named for messages: its position, and its id when it is a FHIR id."""
    ident = order.get("id")
    named = f" (ServiceRequest/{ident})" if isinstance(ident, str) and _FHIR_ID.match(ident) else ""
    return f"draftOrders entry {index}{named}"


def procedure_orders(
    request: CdsRequest, table: Mapping[str, CodeInfo], today: dt.date
) -> list[ProcedureOrder]:
    """The procedures the ``order-sign`` draft orders name by CPT code, in order.

    Orders other than ServiceRequests, and ServiceRequests without a CPT coding, are not
    procedures to authorize and are passed over; so are CPT codes of the coding ``table``
    that name no procedure family (imaging guidance).

    Raises:
        ProblemError: 400 ``draft-orders`` when ``context.draftOrders`` is not a Bundle of
            readable entries, or an order's code, date, body site or place cannot be read;
            400 ``unknown-cpt`` for a CPT code the coding table does not know.
    """
    bundle = request.context.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise _draft_orders_error("context.draftOrders must be a FHIR Bundle of the draft orders.")
    orders: list[ProcedureOrder] = []
    entries = _list_of_objects(bundle.get("entry"), "context.draftOrders.entry")
    for index, entry in enumerate(entries, start=1):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            raise _draft_orders_error(f"draftOrders entry {index} has no resource object.")
        if resource.get("resourceType") != "ServiceRequest":
            continue
        where = _where(index, resource)
        codes = _codes(_concept(resource.get("code"), f"{where}.code"), CPT_SYSTEM, f"{where}.code")
        if not codes:
            continue
        sites = _list_of_objects(resource.get("bodySite"), f"{where}.bodySite")
        words = _words(sites, f"{where}.bodySite")
        levels = tuple(dict.fromkeys(level for text in words for level in levels_in(text)))
        day, place = _day(resource, where, today), _place(resource, where)
        for raw in codes:
            try:
                cpt = check_cpt(raw)
            except ValueError:
                raise _draft_orders_error(
                    f"{where}.code: a code in the CPT system is not a CPT code "
                    "(5 digits, or 4 digits and F or T)."
                ) from None
            info = table.get(cpt)
            if info is None:
                raise ProblemError(
                    400,
                    f"{where}: CPT {cpt} is not a procedure code ChartReady knows; "
                    "send only pain-procedure orders to this service.",
                    slug="unknown-cpt",
                )
            if not info.families:
                continue
            orders.append(
                ProcedureOrder(
                    where=where,
                    cpt=cpt,
                    description=info.description,
                    families=tuple(info.families),
                    levels=levels,
                    side=_side(words),
                    day=day,
                    place_of_service=place,
                )
            )
    return orders
