"""Prior-authorization criteria as versioned data (``checklists/preauth/criteria.v<N>.yaml``).

A criterion names the planned families it applies to, a plain message, and how it is
judged over the whole timeline (``check``). Its fix, provider query and source are those of
an existing rule (``same_as``: a checklist element or coding rule), so a gap reads the same
here as in the pre-sign check and cites the same public policy; a criterion may state its
own instead. ``notes_rule`` names the checklist element whose ``requires`` is evaluated on
every note (for ``check: notes``, and when a timeline check finds nothing to judge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.checks.registry import ChecklistRegistry
from assistant.checks.schema import Expr
from assistant.datafiles import load_yaml
from assistant.errors import Errors, RuleFileError
from assistant.facts import Family
from assistant.findings import Query, SourceRef

CRITERIA_FILE = Path("preauth") / "criteria.v1.yaml"
CheckName = Literal[
    "notes", "prior_blocks", "repeat_relief", "frequency", "trial_success", "imaging_at_target"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Criterion(_Strict):
    """One payer criterion for one or more planned families."""

    id: str = Field(pattern=r"^PA-\d{3}$")
    families: list[Family] = Field(min_length=1)
    message: str = Field(min_length=1)
    check: CheckName
    same_as: str | None = None
    notes_rule: str | None = None
    args: dict[str, str | int | float | bool | list[str]] = Field(default_factory=dict)
    fix: str | None = None
    query: Query | None = None
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _complete(self) -> Criterion:
        """A notes check names its rule; texts come from ``same_as`` or are all given."""
        if self.check == "notes" and self.notes_rule is None:
            raise ValueError("check 'notes' needs notes_rule (a checklist element id)")
        if self.same_as is None and None in (self.fix, self.query, self.source):
            raise ValueError("give same_as, or all of fix, query and source")
        return self


class CriteriaFile(_Strict):
    version: int = Field(ge=1)
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors only")
    criteria: list[Criterion] = Field(min_length=1)


@dataclass(frozen=True)
class ResolvedCriterion:
    """A criterion with its texts filled in and the rule expression/params it reuses."""

    criterion: Criterion
    fix: str
    query: Query
    source: SourceRef
    requires: Expr | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.criterion.id


@dataclass(frozen=True)
class Criteria:
    """Every criterion of one criteria file, resolved against the checklist registry."""

    version: int
    items: tuple[ResolvedCriterion, ...]

    def families(self) -> list[str]:
        """The planned families that have criteria."""
        return sorted({f for item in self.items for f in item.criterion.families})

    def for_family(self, family: str) -> list[ResolvedCriterion]:
        """The criteria of one planned family, in file order."""
        return [item for item in self.items if family in item.criterion.families]


def _rules(registry: ChecklistRegistry) -> dict[str, tuple[str, Query, SourceRef, Any, Any]]:
    """Rule id -> (fix, query, source, requires, params) for every element and coding rule."""
    out: dict[str, tuple[str, Query, SourceRef, Any, Any]] = {
        element.id: (element.fix, element.query, element.source, element.requires, {})
        for checklist in registry.all()
        for element in checklist.elements
    }
    for rule in registry.coding.rules:
        out[rule.id] = (rule.fix, rule.query, rule.source, None, rule.params)
    return out


def resolve(data: CriteriaFile, registry: ChecklistRegistry, file: object) -> Criteria:
    """Fill each criterion from the rules it names; unknown ids are Errors.E001."""
    rules = _rules(registry)
    seen: set[str] = set()
    items = []
    for index, crit in enumerate(data.criteria):
        where = f"criteria -> {index}"
        if crit.id in seen:
            raise RuleFileError(Errors.E001, file=file, errors=f"[{where} -> id] {crit.id} reused")
        seen.add(crit.id)
        for key in ("same_as", "notes_rule"):
            rule_id = getattr(crit, key)
            if rule_id is not None and rule_id not in rules:
                problem = f"[{where} -> {key}] unknown rule {rule_id!r}"
                raise RuleFileError(Errors.E001, file=file, errors=problem)
        base = rules[crit.same_as] if crit.same_as else None
        requires = rules[crit.notes_rule][3] if crit.notes_rule else None
        if crit.notes_rule and requires is None:
            problem = f"[{where} -> notes_rule] {crit.notes_rule} is not a checklist element"
            raise RuleFileError(Errors.E001, file=file, errors=problem)
        fix = crit.fix or (base[0] if base else "")
        query = crit.query or (base[1] if base else None)
        source = crit.source or (base[2] if base else None)
        assert query is not None and source is not None  # guaranteed by Criterion._complete
        params = {**(base[4] if base else {}), **crit.args}
        items.append(ResolvedCriterion(crit, fix, query, source, requires, params))
    return Criteria(data.version, tuple(items))


def load_criteria_from(path: Path, registry: ChecklistRegistry) -> Criteria:
    """Load and resolve one criteria file (uncached).

    Raises:
        RuleFileError: the file is unreadable, invalid, or names an unknown rule.
    """
    return resolve(load_yaml(str(path), CriteriaFile), registry, path)


_LOADED: dict[tuple[Path, int], Criteria] = {}


def load_criteria(registry: ChecklistRegistry) -> Criteria:
    """The criteria beside the registry's checklists (loaded once per registry)."""
    key = (registry.root, id(registry))
    if key not in _LOADED:
        _LOADED[key] = load_criteria_from(registry.root / CRITERIA_FILE, registry)
    return _LOADED[key]
