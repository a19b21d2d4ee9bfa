"""The Hyperscan prefilter never rules out a pattern Python's ``re`` would match."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.reader.targets import compile_rules, default_rule_files, find_targets, rule_prefilter
from assistant.regex_prefilter import (
    SPACE_STAND_IN,
    WORD_STAND_IN,
    LoweredPrefilter,
    RegexPrefilter,
    ascii_shadow,
    emit,
    stand_in,
)

NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
RULES = compile_rules(default_rule_files())
PREFILTER = rule_prefilter(RULES)

# Constructs where Python and an ASCII, byte-mode automaton could disagree.
TRICKY_PATTERNS = [
    r"\bpain\b",
    r"\w+\s+relief",
    r"\d{1,2}\s*/\s*10",
    r"[^a-z\s]{2}x",
    r"[^Z]ab",
    r"[^\x0c]ab",
    r"(?<!no\s)relief(?!\s+not)",
    r"a{,2}b",
    r"(?>ab|a)c",
    r"(a)b\1",
    r"^[ \t]*consent[ \t]*:",
    r"done$",
    r"caf\u00e9",
    r"[\u00e0-\u00ff]+x",
    r"[^\u00e9]x",
    r"l[45]\s?-\s?[l5s]1?",
    r"\Bain",
    r"x\Z",
    r"\Ax",
    r".{3}q",
    r"(?:a|)b",
]
PIECES = st.sampled_from(
    [
        *("pain", "relief", "no ", "ab", "c", "x", "q", "Z", "0", "10", "4/10", "l4-5"),
        *("consent:", "caf", "done", *" \t\n-/_"),
        *("\u00e9", "\u0663", "\u00a0", "\u2019", "\x1c", "\x0b", "\u00b2", "\x0c", "\x01"),
    ]
)
TEXTS = st.lists(PIECES, max_size=12).map("".join)
TRICKY = [re.compile(p, re.MULTILINE) for p in TRICKY_PATTERNS]
TRICKY_FILTER = RegexPrefilter(TRICKY)


def _matching(patterns: list[re.Pattern[str]], text: str) -> set[int]:
    return {i for i, pattern in enumerate(patterns) if pattern.search(text)}


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("a", "a"),
        ("\u00e9", WORD_STAND_IN),
        ("\u00b2", WORD_STAND_IN),
        ("\u0663", "0"),
        ("\u00a0", SPACE_STAND_IN),
        ("\x1c", SPACE_STAND_IN),
        ("\x0b", SPACE_STAND_IN),
        ("\u2019", "\x01"),
    ],
)
def test_stand_in_keeps_python_character_classes(char: str, expected: str) -> None:
    assert stand_in(char) == expected
    for category in (r"\d", r"\w", r"\s"):
        assert bool(re.match(category, char)) == bool(re.match(category, expected))


def test_ascii_shadow_keeps_length_and_reports_stand_ins() -> None:
    text = "caf\u00e9\u00a0pain \u2019x\u2019"
    shadow, used = ascii_shadow(text)
    assert len(shadow) == len(text)
    assert shadow == b"cafZ\x0cpain \x01x\x01"
    assert used == {WORD_STAND_IN, SPACE_STAND_IN, "\x01"}
    assert ascii_shadow("plain ascii") == (b"plain ascii", frozenset())


@pytest.mark.parametrize(
    ("pattern", "expected_expression", "unsafe"),
    [
        (r"(?<!no\s)ab(?=c)", r"\x61\x62", set()),
        (r"a{,2}", r"(?:\x61){0,2}", set()),
        (r"a*+b", r"(?:\x61){0,}\x62", set()),
        (r"[^Z0]", r"[^\x5a\x30]", {"Z", "0"}),
        (r"caf\u00e9", r"\x63\x61\x66\xc3\xa9", {"0", "Z", "\x0c", "\x01"}),
        (r"\bx\s$", r"\b\x78[\s]$", set()),
    ],
)
def test_emit_writes_a_superset_expression(
    pattern: str, expected_expression: str, unsafe: set[str]
) -> None:
    emitted = emit(re.compile(pattern))
    assert emitted.expression == expected_expression
    assert emitted.unsafe == unsafe


def test_ignorecase_patterns_are_always_candidates() -> None:
    prefilter = RegexPrefilter([re.compile("epidural", re.IGNORECASE), re.compile("facet")])
    assert prefilter.covered == 1
    assert prefilter.candidates("nothing here") == {0}
    assert prefilter.candidates("a facet block") == {0, 1}


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_prefilter_never_misses_a_python_match(text: str) -> None:
    assert _matching(TRICKY, text) <= TRICKY_FILTER.candidates(text)


@pytest.mark.parametrize(
    "text",
    [
        "\u00e9 relief",
        "\u00e9ab",
        "\u00a0ab",
        "\u0663/10",
        "\u00b2\u00a0relief",
        "caf\u00e9",
        "a\x1crelief",
    ],
)
def test_prefilter_keeps_matches_on_non_ascii_characters(text: str) -> None:
    assert _matching(TRICKY, text)
    assert _matching(TRICKY, text) <= TRICKY_FILTER.candidates(text)


RULE_WORDS = st.sampled_from(
    ["epidural", "steroid", "Left", "L4-5", "relief", "80%", "consent", "no", "pain", "\n", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(RULE_WORDS | st.text(max_size=4), max_size=30))
def test_prefilter_never_misses_a_target_rule(parts: list[str]) -> None:
    text = " ".join(parts)
    lowered = text.lower()
    if len(lowered) != len(text):
        return  # the reader skips the prefilter when lower-casing moves offsets
    candidates = PREFILTER.candidates(text, lowered)
    for index, rule in enumerate(RULES):
        if rule.lowered.search(lowered) if rule.lowered else rule.pattern.search(text):
            assert index in candidates, rule.rule.id


def _corpus() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(NOTES.glob("*.txt"))]
    # The same notes with characters Python classifies differently than ASCII would.
    variants = [
        text.replace(" ", "\u00a0", 40).replace("e", "\u00e9", 25).replace("'", "\u2019")
        for text in texts[:20]
    ]
    return texts + variants


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return _corpus()


def test_prefilter_keeps_every_matching_target_rule(corpus: list[str]) -> None:
    for text in corpus:
        lowered = text.lower()
        matching = {
            i
            for i, rule in enumerate(RULES)
            if (rule.lowered.search(lowered) if rule.lowered else rule.pattern.search(text))
        }
        candidates = PREFILTER.candidates(text, lowered)
        assert matching <= candidates
        assert len(candidates) < len(RULES) / 2  # and it does rule most of them out


def test_find_targets_same_spans_with_and_without_prefilter(corpus: list[str]) -> None:
    for text in corpus:
        with_filter = [(s, e, c.rule.id) for s, e, c in find_targets(text, RULES, None, PREFILTER)]
        without = [(s, e, c.rule.id) for s, e, c in find_targets(text, RULES)]
        assert with_filter == without


def test_prefilter_is_safe_across_threads(corpus: list[str]) -> None:
    expected = [PREFILTER.candidates(text, text.lower()) for text in corpus]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: PREFILTER.candidates(t, t.lower()), corpus))
    assert got == expected


def test_prefilter_cache_is_written_and_a_corrupt_one_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARTREADY_CACHE_DIR", str(tmp_path))
    patterns = [re.compile(r"\bfacet\b"), re.compile(r"medial\s+branch")]
    RegexPrefilter(patterns)
    (cached,) = tmp_path.glob("prefilter-*.hsdb")
    cached.write_bytes(b"not a database")
    assert RegexPrefilter(patterns).candidates("medial branch block") == {1}
    assert cached.read_bytes() != b"not a database"


def test_lowered_prefilter_scans_each_group_in_its_own_text() -> None:
    patterns = [re.compile("epidural"), re.compile(r"\bCT\b")]
    prefilter = LoweredPrefilter(patterns, [True, False])
    text = "Lumbar EPIDURAL under CT"
    assert prefilter.candidates(text, text.lower()) == {0, 1}
    assert prefilter.candidates("ct only", "ct only") == set()
