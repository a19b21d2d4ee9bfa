"""CDS Hooks 2.0: service discovery, where the note is found for each hook, and cards.

Cards follow Da Vinci CRD guidance: a short actionable ``summary`` (< 140 characters),
``warning`` for reimbursement problems and ``info`` otherwise (never ``critical``), a
``source`` naming the policy, suggestions with uuids, override reasons, and an absolute link
to the provider page for the full review.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from api.fhir import note_from_document_reference
from api.problems import FhirInputError
from assistant.checks import CheckResult, Claim, ClaimLine, Finding, load_registry
from assistant.checks.registry import default_checklist_dir, load_model
from assistant.errors import RuleFileError, validation_paths

logger = logging.getLogger("chartready.api.cds")

SERVICE_ID = "chartready-note-check"
SUPPORTED_HOOKS = ("encounter-discharge", "order-sign", "note-sign")
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
OVERRIDE_SYSTEM = "https://chartready.invalid/cds/override-reason"
SUMMARY_MAX = 139
MAX_FINDING_CARDS = 5
NOTES_PREFETCH = (
    "DocumentReference?patient={{context.patientId}}&encounter={{context.encounterId}}"
    "&status=current"
)
COVERAGE_PREFETCH = "Coverage?patient={{context.patientId}}&status=active"
COVERAGE_MAP_FILE = Path("coverage") / "coverage-map.v1.yaml"
_DESCRIPTION = (
    "Checks the visit's pain-procedure note for documentation that the payer's policy "
    "requires, before it is signed or billed. The payer profile comes from the active "
    "Coverage when one is prefetched."
)

Indicator = Literal["info", "warning", "critical"]


class Coding(BaseModel):
    """A FHIR Coding as CDS Hooks uses it."""

    model_config = ConfigDict(extra="allow")

    code: str
    system: str | None = None
    display: str | None = None


class CdsService(BaseModel):
    """One entry of the discovery response."""

    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class CdsDiscovery(BaseModel):
    """``GET /cds-services``."""

    services: list[CdsService]


class CdsRequest(BaseModel):
    """A hook call; unknown fields (and context fields) are accepted and ignored."""

    # Request examples are recorded exchanges (api/examples), attached on the route.
    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Source(BaseModel):
    """Card source: the policy behind it."""

    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    """A suggestion's action (unused for documentation gaps; kept for the shape)."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None


class Suggestion(BaseModel):
    """One thing the clinician can accept."""

    label: str
    uuid: str
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(BaseModel):
    """A link to the provider page (``absolute``)."""

    label: str
    url: str
    type: Literal["absolute", "smart"]


class Card(BaseModel):
    """A CDS Hooks card."""

    uuid: str
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CdsResponse(BaseModel):
    """Cards for one hook call."""

    cards: list[Card]


class AcceptedSuggestion(BaseModel):
    """A suggestion the clinician accepted."""

    model_config = ConfigDict(extra="allow")

    id: str


class OverrideReason(BaseModel):
    """Why a card was overridden."""

    model_config = ConfigDict(extra="allow")

    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class FeedbackItem(BaseModel):
    """One card's outcome."""

    model_config = ConfigDict(extra="allow")

    card: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime


