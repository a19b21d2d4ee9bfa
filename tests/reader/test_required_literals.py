"""Gates read off regexes: necessary for every match, selective where they can be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.reader.targets import compile_rules, default_rule_files
from assistant.required_literals import required_literals, text_may_match

NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bepidural\b", ({"epidural"},)),
        (r"\b(?P<t>ibuprofen|motrin|advil)\b", ({"ibuprofen", "motrin", "advil"},)),
        (r"\binjections?\s+of\s+steroid", ({"injection"}, {"steroid"})),
        (r"(?:left|right)\s+(?:l4|l5)", ({"left", "right"},)),
        (r"fluoro(?:scopy|scopic)", ({"fluoroscop"},)),
        (r"(?i)epidural", ()),
        (r"\d+\s*/\s*10", ()),
        (r"(?:foo)?bar", ({"bar"},)),
        (r"[lr]t\b", ()),
        (r"x{0,3}abc", ({"abc"},)),
        (r"(?<!no\s)relief", ({"relief"},)),
        (r"(?:a|bcd)efg", ({"efg"},)),
        (r"\b(?P<t>(?:kenalog|depo)\s+\d+\s*mg\s+given)", ({"kenalog", "depo"}, {"given"})),
        (r"(?:no\s+relief\s+)+noted", ({"relief"}, {"noted"})),
    ],
)
def test_required_literals_reads_words_off_patterns(
    pattern: str, expected: tuple[set[str], ...]
) -> None:
    assert {frozenset(s) for s in required_literals(pattern)} == {frozenset(s) for s in expected}


def test_required_literals_no_gate_for_ignorecase_flag() -> None:
    assert required_literals("epidural", re.IGNORECASE) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("lumbar epidural injection", True), ("lumbar facet injection", False), ("", False)],
)
def test_text_may_match_needs_one_word_of_every_set(text: str, expected: bool) -> None:
    gate = (frozenset({"epidural", "caudal"}), frozenset({"injection"}))
    assert text_may_match(text, gate) is expected
    assert text_may_match(text, ()) is True


def _rule_patterns() -> list[re.Pattern[str]]:
    return [c.lowered or c.pattern for c in compile_rules(default_rule_files())]


def test_required_literals_hold_for_every_target_match_in_the_corpus() -> None:
    """On the 88 pain notes, every match of every packaged rule contains its gate."""
    texts = [path.read_text(encoding="utf-8").lower() for path in sorted(NOTES.glob("*.txt"))]
    assert texts
    checked = 0
    for pattern in _rule_patterns():
        gate = required_literals(pattern.pattern, pattern.flags)
        for text in texts:
            for match in pattern.finditer(text):
                assert text_may_match(match.group(0), gate), (pattern.pattern[:60], gate)
                checked += 1
    assert checked > 1000


def test_required_literals_gate_most_target_rules() -> None:
    patterns = _rule_patterns()
    gated = [p for p in patterns if required_literals(p.pattern, p.flags)]
    assert len(gated) >= 0.85 * len(patterns)


_PATTERNS = _rule_patterns()
_WORDS = [
    "epidural",
    "steroid",
    "left",
    "l4-5",
    "relief",
    "80%",
    "consent",
    "no",
    "pain",
    "\n",
    " ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text(max_size=4), max_size=30))
def test_required_literals_never_reject_a_text_that_matches(parts: list[str]) -> None:
    """Property: whenever a rule matches a text, the text passes the rule's gate."""
    text = " ".join(parts).lower()
    for pattern in _PATTERNS:
        if pattern.search(text):
            assert text_may_match(text, required_literals(pattern.pattern, pattern.flags))
