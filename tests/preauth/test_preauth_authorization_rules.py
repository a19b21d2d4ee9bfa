"""The payer authorization table: loads, answers look-ups, and refuses bad files by place."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.checks import load_registry
from assistant.cli import app
from assistant.errors import RuleFileError
from assistant.preauth.authorization_rules import (
    MISMATCH_KINDS,
    RULES_FILE,
    load_authorization_rules,
    load_authorization_rules_from,
)

PAYERS = ("commercial", "medicare", "medicare_advantage_example")


def _packaged() -> Path:
    return load_registry().root / RULES_FILE


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "authorization-rules.v1.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _data() -> dict[str, object]:
    loaded = yaml.safe_load(_packaged().read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_authorization_rules_packaged_file_loads_with_every_mismatch_kind() -> None:
    rules = load_authorization_rules(load_registry())
    assert set(rules.mismatch) == set(MISMATCH_KINDS)
    assert {s.id for s in rules.sequences} >= {"facet", "neurostimulator"}
    medicare = rules.for_payer("medicare")
    facet = next(r for r in medicare if r.id == "PAR-001")
    assert facet.source.basis == "verified" and "419.83" in facet.source.policy
    assert set(facet.codes) >= {"64490", "64493", "64633", "64636"}
    assert all(r.example for r in rules.for_payer("commercial"))


@pytest.mark.parametrize(
    ("payer", "family", "place", "day", "expected"),
    [
        ("medicare", "facet_rfa", "22", dt.date(2023, 7, 1), "PAR-001"),
        ("medicare", "facet_mbb", "19", dt.date(2025, 1, 1), "PAR-001"),
        ("medicare", "facet_rfa", "22", dt.date(2023, 6, 30), None),
        ("medicare", "facet_rfa", "11", dt.date(2025, 1, 1), None),
        ("medicare", "facet_rfa", "24", dt.date(2025, 1, 1), None),
        ("medicare", "facet_rfa", None, dt.date(2025, 1, 1), "PAR-001"),
        ("medicare", "scs_trial", "22", dt.date(2021, 7, 1), "PAR-003"),
        ("medicare", "esi", "22", dt.date(2025, 1, 1), None),
        ("medicare_advantage_example", "facet_rfa", "22", dt.date(2025, 1, 1), None),
        ("commercial", "esi", "11", dt.date(2025, 1, 1), "PAR-101"),
        ("commercial", "vertebral_augmentation", "24", dt.date(2025, 1, 1), "PAR-102"),
        ("commercial", "trigger_point", "11", dt.date(2025, 1, 1), None),
    ],
)
def test_authorization_rules_required_by_payer_family_place_and_date(
    payer: str, family: str, place: str | None, day: dt.date, expected: str | None
) -> None:
    rules = load_authorization_rules(load_registry())
    found = rules.required(payer, family, place, day)
    assert (found.id if found else None) == expected


def test_authorization_rules_trial_carries_over_to_implant_for_medicare_only() -> None:
    rules = load_authorization_rules(load_registry())
    assert rules.carried("medicare", "scs_trial") == {"scs_implant"}
    assert rules.carried("commercial", "scs_trial") == set()


def _broken(data: dict[str, object], path: list[str | int], value: object) -> None:
    target: object = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["rules", 0, "payr"], "medicare", "[rules -> 0 -> payr] Extra inputs are not permitted"),
        (["rules", 1, "families"], ["facet_mbbb"], "[rules -> 1 -> families -> 0]"),
        (["rules", 0, "codes"], ["6449"], "[rules -> 0 -> codes -> 0]"),
        (["rules", 2, "places_of_service"], ["HOPD"], "[rules -> 2 -> places_of_service]"),
        (["rules", 0, "payer"], "acme", "[rules -> 0 -> payer] unknown payer 'acme'"),
        (["rules", 1, "id"], "PAR-001", "[rules -> 1 -> id] PAR-001 reused"),
        (["rules", 0, "source", "basis"], "sure", "[rules -> 0 -> source -> basis]"),
        (["sequences", 0, "steps"], ["facet_mbb"], "[sequences -> 0 -> steps]"),
        (["mismatch_rules", 1, "kind"], "procedure", "[mismatch_rules -> 1 -> kind]"),
        (
            ["mismatch_rules", 0, "query", "options"],
            ["Yes", "No"],
            "[mismatch_rules -> 0 -> query]",
        ),
    ],
)
def test_authorization_rules_bad_file_error_names_the_place(
    tmp_path: Path, path: list[str | int], value: object, message: str
) -> None:
    data = _data()
    _broken(data, path, value)
    with pytest.raises(RuleFileError) as caught:
        load_authorization_rules_from(_write(tmp_path, data), PAYERS)
    assert caught.value.code == "E001"
    assert message in str(caught.value)


def test_authorization_rules_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "authorization-rules.v1.yaml"
    path.write_text("version: 1\nrules:\n  - id: PAR-001\n    payer: [medicare\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"\[line \d+, column \d+\] invalid YAML"):
        load_authorization_rules_from(path, PAYERS)


def test_authorization_rules_checked_by_checklists_validate(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["checklists", "validate"])
    assert ok.exit_code == 0, ok.output
    assert "prior-authorization rules" in ok.output
    copy = tmp_path / "checklists"
    shutil.copytree(load_registry().root, copy)
    data = _data()
    _broken(data, ["rules", 0, "payer"], "acme")
    _write(copy / "preauth", data)
    broken = CliRunner().invoke(app, ["checklists", "validate", str(copy)])
    assert broken.exit_code == 2
    assert "[rules -> 0 -> payer] unknown payer 'acme'" in broken.output