class FeedbackRequest(BaseModel):
    """``POST .../feedback``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "feedback": [
                        {
                            "card": "0b0c3bd0-6d3c-4a3f-8f65-3c5d3c4e2b1a",
                            "outcome": "overridden",
                            "overrideReason": {
                                "reason": {
                                    "code": "documented-elsewhere",
                                    "system": OVERRIDE_SYSTEM,
                                },
                                "userComment": "Consent form scanned",
                            },
                            "outcomeTimestamp": "2026-01-05T10:00:00Z",
                        }
                    ]
                }
            ]
        },
    )

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


class FeedbackPublic(BaseModel):
    """How many feedback items were stored."""

    stored: int


OVERRIDE_REASONS = [
    Coding(code="documented-elsewhere", system=OVERRIDE_SYSTEM, display="Documented elsewhere"),
    Coding(code="not-applicable", system=OVERRIDE_SYSTEM, display="Not applicable to this case"),
    Coding(code="will-addend", system=OVERRIDE_SYSTEM, display="Will add before billing"),
]


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


def _resources(value: object, resource_type: str) -> list[dict[str, Any]]:
    """Resources of ``resource_type`` in a resource, a Bundle or a list of either."""
    if isinstance(value, list):
        return [r for item in value for r in _resources(item, resource_type)]
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
            for r in _resources(entry.get("resource"), resource_type)
        ]
    return []


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
        candidates = _resources(context.get("draftNotes"), "DocumentReference")
        candidates += _resources(context.get("draftNote"), "DocumentReference")
    if not candidates and request.prefetch:
        candidates = _resources(request.prefetch.get("notes"), "DocumentReference")
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
    for order in _resources(request.context.get("draftOrders"), "ServiceRequest"):
        for coding in (order.get("code") or {}).get("coding") or []:
            if isinstance(coding, dict) and coding.get("system") == CPT_SYSTEM:
                try:
                    lines.append(ClaimLine(cpt=str(coding.get("code", ""))))
                except ValueError:
                    continue
    return Claim(lines=lines) if lines else None


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` on one line, cut at a word boundary to fit ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def indicator_for(finding: Finding) -> Indicator:
    """``warning`` when the gap threatens payment (block/warn), else ``info``."""
    return "warning" if finding.severity in ("block", "warn") else "info"


def _review_link(review_url: str) -> Link:
    return Link(label="Open the full ChartReady review", url=review_url, type="absolute")


def _finding_card(finding: Finding, review_url: str, payer: PayerChoice | None) -> Card:
    label = finding.source.policy + (f" {finding.source.section}" if finding.source.section else "")
    detail = f"{finding.message}\n\n**Fix:** {finding.fix}\n\n**Query:** {finding.query.question}"
    if payer is not None:
        detail += "\n\n" + payer.note()
    return Card(
        uuid=str(uuid.uuid4()),
        summary=shorten(finding.fix),
        detail=detail,
        indicator=indicator_for(finding),
        source=Source(label=shorten(label, 200), url=finding.source.url),
        suggestions=[
            Suggestion(label=shorten(finding.fix, 200), uuid=str(uuid.uuid4()), isRecommended=True)
        ],
        selectionBehavior="at-most-one",
        overrideReasons=OVERRIDE_REASONS,
        links=[_review_link(review_url)],
    )


_SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def cards_for(result: CheckResult, review_url: str, payer: PayerChoice | None = None) -> list[Card]:
    """Cards for a result: the most severe findings first, the rest summed up in one card.

    ``payer`` (how the payer profile was chosen) is added to every card's detail.
    """
    findings = sorted(result.findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, 3))
    cards = [_finding_card(f, review_url, payer) for f in findings[:MAX_FINDING_CARDS]]
    rest = findings[MAX_FINDING_CARDS:]
    if rest:
        worst = "warning" if any(indicator_for(f) == "warning" for f in rest) else "info"
        cards.append(
            Card(
                uuid=str(uuid.uuid4()),
                summary=f"{len(rest)} more documentation gaps: open the full review",
                detail=payer.note() if payer is not None else None,
                indicator=worst,
                source=Source(label="ChartReady payer checklists"),
                links=[
                    Link(label="Open the full ChartReady review", url=review_url, type="absolute")
                ],
            )
        )
    return cards


def unreadable_note_card(error: FhirInputError, review_url: str) -> Card:
    """An info card saying the draft note could not be read (the hook must still answer)."""
    return Card(
        uuid=str(uuid.uuid4()),
        summary="ChartReady could not read the draft note; check it on the review page",
        detail="; ".join(issue.diagnostics for issue in error.issues),
        indicator="info",
        source=Source(label="ChartReady"),
        links=[Link(label="Open ChartReady", url=review_url, type="absolute")],
    )


# --- Payer from FHIR Coverage -------------------------------------------------------------


class _MapStrict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodingMatch(_MapStrict):
    """Codings to match: any of ``systems`` with an exact code or a code prefix."""

    systems: list[str] = Field(min_length=1)
    codes: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_to_match(self) -> CodingMatch:
        if not self.codes and not self.prefixes:
            raise ValueError("give 'codes' or 'prefixes'")
        return self

    def matches(self, system: str | None, code: str | None) -> bool:
        """Whether ``system|code`` is one of these codings."""
        if system not in self.systems or not code:
            return False
        return code in self.codes or any(code.startswith(p) for p in self.prefixes)


def _compile_all(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


class CoverageRule(_MapStrict):
    """One coverage-map rule: criteria on a Coverage and the payer profile they select."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    payer: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    type_codings: list[CodingMatch] = Field(default_factory=list)
    payor_identifiers: list[CodingMatch] = Field(default_factory=list)
    payor_display: list[str] = Field(default_factory=list)
    class_text: list[str] = Field(default_factory=list)

    _check_payor_display = field_validator("payor_display")(_compile_all)
    _check_class_text = field_validator("class_text")(_compile_all)

    @model_validator(mode="after")
    def _has_criteria(self) -> CoverageRule:
        criteria = (self.type_codings, self.payor_identifiers, self.payor_display, self.class_text)
        if not any(criteria):
            raise ValueError("a rule needs at least one criterion")
        return self


