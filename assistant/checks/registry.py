"""Load and validate every checklist data file; find the checklists that fit a note.

Data lives in ``checklists/`` at the repository top level (shipped in the wheel under
``share/chartready/checklists``). ``CHARTREADY_CHECKLIST_DIR`` points elsewhere (a practice's
copy); ``CHARTREADY_PAYER_DIR`` adds payer profiles on top of the packaged ones.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import assistant
from assistant.checks.claims import CodingTable
from assistant.checks.coding import CHECKS, CODING_DETECTORS
from assistant.checks.coverage import COVERAGE_MAP_FILE, CoverageMap, check_coverage_payers
from assistant.checks.detectors import Detections
from assistant.checks.payers import ResolvedPayer, resolve_payer
from assistant.checks.predicates import NAMED, referenced_names
from assistant.checks.schema import Checklist, Detector, DetectorFile, PayerProfile
from assistant.checks.scope import scope_fits
from assistant.datafiles import load_yaml
from assistant.errors import Errors, RuleFileError
from assistant.facts import NoteFacts

ENV_DIR = "CHARTREADY_CHECKLIST_DIR"
ENV_PAYERS = "CHARTREADY_PAYER_DIR"
_CHECKLIST_FILE = re.compile(r"^(?P<id>[a-z0-9_]+)\.v(?P<version>\d+)\.yaml$")
DETECTORS_FILE = Path("detectors") / "detectors.v1.yaml"
CODING_FILE = Path("coding") / "coding.v1.yaml"


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


def load_coverage_map(path: Path, payers: Collection[str]) -> CoverageMap:
    """Validate a coverage-map file whose rules may select only ``payers``."""
    coverage_map = load_yaml(path, CoverageMap)
    check_coverage_payers(coverage_map, payers, str(path))
    return coverage_map


@dataclass(frozen=True)
class ChecklistRegistry:
    """All checklists, detectors, the coding table, payer profiles and the coverage map.

    ``coverage`` is ``None`` for a checklist directory without a coverage map (an older
    practice copy).
    """

    root: Path
    checklists: dict[str, Checklist]
    detectors: dict[str, Detector]
    detector_version: int
    coding: CodingTable
    payers: dict[str, PayerProfile]
    coverage: CoverageMap | None

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

    def for_facts(
        self, facts: NoteFacts, detections: Detections, payer: str = "commercial"
    ) -> list[Checklist]:
        """The checklists whose scope fits this note (``payer`` is validated here)."""
        self.payer(payer)
        return [c for c in self.all() if scope_fits(c.scope, facts, detections)]


def _invalid(file: object, errors: str) -> RuleFileError:
    return RuleFileError(Errors.E001, file=file, errors=errors)


def _cross_check(registry: ChecklistRegistry) -> None:
    """References between files: unique rule ids, known detectors, predicates and checks."""
    seen: dict[str, str] = {}
    for checklist in registry.all():
        file = f"{checklist.id}.v{checklist.version}.yaml"
        scope = checklist.scope
        for name in [*scope.detectors, *scope.unless_detected]:
            if name not in registry.detectors:
                raise _invalid(file, f"[scope] unknown detector {name!r}")
        for index, element in enumerate(checklist.elements):
            where = f"elements -> {index}"
            if element.examples.payer not in registry.payers:
                raise _invalid(file, f"[{where} -> examples -> payer] unknown payer")
            for rule_id in (element.id, *element.old_ids):
                if rule_id in seen:
                    raise _invalid(
                        file, f"[{where} -> id] {rule_id} reused (also in {seen[rule_id]})"
                    )
                seen[rule_id] = checklist.id
            detectors, named = referenced_names(element.requires)
            for name in detectors - set(registry.detectors):
                raise _invalid(file, f"[{where} -> requires] unknown detector {name!r}")
            for name in named - set(NAMED):
                raise _invalid(file, f"[{where} -> requires] unknown predicate {name!r}")
    for index, rule in enumerate(registry.coding.rules):
        if rule.check not in CHECKS:
            raise _invalid(CODING_FILE, f"[rules -> {index} -> check] unknown check {rule.check!r}")
        if rule.examples.payer not in registry.payers:
            raise _invalid(CODING_FILE, f"[rules -> {index} -> examples -> payer] unknown payer")
        for rule_id in (rule.id, *rule.old_ids):
            if rule_id in seen:
                raise _invalid(CODING_FILE, f"[rules -> {index} -> id] {rule_id} reused")
            seen[rule_id] = "coding"
    for required in ("diagnostic_intent", "therapeutic_intent", *CODING_DETECTORS):
        if required not in registry.detectors:
            raise _invalid(DETECTORS_FILE, f"[detectors] the {required!r} detector is required")
    for payer_id in registry.payers:
        resolve_payer(registry.payers, payer_id)


def load_registry_from(root: Path, extra_payers: Path | None = None) -> ChecklistRegistry:
    """Load a checklist directory (uncached); any invalid file raises :class:`RuleFileError`."""
    if not root.is_dir():
        raise _invalid(root, "checklist directory not found")
    checklists: dict[str, Checklist] = {}
    for path in sorted(root.glob("*.yaml")):
        match = _CHECKLIST_FILE.match(path.name)
        if match is None:
            raise _invalid(path, "checklist files are named <id>.v<version>.yaml")
        checklist = load_yaml(path, Checklist)
        if (checklist.id, checklist.version) != (match["id"], int(match["version"])):
            raise _invalid(path, "[id] id/version do not match the file name")
        if checklist.id in checklists:
            raise _invalid(path, f"[id] a second version of {checklist.id!r}; keep one")
        checklists[checklist.id] = checklist
    detector_file = load_yaml(root / DETECTORS_FILE, DetectorFile)
    detectors = {d.id: d for d in detector_file.detectors}
    coding = load_yaml(root / CODING_FILE, CodingTable)
    payers: dict[str, PayerProfile] = {}
    payer_dirs = [root / "payers", *([extra_payers] if extra_payers else [])]
    for folder in payer_dirs:
        for path in sorted(folder.glob("*.yaml")):
            profile = load_yaml(path, PayerProfile)
            payers[profile.id] = profile
    coverage_file = root / COVERAGE_MAP_FILE
    coverage = load_coverage_map(coverage_file, payers) if coverage_file.is_file() else None
    registry = ChecklistRegistry(
        root,
        checklists,
        detectors,
        detector_file.version,
        coding,
        payers,
        coverage,
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
