"""The coverage map: which payer profile a FHIR Coverage selects (checklist data).

``checklists/coverage/coverage-map.v1.yaml`` holds ordered rules; the first rule with a
matching criterion names the payer profile. The registry loads and validates it with the
other checklist files (``chartready checklists validate``); the CDS Hooks service reads it
from there to choose the payer profile of a hook call.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.datafiles import LinearRegex
from assistant.errors import Errors, RuleFileError

COVERAGE_MAP_FILE = Path("coverage") / "coverage-map.v1.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodingMatch(_Strict):
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


class CoverageRule(_Strict):
    """One coverage-map rule: criteria on a Coverage and the payer profile they select."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    payer: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    type_codings: list[CodingMatch] = Field(default_factory=list)
    payor_identifiers: list[CodingMatch] = Field(default_factory=list)
    payor_display: list[LinearRegex] = Field(default_factory=list)
    class_text: list[LinearRegex] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_criteria(self) -> CoverageRule:
        criteria = (self.type_codings, self.payor_identifiers, self.payor_display, self.class_text)
        if not any(criteria):
            raise ValueError("a rule needs at least one criterion")
        return self


class CoverageMap(_Strict):
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


def check_coverage_payers(coverage_map: CoverageMap, known: Collection[str], where: str) -> None:
    """Refuse rules that select a payer profile the registry does not have.

    Raises:
        RuleFileError: names the file and the rule's path, e.g. ``[rules -> 1 -> payer]``.
    """
    for index, rule in enumerate(coverage_map.rules):
        if rule.payer not in known:
            errors = (
                f"[rules -> {index} -> payer] unknown payer {rule.payer!r}; "
                f"known: {', '.join(sorted(known))}"
            )
            raise RuleFileError(Errors.E001, file=where, errors=errors)
