"""Read a number from a detector hit: a duration, a percent, a pain score, a side.

Detectors (rules as data) find where a note states a value; these pure functions turn the
hit's text into something a threshold can be compared with, so a rule can ask for "at
least 4 weeks of conservative care" rather than "a duration is present".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from assistant.text_scan import sentence_bounds

WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "couple of": 2,
    "few": 2,
    "three": 3,
    "several": 3,
    "many": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_NUMBER = r"\d+(?:\.\d+)?|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?P<n>{_NUMBER})?\s*(?:\+\s*)?(?:-\s*\d+\s*)?[- ]?"
    r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?)\b",
    re.IGNORECASE,
)
_DATED = re.compile(r"\b(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/(?:19|20)\d\d|(?:19|20)\d\d)\b")
_UNIT_NAMES = {"wk": "week", "mo": "month", "yr": "year"}
# "since 2019", "injured on 06/29/1994": the note's own date is unknown, so an onset given
# as a past date counts as one year.
DATED_ONSET_DAYS = 365
_PERCENT = re.compile(r"\b(\d{1,3})\s*(?:%|percent\b)", re.IGNORECASE)
# a figure right after a decimal point ("bupivacaine 0.5%") is a concentration, not relief
_RELIEF_PERCENT = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:%|percent\b)", re.IGNORECASE)
_RELIEF_WORDS = re.compile(r"relie|improv|reduc|resolution|better|benefit|response", re.I)
_BLOCK_WORDS = re.compile(r"block|injection|MBB|diagnostic|test|trial|RFA|ablation", re.I)
_SCORE = re.compile(
    r"\b(?P<name>NRS|VAS|VRS)?\s*(?:score\s*)?(?:of\s*|:\s*|=\s*)?"
    r"(?P<value>\d{1,3})(?:\s*(?:/|out of)\s*(?P<scale>10|100)\b)?",
    re.IGNORECASE,
)
_SIDE = re.compile(r"\b(left|right|bilateral(?:ly)?|both)\b", re.IGNORECASE)


def _unit(name: str) -> str:
    stem = name.lower().rstrip("s")
    return _UNIT_NAMES.get(stem, stem)


def duration_days(text: str) -> int | None:
    """The first length of time stated in ``text``, in days (``None`` when there is none).

    A range counts its lower bound ("3-4 months" = 90); "for years" counts two years; an
    onset given as a date counts :data:`DATED_ONSET_DAYS`.
    """
    if _DATED.search(text):
        return DATED_ONSET_DAYS
    for match in _DURATION.finditer(text):
        unit = UNIT_DAYS[_unit(match["unit"])]
        raw = match["n"]
        if raw is None:
            if _unit(match["unit"]) == "year":
                return 2 * unit
            continue
        count = WORD_NUMBERS.get(raw.lower())
        number = float(raw) if count is None else float(count)
        return int(number * unit)
    return None


def first_percent(text: str) -> int | None:
    """The first percent figure (0-100) in ``text``."""
    for match in _PERCENT.finditer(text):
        value = int(match.group(1))
        if value <= 100:
            return value
    return None


def pain_score(text: str) -> tuple[str, int] | None:
    """The first pain score in ``text`` as ``(scale, value)``.

    The scale is the score's range: the denominator ("7/10" -> ``"10"``), else that of the
    named scale ("NRS 6" -> ``"10"``; a VAS above 10 is in millimetres, ``"100"``), so two
    scores compare only when they were taken on the same range.
    """
    for match in _SCORE.finditer(text):
        value = int(match["value"])
        if match["scale"]:
            return match["scale"], value
        if match["name"]:
            return ("100" if value > 10 else "10"), value
    return None


def sides(text: str) -> set[str]:
    """The body sides ``text`` names (``bilateral``/``both`` name both)."""
    found: set[str] = set()
    for match in _SIDE.finditer(text):
        word = match.group(1).lower()
        found |= {"left", "right"} if word.startswith(("bilateral", "both")) else {word}
    return found


@dataclass(frozen=True)
class ReliefFigure:
    """A percent stated in a sentence about relief, and whether that relief is a block's."""

    percent: int
    start: int
    end: int
    sentence: tuple[int, int]
    names_block: bool


def _previous_sentence(text: str, left: int) -> tuple[int, int] | None:
    """Bounds of the sentence before the one starting at ``left`` (no copy of the text)."""
    end = left
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return sentence_bounds(text, end - 1, end) if end else None


