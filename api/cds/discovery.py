"""The CDS services ChartReady offers (``GET /cds-services``) and what they prefetch."""

from __future__ import annotations

from api.cds.wire import CdsDiscovery, CdsService

SERVICE_ID = "chartready-note-check"
SUPPORTED_HOOKS = ("encounter-discharge", "order-sign", "note-sign")
NOTES_PREFETCH = (
    "DocumentReference?patient={{context.patientId}}&encounter={{context.encounterId}}"
    "&status=current"
)
COVERAGE_PREFETCH = "Coverage?patient={{context.patientId}}&status=active"
_DESCRIPTION = (
    "Checks the visit's pain-procedure note for documentation that the payer's policy "
    "requires, before it is signed or billed. The payer profile comes from the active "
    "Coverage when one is prefetched."
)


def discovery() -> CdsDiscovery:
    """One service per hook (ids are unique); the plain id accepts every supported hook."""
    services = [
        CdsService(
            hook="encounter-discharge",
            id=SERVICE_ID,
            title="ChartReady note check",
            description=_DESCRIPTION,
            prefetch={"notes": NOTES_PREFETCH, "coverage": COVERAGE_PREFETCH},
            usageRequirements="Also accepts order-sign and note-sign calls at this id.",
        ),
        CdsService(
            hook="order-sign",
            id=f"{SERVICE_ID}-order-sign",
            title="ChartReady note check (order sign)",
            description=_DESCRIPTION + " CPT codes on draft orders are checked as claim lines.",
            prefetch={"notes": NOTES_PREFETCH, "coverage": COVERAGE_PREFETCH},
        ),
        CdsService(
            hook="note-sign",
            id=f"{SERVICE_ID}-note-sign",
            title="ChartReady note check (note sign)",
            description=_DESCRIPTION
            + " Proposed hook (shape of the report-sign proposal): context.draftNotes is a"
            " Bundle of DocumentReference.",
            prefetch={"coverage": COVERAGE_PREFETCH},
        ),
    ]
    return CdsDiscovery(services=services)


SERVICE_IDS = frozenset(service.id for service in discovery().services)
