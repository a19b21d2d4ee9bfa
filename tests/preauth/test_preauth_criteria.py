from pathlib import Path

import pytest

from assistant.checks import load_registry
from assistant.errors import RuleFileError
from assistant.preauth.criteria import load_criteria, load_criteria_from

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = {"esi", "facet_mbb", "facet_rfa", "si_joint_injection", "scs_trial", "scs_implant"}


def test_packaged_criteria_cover_the_planned_families_and_reuse_rule_texts() -> None:
    registry = load_registry()
    criteria = load_criteria(registry)
    assert FAMILIES | {"vertebral_augmentation"} <= set(criteria.families())
    elements = {e.id: e for c in registry.all() for e in c.elements}
    rfa = next(item for item in criteria.items if item.id == "PA-021")
    assert rfa.params["block_families"] == ["facet_mbb"]  # from CLM-017
    pain = next(item for item in criteria.items if item.id == "PA-010")
    assert (pain.fix, pain.source) == (elements["MN-014"].fix, elements["MN-014"].source)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "criteria.v1.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_errors_name_the_place_in_the_file(tmp_path: Path) -> None:
    bad = _write(
        tmp_path,
        "version: 1\ncriteria:\n  - {id: PA-001, families: [esi], message: m, check: notes,"
        " same_as: MN-002, notes_rule: MN-002, severty: block}\n",
    )
    with pytest.raises(RuleFileError) as caught:
        load_criteria_from(bad, load_registry())
    assert caught.value.code == "E001"
    assert "[criteria -> 0 -> severty]" in str(caught.value)


def test_unknown_rule_and_missing_texts_are_refused(tmp_path: Path) -> None:
    unknown = _write(
        tmp_path,
        "version: 1\ncriteria:\n  - {id: PA-001, families: [esi], message: m, check: notes,"
        " same_as: MN-999, notes_rule: MN-002}\n",
    )
    with pytest.raises(RuleFileError, match=r"\[criteria -> 0 -> same_as\] unknown rule"):
        load_criteria_from(unknown, load_registry())
    bare = _write(
        tmp_path,
        "version: 1\ncriteria:\n  - {id: PA-001, families: [esi], message: m, check: frequency}\n",
    )
    with pytest.raises(RuleFileError, match="give same_as, or all of fix, query and source"):
        load_criteria_from(bare, load_registry())


def test_sources_are_public_policies_not_repository_files() -> None:
    for item in load_criteria(load_registry()).items:
        assert item.source.url is None or item.source.url.startswith("https://")
        assert "/" not in item.source.policy.split()[0]
