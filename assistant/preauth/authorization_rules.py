"""The payer authorization table as data (``checklists/preauth/authorization-rules.v<N>.yaml``).

Three parts, each a record checked when it loads: **rules** (which payer profile needs prior
authorization for which procedure families in which places of service, from when, with the
source cited); **sequences** (staged care whose next step needs its own request, MBB 1 ->
MBB 2 -> RFA); and **mismatch_rules** (the warnings a procedure note gets when it does not
match the authorization on file). Errors are ``Errors.E001`` naming the place in the file,
``[rules -> 2 -> payer] unknown payer 'acme'``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.checks.claims import CptCode
from assistant.checks.registry import ChecklistRegistry
from assistant.datafiles import load_yaml
from assistant.errors import Errors, RuleFileError
from assistant.facts import Family
from assistant.findings import Query, Severity, SourceRef, Status

RULES_FILE = Path("preauth") / "authorization-rules.v1.yaml"
MismatchKind = Literal["procedure", "level", "side", "window", "visits", "status"]
MISMATCH_KINDS: tuple[MismatchKind, ...] = MismatchKind.__args__  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthorizationRule(_Strict):
    """One payer's prior-authorization requirement for some families and places of service."""

    id: str = Field(pattern=r"^PAR-\d{3}$")
    payer: str = Field(min_length=1)
    title: str = Field(min_length=1)
    families: list[Family] = Field(min_length=1)
    codes: list[CptCode] = Field(default_factory=list)
    places_of_service: list[str] | Literal["any"] = Field(min_length=1)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    example: bool = Field(default=False, description="an example policy, not read at a payer")
    carries_over: dict[Family, list[Family]] = Field(
        default_factory=dict,
        description="an authorization for the key family also covers these later steps",
    )
    note: str = Field(min_length=1)
    source: SourceRef

    @field_validator("places_of_service")
    @classmethod
    def _places(cls, places: list[str] | Literal["any"]) -> list[str] | Literal["any"]:
        """Two-digit CMS place-of-service codes (or ``any``)."""
        for place in places if places != "any" else ():
            if len(place) != 2 or not place.isdigit():
                raise ValueError(f"place of service {place!r} is not a two-digit CMS code")
        return places

    @model_validator(mode="after")
    def _consistent(self) -> AuthorizationRule:
        """An ordered window, and carry-overs from the rule's own families."""
        if self.effective_from and self.effective_until:
            if self.effective_until < self.effective_from:
                raise ValueError("effective_until is before effective_from")
        for family in self.carries_over:
            if family not in self.families:
                raise ValueError(f"carries_over names {family!r}, which is not in families")
        return self

    def applies(self, family: str, place_of_service: str | None, day: dt.date) -> bool:
        """True when this rule asks for authorization of ``family`` there on ``day``.

        An unknown place of service counts as one the rule names: the coordinator is told
        to check rather than left to assume no authorization is needed.
        """
        if family not in self.families:
            return False
        if self.effective_from and day < self.effective_from:
            return False
        if self.effective_until and day > self.effective_until:
            return False
        places = self.places_of_service
        return places == "any" or place_of_service is None or place_of_service in places

    @property
    def places_words(self) -> str:
        """The places of service in words for pages ("any setting", "POS 22, 19")."""
        if self.places_of_service == "any":
            return "any setting"
        return "POS " + ", ".join(self.places_of_service)


class StagedSequence(_Strict):
    """Staged care: each step after the first is a new procedure to authorize."""

    id: str = Field(pattern=r"^[a-z_]+$")
    title: str = Field(min_length=1)
    steps: list[Family] = Field(min_length=2)


class MismatchRule(_Strict):
    """A warning for a note that does not match its authorization (one per kind)."""

    id: str = Field(pattern=r"^AUTH-\d{3}$")
    kind: MismatchKind
    symbol: str = Field(pattern=r"^[a-z][a-z-]+$")
    title: str = Field(min_length=1)
    severity: Severity
    status: Status
    fix: str = Field(min_length=1)
    query: Query