def relief_percents(text: str) -> list[ReliefFigure]:
    """Every percent figure (<= 100) in a sentence about relief, in text order.

    ``names_block``: the sentence, or the one just before it ("He had two medial branch
    blocks. The first gave 90 % relief"), names the block or injection the relief followed.
    """
    out = []
    for match in _RELIEF_PERCENT.finditer(text):
        value = int(match.group(1))
        left, right = sentence_bounds(text, match.start(), match.end())
        sentence = text[left:right]
        if value > 100 or not _RELIEF_WORDS.search(sentence):
            continue
        before = _previous_sentence(text, left)
        names_block = bool(_BLOCK_WORDS.search(sentence)) or (
            before is not None and bool(_BLOCK_WORDS.search(text[before[0] : before[1]]))
        )
        out.append(ReliefFigure(value, match.start(), match.end(), (left, right), names_block))
    return out


# SI joint provocative tests (the SI LCDs ask for three or more positive ones).
_SI_TEST = re.compile(
    r"\b(?:FABER|Patrick(?:'s)?|Gaenslen(?:'s)?|thigh[\s-]thrust|posterior\s+shear|P4|"
    r"sacral\s+thrust|(?:SI(?:J|\s+joint)?\s+)?compression(?!\s+(?:fracture|deformity|stocking))|"
    r"distraction|Yeoman(?:'s)?)",
    re.IGNORECASE,
)
_TEST_POSITIVE = re.compile(
    r"\b(?:positive|pos|reproduc\w*|provok\w*|elicit\w*|recreat\w*|painful|concordant)\b"
    r"|\(\+\)|\+(?![\d\s]*\d)",
    re.IGNORECASE,
)
_TEST_NEGATIVE = re.compile(
    r"\b(?:negative|neg|normal|equivocal|unremarkable|non-?provocative|"
    r"not\s+(?:reproduc\w*|provok\w*|painful|positive)|without\s+pain|no\s+pain)\b|\(-\)",
    re.IGNORECASE,
)
# A clause of a test list: commas, semicolons and the words that join two findings.
_TEST_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)
_TESTS_COUNTED = re.compile(
    r"\b(three|four|five|six|[3-6])\s+(?:(?:of|out\s+of)\s+(?:five|six|[5-6])\s+)?(?:positive\s+)?"
    r"(?:provocative|SI(?:J|\s+joint)?|sacroiliac)\s+(?:tests|maneuvers|manoeuvres)",
    re.IGNORECASE,
)


def _clauses(text: str, left: int, right: int) -> list[tuple[int, int]]:
    cuts = [left, *(m.start() for m in _TEST_CLAUSE_BREAK.finditer(text, left, right)), right]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _test_name(text: str) -> str:
    """One name per test ("Patrick's" is FABER; "SI compression" is compression)."""
    name = re.sub(r"'s$|^si(?:j|\s+joint)?\s+", "", text.lower()).replace("-", " ")
    return {"patrick": "faber", "posterior shear": "thigh thrust", "p4": "thigh thrust"}.get(
        name, name
    )


def positive_si_tests(text: str) -> tuple[int, list[tuple[int, int]]]:
    """How many SI provocative tests the note calls positive, and where it says so.

    A clause's own word decides ("FABER positive, Gaenslen negative"); a clause naming tests
    with no word of its own takes the next clause's ("Thigh thrust and compression are
    negative"), else the one before ("FABER reproduces her pain, and so does Gaenslen's").
    Each test counts once; "three of five provocative tests positive" counts as three.
    """
    named: dict[str, tuple[int, int]] = {}
    stated = 0
    stated_spans: list[tuple[int, int]] = []
    for counted in _TESTS_COUNTED.finditer(text):
        _, right = sentence_bounds(text, counted.start(), counted.end())
        if not _TEST_NEGATIVE.search(text, counted.end(), right):
            number = counted.group(1).lower()
            stated = max(stated, WORD_NUMBERS.get(number) or int(number))
            stated_spans.append((counted.start(), counted.end()))
    seen_sentences: set[tuple[int, int]] = set()
    for match in _SI_TEST.finditer(text):
        bounds = sentence_bounds(text, match.start(), match.end())
        if bounds in seen_sentences:
            continue
        seen_sentences.add(bounds)
        clauses = _clauses(text, *bounds)
        status: list[bool | None] = []
        for a, b in clauses:
            positive = bool(_TEST_POSITIVE.search(text, a, b))
            negative = bool(_TEST_NEGATIVE.search(text, a, b))
            status.append(positive if positive != negative else None)
        for i, (a, b) in enumerate(clauses):
            said = status[i]
            if said is None:
                later = [s for s in status[i + 1 :] if s is not None]
                earlier = [s for s in status[:i] if s is not None]
                said = later[0] if later else (earlier[-1] if earlier else None)
            if said:
                for test in _SI_TEST.finditer(text, a, b):
                    named.setdefault(_test_name(test.group()), (test.start(), test.end()))
    if stated > len(named):
        return stated, stated_spans
    return len(named), list(named.values())
