"""The CDS services ChartReady offers (``GET /cds-services``) and what they prefetch."""

from __future__ import annotations

from api.cds.wire import CdsDiscovery, CdsService

SERVICE_ID = "chartready-note-check"
PREAUTH_SERVICE_ID = "chartready-prior-authorization"
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
_PREAUTH_DESCRIPTION = (
    "For each procedure order (a ServiceRequest with a CPT code), says whether the payer "
    "needs prior authorization for it in this place of service and, if it does, whether an "
    "authorization on file for the patient covers it; when none does, names what is missing "
    "and links to the prior-authorization packet page. The payer profile comes from the "
    "active Coverage when one is prefetched."
)


def discovery() -> CdsDiscovery:
    """One service per hook (ids are unique); the plain id accepts every supported hook.

    The prior-authorization service answers ``order-sign`` only.
    """
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
        CdsService(
            hook="order-sign",
            id=PREAUTH_SERVICE_ID,
            title="ChartReady prior authorization (order sign)",
            description=_PREAUTH_DESCRIPTION,
            prefetch={"coverage": COVERAGE_PREFETCH},
            usageRequirements=(
                "context.patientId is the practice's patient key the authorizations are "
                "recorded under. Send pain-procedure orders: a CPT code ChartReady does not "
                "know is refused (400). The place of service is read from "
                "ServiceRequest.locationCode (CMS place-of-service codes), levels and side "
                "from bodySite."
            ),
        ),
    ]
    return CdsDiscovery(services=services)


SERVICE_IDS = frozenset(service.id for service in discovery().services)