class AuthorizationRulesFile(_Strict):
    """The whole file as written."""

    version: int = Field(ge=1)
    rules: list[AuthorizationRule] = Field(min_length=1)
    sequences: list[StagedSequence] = Field(default_factory=list)
    mismatch_rules: list[MismatchRule] = Field(min_length=1)
    mismatch_source: SourceRef


@dataclass(frozen=True)
class AuthorizationRules:
    """The validated table, with the look-ups the worklist and the note check need."""

    version: int
    rules: tuple[AuthorizationRule, ...]
    sequences: tuple[StagedSequence, ...]
    mismatch: dict[MismatchKind, MismatchRule]
    mismatch_source: SourceRef

    def required(
        self, payer: str, family: str, place_of_service: str | None, day: dt.date
    ) -> AuthorizationRule | None:
        """The first rule asking this payer for authorization of ``family`` there, or None."""
        return next(
            (
                r
                for r in self.rules
                if r.payer == payer and r.applies(family, place_of_service, day)
            ),
            None,
        )

    def for_payer(self, payer: str) -> list[AuthorizationRule]:
        """Every rule of one payer, in file order."""
        return [rule for rule in self.rules if rule.payer == payer]

    def carried(self, payer: str, family: str) -> set[str]:
        """Later families an authorization of ``family`` also covers for this payer."""
        return {
            later
            for rule in self.for_payer(payer)
            for earlier, steps in rule.carries_over.items()
            if earlier == family
            for later in steps
        }

    def source_for(self, payer: str, family: str) -> SourceRef:
        """Where a mismatch warning comes from: the payer's rule for the family, else the file's."""
        rule = next((r for r in self.for_payer(payer) if family in r.families), None)
        return rule.source if rule else self.mismatch_source


def _invalid(file: object, problem: str) -> RuleFileError:
    return RuleFileError(Errors.E001, file=file, errors=problem)


def resolve(
    data: AuthorizationRulesFile, payers: Collection[str], file: object
) -> AuthorizationRules:
    """Check what one record cannot check alone: known payers, unique ids, one rule per kind."""
    seen: set[str] = set()
    for index, rule in enumerate(data.rules):
        if rule.payer not in payers:
            known = ", ".join(sorted(payers))
            raise _invalid(
                file, f"[rules -> {index} -> payer] unknown payer {rule.payer!r}; known: {known}"
            )
        if rule.id in seen:
            raise _invalid(file, f"[rules -> {index} -> id] {rule.id} reused")
        seen.add(rule.id)
    names = [sequence.id for sequence in data.sequences]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise _invalid(file, f"[sequences -> {index} -> id] {name} reused")
    kinds: dict[MismatchKind, MismatchRule] = {}
    for index, mismatch in enumerate(data.mismatch_rules):
        if mismatch.kind in kinds:
            raise _invalid(file, f"[mismatch_rules -> {index} -> kind] {mismatch.kind} repeated")
        if mismatch.id in seen:
            raise _invalid(file, f"[mismatch_rules -> {index} -> id] {mismatch.id} reused")
        seen.add(mismatch.id)
        kinds[mismatch.kind] = mismatch
    missing = [kind for kind in MISMATCH_KINDS if kind not in kinds]
    if missing:
        raise _invalid(file, f"[mismatch_rules] no rule for {', '.join(missing)}")
    return AuthorizationRules(
        data.version,
        tuple(data.rules),
        tuple(data.sequences),
        kinds,
        data.mismatch_source,
    )


def load_authorization_rules_from(path: Path, payers: Collection[str]) -> AuthorizationRules:
    """Load and check one authorization-rules file (uncached).

    Raises:
        RuleFileError: the file is unreadable, invalid, or names an unknown payer.
    """
    return resolve(load_yaml(str(path), AuthorizationRulesFile), payers, path)


_LOADED: dict[tuple[Path, int], AuthorizationRules] = {}


def load_authorization_rules(registry: ChecklistRegistry) -> AuthorizationRules:
    """The table beside the registry's checklists (loaded once per registry)."""
    key = (registry.root, id(registry))
    if key not in _LOADED:
        path = registry.root / RULES_FILE
        _LOADED[key] = load_authorization_rules_from(path, registry.payers)
    return _LOADED[key]
