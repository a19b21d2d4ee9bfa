"""Load and validate every checklist data file; find the checklists that fit a note.

Data lives in ``checklists/`` at the repository top level (shipped in the wheel under
``share/chartready/checklists``). ``CHARTREADY_CHECKLIST_DIR`` points elsewhere (a practice's
copy); ``CHARTREADY_PAYER_DIR`` adds payer profiles on top of the packaged ones.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

import assistant
from assistant.checks.claims import CodingTable
from assistant.checks.coding import CHECKS
from assistant.checks.payers import ResolvedPayer, resolve_payer
from assistant.checks.predicates import NAMED, referenced_names
from assistant.checks.schema import Checklist, Detector, DetectorFile, PayerProfile
from assistant.errors import RuleFileError, validation_paths
from assistant.facts import NoteFacts

ENV_DIR = "CHARTREADY_CHECKLIST_DIR"
ENV_PAYERS = "CHARTREADY_PAYER_DIR"
_CHECKLIST_FILE = re.compile(r"^(?P<id>[a-z0-9_]+)\.v(?P<version>\d+)\.yaml$")
M = TypeVar("M", bound=BaseModel)


def default_checklist_dir() -> Path:
    """``$CHARTREADY_CHECKLIST_DIR``, else the packaged checklists."""
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else _packaged_checklist_dir()


@lru_cache(maxsize=1)
def _packaged_checklist_dir() -> Path:
    """The source tree's copy, else the wheel's data-files copy (looked up once)."""
    source = Path(assistant.__file__).resolve().parent.parent / "checklists"
    if source.is_dir():
        return source
    return Path(sys.prefix) / "share" / "chartready" / "checklists"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: invalid YAML ({exc})") from None


def load_model(path: Path, model: type[M]) -> M:
    """Validate one YAML file; errors name the file and the path inside it."""
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise RuleFileError(f"{path}: {validation_paths(exc)}") from None


@dataclass(frozen=True)
class ChecklistRegistry:
    """All checklists, detectors, the coding table and payer profiles, validated."""

    root: Path
    checklists: dict[str, Checklist]
    detectors: dict[str, Detector]
    detector_version: int
    sections: dict[str, list[str]]
    coding: CodingTable
    payers: dict[str, PayerProfile]

    def get(self, checklist_id: str) -> Checklist:
        """One checklist by id (``KeyError`` names the known ids)."""
        if checklist_id not in self.checklists:
            raise KeyError(
                f"no checklist {checklist_id!r}; known: {', '.join(sorted(self.checklists))}"
            )
        return self.checklists[checklist_id]

    def all(self) -> list[Checklist]:
        """Every checklist, sorted by id."""
        return [self.checklists[key] for key in sorted(self.checklists)]

    def payer(self, payer_id: str) -> ResolvedPayer:
        """A payer profile merged with its parents."""
        return resolve_payer(self.payers, payer_id)

    def for_facts(self, facts: NoteFacts, payer: str = "commercial") -> list[Checklist]:
        """The checklists whose scope fits this note (``payer`` is validated here)."""
        self.payer(payer)
        performed = {proc.family for proc in facts.procedures}
        out = []
        for checklist in self.all():
            scope = checklist.scope
            if scope.note_kinds is not None and facts.note_kind not in scope.note_kinds:
                continue
            if scope.mode == "performed":
                if performed and (scope.families == "any" or performed & set(scope.families)):
                    out.append(checklist)
            elif not performed:
                planned = set(facts.planned_procedures)
                if planned and (scope.families == "any" or planned & set(scope.families)):
                    out.append(checklist)
        return out


def _cross_check(registry: ChecklistRegistry) -> None:
    seen: dict[str, str] = {}
    for checklist in registry.all():
        for index, element in enumerate(checklist.elements):
            where = f"{checklist.id} -> elements -> {index}"
            for rule_id in (element.id, *element.old_ids):
                if rule_id in seen:
                    raise RuleFileError(
                        f"[{where} -> id] {rule_id} reused (also in {seen[rule_id]})"
                    )
                seen[rule_id] = checklist.id
            detectors, named = referenced_names(element.requires)
            for name in detectors - set(registry.detectors):
                raise RuleFileError(f"[{where} -> requires] unknown detector {name!r}")
            for name in named - set(NAMED):
                raise RuleFileError(f"[{where} -> requires] unknown predicate {name!r}")
    for index, rule in enumerate(registry.coding.rules):
        if rule.check not in CHECKS:
            raise RuleFileError(
                f"[coding -> rules -> {index} -> check] unknown check {rule.check!r}"
            )
        for rule_id in (rule.id, *rule.old_ids):
            if rule_id in seen:
                raise RuleFileError(f"[coding -> rules -> {index} -> id] {rule_id} reused")
            seen[rule_id] = "coding"
    for required in ("diagnostic_intent", "therapeutic_intent"):
        if required not in registry.detectors:
            raise RuleFileError(f"detectors: the {required!r} detector is required")
    for payer_id in registry.payers:
        resolve_payer(registry.payers, payer_id)


def load_registry_from(root: Path, extra_payers: Path | None = None) -> ChecklistRegistry:
    """Load a checklist directory (uncached); any invalid file raises :class:`RuleFileError`."""
    if not root.is_dir():
        raise RuleFileError(f"{root}: checklist directory not found")
    checklists: dict[str, Checklist] = {}
    for path in sorted(root.glob("*.yaml")):
        match = _CHECKLIST_FILE.match(path.name)
        if match is None:
            raise RuleFileError(f"{path}: checklist files are named <id>.v<version>.yaml")
        checklist = load_model(path, Checklist)
        if (checklist.id, checklist.version) != (match["id"], int(match["version"])):
            raise RuleFileError(f"{path}: id/version do not match the file name")
        if checklist.id in checklists:
            raise RuleFileError(f"{path}: a second version of {checklist.id!r}; keep one")
        checklists[checklist.id] = checklist
    detector_file = load_model(root / "detectors" / "detectors.v1.yaml", DetectorFile)
    detectors = {d.id: d for d in detector_file.detectors}
    coding = load_model(root / "coding" / "coding.v1.yaml", CodingTable)
    payers: dict[str, PayerProfile] = {}
    payer_dirs = [root / "payers", *([extra_payers] if extra_payers else [])]
    for folder in payer_dirs:
        for path in sorted(folder.glob("*.yaml")):
            profile = load_model(path, PayerProfile)
            payers[profile.id] = profile
    registry = ChecklistRegistry(
        root, checklists, detectors, detector_file.version, detector_file.sections, coding, payers
    )
    _cross_check(registry)
    return registry


@lru_cache(maxsize=4)
def _cached(root: str, extra: str | None) -> ChecklistRegistry:
    return load_registry_from(Path(root), Path(extra) if extra else None)


def load_registry() -> ChecklistRegistry:
    """The registry for the configured checklist directory (cached per directory)."""
    extra = os.environ.get(ENV_PAYERS) or None
    return _cached(str(default_checklist_dir()), extra)
