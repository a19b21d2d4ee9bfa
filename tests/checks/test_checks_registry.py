"""Registry: files validate, ids are stable, errors are path-precise.

Every element's examples run through the whole pipeline in ``test_checks_examples.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.checks import load_registry
from assistant.checks.registry import default_checklist_dir, load_registry_from
from assistant.errors import RuleFileError
from assistant.facts import FAMILIES

SNAPSHOT = Path(__file__).parent / "rule_ids.json"
# neurolysis_other and other have no checklist of their own; detected-scope checklists
# (basivertebral ablation, peripheral nerve stimulation) claim some of their notes.
REQUIRED_FAMILIES = set(FAMILIES) - {"neurolysis_other", "other"}


def test_registry_every_required_family_has_a_checklist() -> None:
    covered = {
        f for c in load_registry().all() if c.scope.families != "any" for f in c.scope.families
    }
    assert covered >= REQUIRED_FAMILIES
    assert {"procedure_baseline", "medical_necessity"} <= set(load_registry().checklists)


def test_registry_ids_match_snapshot() -> None:
    registry = load_registry()
    current = {c.id: [f"{e.id} {e.symbol}" for e in c.elements] for c in registry.all()}
    current["coding"] = [f"{r.id} {r.symbol}" for r in registry.coding.rules]
    snapshot: dict[str, list[str]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    retired = {old for c in registry.all() for e in c.elements for old in e.old_ids}
    for checklist, ids in snapshot.items():
        for entry in ids:
            rule_id = entry.split()[0]
            assert entry in current.get(checklist, []) or rule_id in retired, entry


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (("severity: warn", "severty: warn"), r"procedure_baseline\.v1\.yaml: \[elements -> 0"),
        (("severity: warn", "severity: maybe"), r"\[elements -> 0 -> severity\]"),
        (('"Other (please specify)", "Unable', '"Unable'), r"must include 'Other"),
    ],
)
def test_registry_bad_file_error_names_file_and_path(
    tmp_path: Path, mutation: tuple[str, str], message: str
) -> None:
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    path = root / "procedure_baseline.v1.yaml"
    path.write_text(path.read_text().replace(*mutation, 1), encoding="utf-8")
    with pytest.raises(RuleFileError, match=message):
        load_registry_from(root)


def test_registry_reused_id_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    path = root / "esi.v1.yaml"
    path.write_text(path.read_text().replace("id: ESI-002", "id: BASE-001"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="BASE-001 reused"):
        load_registry_from(root)


def test_registry_payer_override_without_code(tmp_path: Path) -> None:
    payers = tmp_path / "payers"
    payers.mkdir()
    (payers / "acme.yaml").write_text(
        "id: acme\ntitle: Acme\ninherits: commercial\n"
        "thresholds: {esi_sessions_per_region_12mo: 3}\n"
        "severity_overrides: {BASE-001: block}\n",
        encoding="utf-8",
    )
    registry = load_registry_from(default_checklist_dir(), payers)
    acme = registry.payer("acme")
    assert acme.thresholds["esi_sessions_per_region_12mo"] == 3
    assert acme.severity("BASE-001", "warn") == "block"
    assert acme.chain == ("acme", "commercial", "medicare")


def test_a_predicate_reading_an_unknown_element_is_refused() -> None:
    from pydantic import ValidationError

    from assistant.checks.schema import NamedRef

    assert NamedRef(predicate="duration_at_least", args={"element": "pain_duration"})
    with pytest.raises(ValidationError, match="unknown reader element 'pain_length'"):
        NamedRef(predicate="duration_at_least", args={"element": "pain_length"})


def test_detector_file_vocabulary_is_expanded_and_unknown_names_refused(tmp_path: Path) -> None:
    from assistant.checks.schema import DetectorFile
    from assistant.datafiles import load_yaml

    good = tmp_path / "detectors.yaml"
    good.write_text(
        "version: 1\nvocabulary:\n  drug: 'topiramate|propranolol'\ndetectors:\n"
        "  - id: stopped\n    patterns: ['\\bstopped ({{drug}})\\b']\n",
        encoding="utf-8",
    )
    assert load_yaml(good, DetectorFile).detectors[0].patterns == [
        r"\bstopped (topiramate|propranolol)\b"
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("{{drug}}", "{{drugs}}"), "utf-8")
    with pytest.raises(RuleFileError, match=r"unknown vocabulary entry \{\{drugs\}\}"):
        load_yaml(bad, DetectorFile)
