"""The one data-file loader and the one regex type every rule schema uses."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from pydantic import BaseModel, ConfigDict

from assistant.checks.coverage import CoverageMap
from assistant.checks.schema import DetectorFile
from assistant.datafiles import check_linear, load_yaml
from assistant.em.schema import CueFile
from assistant.errors import RuleFileError
from assistant.reader.targets import SPAN_KEY, TargetRuleFile, make_target_ruler

CUES = """
version: t
clause_breaks: '[,;]'
sentence_breaks: '[.;]'
sections: {observation_and_plan: plan}
triggers: [{assertion: negated, direction: before, regex: 'no'}]
tests: [{name: mri, regex: 'mri'}]
sites: [{name: knee, regex: 'knee'}]
macros: {drug: 'oxycodone'}
cues: [{id: a, kind: risk, value: rx_management, regex: 'start <<drug>>'}]
"""
DETECTORS = """
version: 1
detectors: [{id: a, patterns: ['consent'], unless: ['no consent']}]
"""
TARGETS = "version: '1'\nrules:\n  - {id: a, label: ELEMENT, value: v, regex: 'x'}\n"
COVERAGE = """
version: 1
rules: [{id: a, payer: medicare, description: d, payor_display: ['m'], class_text: ['c']}]
"""


class _Small(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    sizes: list[int]


def _error(tmp_path: Path, name: str, content: bytes) -> RuleFileError:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RuleFileError) as info:
        load_yaml(path, _Small)
    assert info.value.code == "E001"
    assert str(info.value).startswith(f"{path}: ")
    return info.value


def test_load_yaml_validates_text_or_file(tmp_path: Path) -> None:
    text = "name: a\nsizes: [1, 2]\n"
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    assert load_yaml(tmp_path / "a.yaml", _Small) == load_yaml("a.yaml", _Small, text)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name: a\nsizes: [1, x]\ncolour: red\n", "[sizes -> 1] Input should be a valid integer"),
        (b"name: a\nsizes: [1, x]\ncolour: red\n", "[colour] Extra inputs are not permitted"),
        (b"name: a\n  sizes: [1]\n", "[line 2, column 8] invalid YAML: mapping values"),
        (b"name: [a\n", "invalid YAML"),
        (b"name: caf\xe9\n", "not UTF-8 text (byte 9)"),
        (b"", "Input should be a valid dictionary"),
    ],
)
def test_load_yaml_problems_are_one_coded_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    assert message in str(_error(tmp_path, "bad.yaml", content))


def test_load_yaml_unreadable_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match=r"missing\.yaml: cannot read") as info:
        load_yaml(tmp_path / "missing.yaml", _Small)
    assert info.value.code == "E001"


def test_target_rule_folder_with_a_yaml_syntax_error_is_a_coded_error(tmp_path: Path) -> None:
    (tmp_path / "x.targets.yaml").write_text(TARGETS + "  - id: [b\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"x\.targets\.yaml: \[line \d+, column \d+\]"):
        make_target_ruler(spacy.blank("en"), "targets", str(tmp_path), SPAN_KEY)


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        (r"start[^.]{0,40}?oxycodone", True),
        (r"(?:\w+\s+){0,2}?MRI", True),
        (r"\.+ done", True),
        (r"start.*oxycodone", False),
        (r"start.{3,}oxycodone", False),
        (r"(?:a+)+b", False),
        (r"(?:a\s+|b\s+)*c", False),
        (r"(?:a\s+|b\s+){2,}c", False),
        (r"(unclosed", False),
    ],
)
def test_check_linear(pattern: str, ok: bool) -> None:
    if ok:
        assert check_linear(pattern) == pattern
    else:
        with pytest.raises(ValueError):
            check_linear(pattern)


@pytest.mark.parametrize(
    ("model", "text", "old", "location"),
    [
        (DetectorFile, DETECTORS, "'consent'", "[detectors -> 0 -> patterns -> 0]"),
        (DetectorFile, DETECTORS, "'no consent'", "[detectors -> 0 -> unless -> 0]"),
        (TargetRuleFile, TARGETS, "'x'", "[rules -> 0 -> regex]"),
        (CoverageMap, COVERAGE, "'m'", "[rules -> 0 -> payor_display -> 0]"),
        (CoverageMap, COVERAGE, "'c'", "[rules -> 0 -> class_text -> 0]"),
        (CueFile, CUES, "'start <<drug>>'", "[cues -> 0 -> regex]"),
        (CueFile, CUES, "'oxycodone'", "[macros -> drug]"),
        (CueFile, CUES, "'no'", "[triggers -> 0 -> regex]"),
        (CueFile, CUES, "'mri'", "[tests -> 0 -> regex]"),
        (CueFile, CUES, "'knee'", "[sites -> 0 -> regex]"),
        (CueFile, CUES, "'[,;]'", "[clause_breaks]"),
        (CueFile, CUES, "'[.;]'", "[sentence_breaks]"),
    ],
)
def test_every_rule_regex_must_be_linear(
    model: type[BaseModel], text: str, old: str, location: str
) -> None:
    assert load_yaml("rules.yaml", model, text)
    with pytest.raises(RuleFileError) as info:
        load_yaml("rules.yaml", model, text.replace(old, "'(?:a+)+b'", 1))
    assert f"{location} Value error, a group containing a quantifier" in str(info.value)