class CoverageMap(_MapStrict):
    """``checklists/coverage/coverage-map.v1.yaml``: ordered rules, first match wins."""

    version: int = Field(ge=1)
    rules: list[CoverageRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> CoverageMap:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self


def check_coverage_payers(coverage_map: CoverageMap, known: set[str], where: str) -> None:
    """Refuse rules that select a payer profile the registry does not have.

    Raises:
        RuleFileError: names the file and the rule's path, e.g. ``[rules -> 1 -> payer]``.
    """
    for index, rule in enumerate(coverage_map.rules):
        if rule.payer not in known:
            raise RuleFileError(
                f"{where}: [rules -> {index} -> payer] unknown payer {rule.payer!r}; "
                f"known: {', '.join(sorted(known))}"
            )


@lru_cache(maxsize=4)
def load_coverage_map(path: str | None = None) -> CoverageMap:
    """The coverage map at ``path`` (default: the checklist directory's copy), validated.

    A checklist directory without a coverage map (an older practice copy) gives an empty
    map, so every call uses the default payer; a present but invalid file is an error.
    """
    file = Path(path) if path else default_checklist_dir() / COVERAGE_MAP_FILE
    if path is None and not file.is_file():
        logger.warning("no coverage map in the checklist directory; CDS uses the default payer")
        return CoverageMap(version=1)
    coverage_map = load_model(file, CoverageMap)
    check_coverage_payers(coverage_map, set(load_registry().payers), str(file))
    return coverage_map


class _CodingIn(BaseModel):
    system: str | None = None
    code: str | None = None


class _ConceptIn(BaseModel):
    coding: list[_CodingIn] = Field(default_factory=list)


class _IdentifierIn(BaseModel):
    system: str | None = None
    value: str | None = None


class _ReferenceIn(BaseModel):
    display: str | None = None
    identifier: _IdentifierIn | None = None


class _ClassIn(BaseModel):
    value: str | None = None
    name: str | None = None


class CoverageIn(BaseModel):
    """The fields of a FHIR R4 Coverage the payer mapping reads (others are ignored)."""

    resourceType: Literal["Coverage"]
    status: str | None = None
    type: _ConceptIn | None = None
    payor: list[_ReferenceIn] = Field(default_factory=list)
    classes: list[_ClassIn] = Field(default_factory=list, alias="class")
    order: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class PayerChoice:
    """The payer profile a CDS call uses, and why (shown on the cards)."""

    payer: str
    from_coverage: bool
    reason: str

    def note(self) -> str:
        """One markdown line naming the profile and where it came from."""
        return f"**Payer profile:** {self.payer} ({self.reason})"


def rule_matches(rule: CoverageRule, coverage: CoverageIn) -> bool:
    """Whether any of the rule's criteria matches the Coverage."""
    codings = coverage.type.coding if coverage.type else []
    if any(m.matches(c.system, c.code) for m in rule.type_codings for c in codings):
        return True
    identifiers = [p.identifier for p in coverage.payor if p.identifier is not None]
    if any(m.matches(i.system, i.value) for m in rule.payor_identifiers for i in identifiers):
        return True
    displays = [p.display for p in coverage.payor if p.display]
    if any(re.search(rx, d, re.IGNORECASE) for rx in rule.payor_display for d in displays):
        return True
    texts = [t for c in coverage.classes for t in (c.value, c.name) if t]
    return any(re.search(rx, t, re.IGNORECASE) for rx in rule.class_text for t in texts)


def _coverage_resources(value: object) -> list[dict[str, Any]] | None:
    """Coverage resources in a prefetch value; ``None`` when the value is not FHIR we know."""
    if isinstance(value, list):
        found = [_coverage_resources(item) for item in value]
        if any(item is None for item in found):
            return None
        return [r for item in found if item is not None for r in item]
    if not isinstance(value, dict) or value.get("resourceType") not in ("Coverage", "Bundle"):
        return None
    if value["resourceType"] == "Bundle" and not isinstance(value.get("entry") or [], list):
        return None
    return _resources(value, "Coverage")


def _primary(coverages: list[CoverageIn]) -> CoverageIn | None:
    """The active Coverage with the lowest ``order`` (first listed on ties), if any."""
    active = [c for c in coverages if c.status in (None, "active")]
    if not active:
        return None
    return min(active, key=lambda c: c.order if c.order is not None else 1_000_000)


def choose_payer(prefetch_value: object, coverage_map: CoverageMap, default: str) -> PayerChoice:
    """The payer profile for a CDS call from its ``coverage`` prefetch (a Coverage or Bundle).

    Never raises: a missing, unmatched or unreadable Coverage selects ``default``, and the
    reason says which (it names fields and rules only, never member identifiers).
    """
    if prefetch_value is None:
        return PayerChoice(default, False, "default: no Coverage in the request")
    resources = _coverage_resources(prefetch_value)
    if resources is None:
        return PayerChoice(
            default, False, "default: the coverage prefetch is not a Coverage or a Bundle"
        )
    coverages: list[CoverageIn] = []
    for resource in resources:
        try:
            coverages.append(CoverageIn.model_validate(resource))
        except ValidationError as exc:
            return PayerChoice(
                default, False, f"default: the Coverage could not be read: {validation_paths(exc)}"
            )
    coverage = _primary(coverages)
    if coverage is None:
        return PayerChoice(default, False, "default: no active Coverage in the request")
    for rule in coverage_map.rules:
        if rule_matches(rule, coverage):
            return PayerChoice(rule.payer, True, f"from Coverage, rule {rule.id}")
    return PayerChoice(default, False, "default: the Coverage matched no coverage-map rule")
