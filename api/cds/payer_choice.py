"""The payer profile of a hook call, from its prefetched FHIR Coverage and the coverage map.

The coverage map is checklist data (:mod:`assistant.checks.coverage`), loaded and validated
by the checklist registry; the ``cds_coverage_map`` setting may point at another copy.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from api.fhir import resources_of_type
from assistant.checks import load_registry
from assistant.checks.coverage import CoverageMap, CoverageRule
from assistant.checks.registry import load_coverage_map
from assistant.errors import validation_paths

logger = logging.getLogger("chartready.api.cds")


@lru_cache(maxsize=4)
def cds_coverage_map(path: str | None = None) -> CoverageMap:
    """The coverage map at ``path`` (the ``cds_coverage_map`` setting), else the registry's.

    A file at ``path`` must select only the registry's payer profiles. A checklist directory
    without a coverage map (an older practice copy) gives an empty map, so every call uses
    the default payer.

    Raises:
        RuleFileError: the file at ``path`` is invalid.
    """
    registry = load_registry()
    if path is not None:
        return load_coverage_map(Path(path), registry.payers)
    if registry.coverage is None:
        logger.warning("no coverage map in the checklist directory; CDS uses the default payer")
        return CoverageMap(version=1)
    return registry.coverage


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
    """The fields of a FHIR R4 Coverage the payer mapping reads (others are ignored).

    Not ``fhir.resources``' Coverage (see :mod:`api.fhir` for the general reasons): it
    refuses a whole Coverage for one field it does not know or a missing ``beneficiary``,
    which would turn a readable Medicare Coverage into the default payer, and it reports a
    ``type`` that is not an object as "Invalid JSON".
    """

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
    return resources_of_type(value, "Coverage")


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
