from pathlib import Path

import pytest

from assistant.datafiles import load_yaml
from assistant.errors import RuleFileError
from assistant.patterns import lower_pattern
from assistant.reader.targets import (
    CompiledRule,
    TargetRule,
    TargetRuleFile,
    compile_rules,
    default_rule_files,
    find_targets,
)

RULES = compile_rules(default_rule_files())
IGNORECASE_ONLY = [CompiledRule(r.rule, r.pattern, None) for r in RULES]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"(?P<t>[CTLS]\d)", r"(?P<t>[ctls]\d)"),
        (r"\bESI\S+\W", r"\besi\S+\W"),
        (r"(?<!Rotated\sto)LEFT", r"(?<!rotated\sto)left"),
    ],
)
def test_lower_pattern_keeps_escapes_and_group_names(regex: str, expected: str) -> None:
    assert lower_pattern(regex) == expected


@pytest.mark.parametrize(
    "text",
    [
        "PROCEDURE: Left L4-5 TFESI under Fluoroscopy. Pain 7/10 for 6 months.",
        "İstanbul PROCEDURE: Right SI joint injection; Complications: none.",  # lower() grows
        "Bilateral L3, L4 and L5 MEDIAL BRANCH blocks; contrast was injected.",
    ],
)
def test_find_targets_lowered_path_matches_ignorecase_path(text: str) -> None:
    fast = [(s, e, c.rule.id) for s, e, c in find_targets(text, RULES)]
    slow = [(s, e, c.rule.id) for s, e, c in find_targets(text, IGNORECASE_ONLY)]
    assert fast == slow
    assert fast


def test_rule_file_errors_name_file_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "x.targets.yaml"
    bad.write_text(
        "version: '1'\nrules:\n  - id: a\n    label: NOPE\n    value: v\n    regex: 'x'\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match=r"x.targets.yaml: \[rules -> 0 -> label\]"):
        load_yaml(bad, TargetRuleFile)


def test_rule_file_rejects_bad_regex(tmp_path: Path) -> None:
    bad = tmp_path / "y.targets.yaml"
    bad.write_text(
        "version: '1'\nrules:\n  - id: a\n    label: ELEMENT\n    value: v\n    regex: '(x'\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="invalid regex"):
        load_yaml(bad, TargetRuleFile)


def test_vocabulary_entries_are_written_once_and_used_by_name(tmp_path: Path) -> None:
    good = tmp_path / "v.targets.yaml"
    good.write_text(
        "version: '1'\nvocabulary:\n  n: '(?:one|two)'\nrules:\n  - id: a\n    label: ELEMENT\n"
        "    value: v\n    regex: '\\b{{n}}\\s+weeks?'\n",
        encoding="utf-8",
    )
    assert load_yaml(good, TargetRuleFile).rules[0].regex == r"\b(?:one|two)\s+weeks?"
    bad = tmp_path / "w.targets.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("{{n}}", "{{m}}"), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"unknown vocabulary entry \{\{m\}\}"):
        load_yaml(bad, TargetRuleFile)


def test_attribute_rules_run_everywhere() -> None:
    """Levels, sides, guidance ... are found in any section; the assembler decides."""
    for rule in (c.rule for c in RULES):
        if rule.label in {"LEVEL", "LATERALITY", "REGION", "GUIDANCE", "CONTRAST", "APPROACH"}:
            assert rule.sections is None, rule.id


def test_find_targets_respects_section_windows() -> None:
    text = "PLAN: left side. PROCEDURE: right L4-5 TFESI."
    ranges = {"procedure": [(17, len(text))], "observation_and_plan": [(0, 17)]}
    rule = TargetRule(
        id="t.side", label="LATERALITY", value="any", regex=r"\b(?:left|right)\b",
        sections=["procedure"],
    )  # fmt: skip
    found = find_targets(text, compile_rules([TargetRuleFile(version="t", rules=[rule])]), ranges)
    assert [text[s:e] for s, e, _ in found] == ["right"]
