"""The coverage map is checklist data: the registry loads it, validation names file and path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.checks import load_registry
from assistant.checks.coverage import COVERAGE_MAP_FILE
from assistant.checks.registry import default_checklist_dir, load_registry_from
from assistant.cli import app
from assistant.errors import RuleFileError


def _checklists_with_coverage_map(tmp_path: Path, text: str | None) -> tuple[Path, Path]:
    """A copy of the checklist directory whose coverage map is ``text`` (``None``: absent)."""
    root = tmp_path / "checklists"
    shutil.copytree(default_checklist_dir(), root)
    path = root / COVERAGE_MAP_FILE
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    return root, path


def test_registry_loads_the_packaged_coverage_map() -> None:
    coverage = load_registry().coverage
    assert coverage is not None
    assert {rule.payer for rule in coverage.rules} <= set(load_registry().payers)
    assert [rule.id for rule in coverage.rules] == [
        "medicare-sopt",
        "medicare-named",
        "commercial-sopt",
    ]


def test_registry_without_coverage_map_has_none(tmp_path: Path) -> None:
    root, _ = _checklists_with_coverage_map(tmp_path, None)
    assert load_registry_from(root).coverage is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("version: 1\nrules:\n  - {id: a, payer: medicare, description: d}\n", "[rules -> 0]"),
        (
            "version: 1\nrules:\n  - {id: a, payer: medicare, description: d, typo: 1}\n",
            "[rules -> 0 -> typo] Extra inputs are not permitted",
        ),
        (
            "version: 1\nrules:\n  - id: a\n    payer: medicare\n    description: d\n"
            "    type_codings: [{systems: [s]}]\n",
            "[rules -> 0 -> type_codings -> 0]",
        ),
        (
            "version: 1\nrules:\n  - {id: a, payer: medicare, description: d, class_text: ['(']}\n",
            "[rules -> 0 -> class_text -> 0] Value error, invalid regex",
        ),
        (
            "version: 1\nrules:\n  - {id: a, payer: medicare, description: d, class_text: [x]}\n"
            "  - {id: b, payer: nobody, description: d, class_text: [x]}\n",
            "[rules -> 1 -> payer] unknown payer 'nobody'",
        ),
    ],
    ids=["no-criteria", "unknown-key", "coding-without-codes", "bad-regex", "unknown-payer"],
)
def test_coverage_map_errors_are_path_precise(tmp_path: Path, text: str, error: str) -> None:
    root, path = _checklists_with_coverage_map(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_registry_from(root)
    assert str(path) in str(caught.value)
    assert error in str(caught.value)


def test_checklists_validate_reports_coverage_map_errors(tmp_path: Path) -> None:
    text = "version: 1\nrules:\n  - {id: a, payer: medicare, description: d, typo: 1}\n"
    root, path = _checklists_with_coverage_map(tmp_path, text)
    result = CliRunner().invoke(app, ["checklists", "validate", str(root)])
    assert result.exit_code == 2
    flat = " ".join(result.stderr.split())
    assert "E001" in flat
    assert path.name in flat
    assert "[rules -> 0 -> typo]" in flat


def test_checklists_validate_counts_coverage_map_rules() -> None:
    result = CliRunner().invoke(app, ["checklists", "validate", str(default_checklist_dir())])
    assert result.exit_code == 0, result.output
    assert "3 coverage-map rules" in result.stdout
