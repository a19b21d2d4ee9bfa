"""The first-character guard on rule regexes: faster, and the same matches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.patterns import first_chars, guarded, lower_pattern
from assistant.reader.targets import CompiledRule, compile_rules, default_rule_files, find_targets

NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
RULES = compile_rules(default_rule_files())


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"(?<!to\sthe\s)(?<!\bpt\s)\b(?:left|lt)\b(?!\s+hand)", {"l"}),
        (r"^\s*x", None),  # \s is a category: too many characters to list
        (r"(?:foo|bar)baz", {"f", "b"}),
        (r"a?b", {"a", "b"}),
        (r"(?:a|)b", {"a", "b"}),
        (r"[a-c]x", {"a", "b", "c"}),
        (r"a*", None),  # may match nothing
        (r"(?:x|y)?", None),
        (r"\d+ mg", None),
        (r"[^a]b", None),
        (r".b", None),
        (r"(?-i:US) guided", None),  # a local case flag
        (r"(a)\1", {"a"}),
        (r"(?P<t>esi)\b", {"e"}),
    ],
)
def test_first_chars(regex: str, expected: set[str] | None) -> None:
    found = first_chars(regex)
    assert (None if found is None else set(found)) == expected


def test_guard_keeps_case_folding_of_its_pattern() -> None:
    pattern = re.compile(guarded(r"\bleft\b", re.IGNORECASE), re.IGNORECASE)
    assert pattern.pattern.startswith("(?=[")
    assert [m.group() for m in pattern.finditer("LEFT, Left and left")] == ["LEFT", "Left", "left"]


def test_unknown_first_characters_leave_the_pattern_alone() -> None:
    assert guarded(r"\d+ mg") == r"\d+ mg"


def test_rules_are_guarded() -> None:
    side = next(rule for rule in RULES if rule.rule.id == "side.left")
    assert side.lowered is not None and side.lowered.pattern.startswith("(?=[")
    assert sum((r.lowered or r.pattern).pattern.startswith("(?=[") for r in RULES) > len(RULES) / 2


def _unguarded(rule: CompiledRule) -> CompiledRule:
    regex = rule.rule.regex
    if rule.lowered is None:
        return CompiledRule(rule.rule, re.compile(regex, re.MULTILINE), None)
    lowered = re.compile(lower_pattern(regex), re.MULTILINE)
    return CompiledRule(rule.rule, re.compile(regex, re.MULTILINE | re.IGNORECASE), lowered)


def test_guarded_rules_find_what_the_rules_find_on_the_pain_notes() -> None:
    plain = [_unguarded(rule) for rule in RULES]
    for path in sorted(NOTES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        fast = [(s, e, c.rule.id) for s, e, c in find_targets(text, RULES)]
        slow = [(s, e, c.rule.id) for s, e, c in find_targets(text, plain)]
        assert fast == slow, path.name
