"""Spinal levels: canonical names, ranges and counting, as small pure functions.

Canonical forms follow note-facts/v1: an interspace or joint is ``"L4-L5"`` / ``"L5-S1"``,
a single segment, nerve root or medial branch is ``"L4"``. "L4-5", "L4/5" and "L4-L5" are
the same joint; "C5-7" and "L3 through L5" name the joints between (``C5-C6, C6-C7``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

_COUNTS = {"C": 8, "T": 12, "L": 5, "S": 5}  # C8 exists as a nerve root
_ORDER = "CTLS"

_SEGMENTS: tuple[str, ...] = tuple(
    f"{region}{number}" for region in _ORDER for number in range(1, _COUNTS[region] + 1)
)
_INDEX = {segment: index for index, segment in enumerate(_SEGMENTS)}

# One level mention: "L4", "L4-5", "L4-L5", "L4/5", "L5-S1", "C5-7", "L3 through L5", and
# shorthand: "L5S1" (no joiner between two named segments), "L3-4-5" (a chain of joints),
# and a junction dictated with a space ("L5 S1", "C7 T1", "T12 L1": the joint between).
LEVEL_MENTION = re.compile(
    r"(?<![A-Za-z0-9])([CTLS])[\s#-]?(\d{1,2})"
    r"(?:(?:\s?(-|–|/|\bto\b|\bthrough\b|\bthru\b)\s?(?:\d{1,2}-){0,3}|(\s?(?=[CTLS]\d)|\s(?=\d)))"
    r"([CTLS])?[\s#-]?(\d{1,2}))?(?![0-9])",
    re.IGNORECASE,
)


_REGION_WORD = re.compile(r"^(cervical|thoracic|lumbar|sacral)(?:\s?#\s?|\s(?=\d))", re.IGNORECASE)

# Levels as speech recognition writes them: "L four five", "el five S one", "C six to seven",
# "T eight and nine"
# (the reader's level.spoken target rule finds them in the note).
_NUMBER_WORDS = (
    *("one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
)
_NUMBER_WORD = "|".join(_NUMBER_WORDS)
_VALUE = {word: str(index) for index, word in enumerate(_NUMBER_WORDS, 1)}
_SPOKEN = re.compile(
    rf"(?<![A-Za-z0-9])((?i:el)|[CTLS])\s((?i:{_NUMBER_WORD}))\b"
    rf"(?:(\s?[-/]\s?|\s(?i:to|through|and)\s|\s)(?:((?i:el)|[CTLS])\s)?((?i:{_NUMBER_WORD}))\b)?"
)


def _region_letter(spoken: str) -> str:
    return "L" if spoken.lower() == "el" else spoken.upper()


def _written(match: re.Match[str]) -> str:
    region, number, joiner, region2, number2 = match.groups()
    out = _region_letter(region) + _VALUE[number.lower()]
    if number2 is None:
        return out
    second = (_region_letter(region2) if region2 else "") + _VALUE[number2.lower()]
    if not joiner.strip():
        joiner = " " if region2 else "-"  # "L five S one" is a junction, "L four five" a joint
    return out + joiner + second


# The rest of a spoken list after its first level: "T eight, nine and ten" -> "T8, 9 and 10".
_SPOKEN_TAIL = re.compile(
    rf"(?<=[CTLS]\d)((?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:{_NUMBER_WORD})\b)+", re.IGNORECASE
)
_NUMBER = re.compile(rf"\b(?:{_NUMBER_WORD})\b", re.IGNORECASE)


def _written_tail(match: re.Match[str]) -> str:
    return _NUMBER.sub(lambda word: _VALUE[word[0].lower()], match[0])


def written_levels(text: str) -> str:
    """``text`` with spoken levels written as levels: "el five S one" -> "L5 S1"."""
    if not _SPOKEN.search(text):
        return text
    return _SPOKEN_TAIL.sub(_written_tail, _SPOKEN.sub(_written, text))


# A list that names its region once: "L4 and 5", "L3, 4, 5", "C5/6 and 6/7" (the
# level.mention rule takes the tail into its span).
_LISTED = re.compile(
    r"(?<![A-Za-z0-9])([CTLS])(\d{1,2}(?:\s?[-/]\s?\d{1,2})?)"
    r"((?:(?:\s?,\s?(?:and\s)?|\s(?:and|&|\+)\s)\d{1,2}(?:\s?[-/]\s?\d{1,2})?(?![\d/]))+)",
    re.IGNORECASE,
)
_ITEM = re.compile(r"\d{1,2}(?:\s?[-/]\s?\d{1,2})?")


def _lettered(match: re.Match[str]) -> str:
    """The list with its region letter before every item, while the items run head to tail.

    "L4 and 5" -> "L4 and L5"; an item above the one before it ("L5, 1") is not a level.
    """
    letter, first, tail = match.groups()
    last = int(re.findall(r"\d+", first)[-1])
    out, pos = [letter + first], 0
    for item in _ITEM.finditer(tail):
        numbers = [int(n) for n in re.findall(r"\d+", item[0])]
        if numbers[0] < last or (numbers[0] == last and len(numbers) == 1):
            break
        out.append(tail[pos : item.start()] + letter + item[0])
        pos, last = item.end(), numbers[-1]
    return "".join(out) + tail[pos:]


# Three or more lettered levels joined by slashes are a list ("L3/L4/L5 medial branches",
# "S1/S2/S3 lateral branches"), not a joint and a segment: a joint is a pair ("L4/5").
_SLASH_CHAIN = re.compile(
    r"(?<![A-Za-z0-9])[CTLS]\d{1,2}(?:[ \t]?/[ \t]?[CTLS]\d{1,2}){2,}(?![0-9])", re.IGNORECASE
)
_SLASH = re.compile(r"[ \t]?/[ \t]?")


def _as_list(match: re.Match[str]) -> str:
    """A slash chain written as a comma list of the same length ("S1/S2" -> "S1,S2")."""
    return _SLASH.sub(lambda slash: ",".ljust(len(slash[0])), match[0])


def _initial(match: re.Match[str]) -> str:
    """Turn "Cervical #7" into "C7": the region word's initial stands for the region."""
    return match.group(1)[0].upper()


def is_segment(name: str) -> bool:
    """Whether ``name`` is a real vertebral segment such as ``"L5"`` (not ``"L9"``)."""
    return name in _INDEX


def segment_index(name: str) -> int:
    """Position of a segment from head to tail (C1 = 0)."""
    return _INDEX[name]


def _next(segment: str) -> str | None:
    """The segment below ``segment``, skipping C8 (a root, not a vertebra) at C7-T1."""
    index = _INDEX[segment] + 1
    if segment == "C7":
        return "T1"
    return _SEGMENTS[index] if index < len(_SEGMENTS) else None


def _vertebra_span(first: str, last: str) -> list[str]:
    """Vertebrae from ``first`` to ``last`` inclusive, head to tail (C8 excluded)."""
    out = [first]
    while out[-1] != last:
        nxt = _next(out[-1])
        if nxt is None:
            return []
        out.append(nxt)
    return out


def joint_name(upper: str, lower: str) -> str:
    """Canonical interspace name: ``joint_name("L4", "L5") == "L4-L5"``."""
    return f"{upper}-{lower}"


def canonical_levels(mention: str, *, range_as_segments: bool = False) -> list[str]:
    """Canonical levels named by one mention, or ``[]`` when it names no real level.

    Two adjacent segments joined by a dash or slash are one joint ("L4-5" → ``L4-L5``).
    A wider range names the joints between its ends ("C5-7" → ``C5-C6, C6-C7``), unless
    ``range_as_segments`` (medial branches, roots, vertebral bodies: "L3 to L5" →
    ``L3, L4, L5``); an adjacent dashed pair stays a joint either way.
    """
    match = LEVEL_MENTION.fullmatch(_REGION_WORD.sub(_initial, written_levels(mention.strip())))
    if match is None:
        return []
    region, number, joiner, space, region2, number2 = match.groups()
    first = f"{region.upper()}{int(number)}"
    if not is_segment(first):
        return []
    if number2 is None:
        return [first]
    last = f"{(region2 or region).upper()}{int(number2)}"
    if joiner is None and space and region2 is None:
        # a joint typed with a space ("L4 5", "c6 7"); a number that does not follow is
        # something else ("L4 12 o'clock" is L4)
        if not is_segment(last) or _next(first) != last:
            return [first]
        return [first, last] if range_as_segments else [joint_name(first, last)]
    if not is_segment(last):
        return []
    if joiner is None and space:
        # a junction dictated with a space is its joint; other spaced pairs are two segments
        junction = first[0] != last[0] and _next(first) == last and not range_as_segments
        return [joint_name(first, last)] if junction else [first, last]
    if segment_index(last) <= segment_index(first):
        return []
    span = _vertebra_span(first, last)
    if not span:
        return []
    word_range = joiner is not None and joiner.lower() in {"to", "through", "thru"}
    if len(span) == 2 and not word_range:
        return [joint_name(span[0], span[1])]  # "L5-S1 medial branch block" names a joint
    if range_as_segments:
        return span
    return [joint_name(a, b) for a, b in pairwise(span)]


def joints_between(upper: list[str], lower: list[str]) -> list[str]:
    """The joints from one joint to another ("T6-T7" to "T8-T9": T7-T8), when both are joints."""
    if len(upper) != 1 or len(lower) != 1 or "-" not in upper[0] or "-" not in lower[0]:
        return []
    start, end = upper[0].split("-")[1], lower[0].split("-")[0]
    if segment_index(end) <= segment_index(start):
        return []
    span = _vertebra_span(start, end)
    return [joint_name(a, b) for a, b in pairwise(span)]


def levels_in(text: str, *, range_as_segments: bool = False) -> list[str]:
    """Canonical levels of every mention in ``text``, in order.

    A span of text may hold several mentions: "L4-5,L5-S1" and "L3,L4,L5" are one token.
    """
    whole = canonical_levels(text, range_as_segments=range_as_segments)
    if whole:
        return whole
    text = _SLASH_CHAIN.sub(_as_list, _LISTED.sub(_lettered, written_levels(text)))
    return [
        level
        for match in LEVEL_MENTION.finditer(text)
        if not text[match.end() : match.end() + 1].isalpha()  # "L 3rd" is a rib, not L3
        for level in canonical_levels(match[0], range_as_segments=range_as_segments)
    ]


def _sort_key(level: str) -> tuple[int, int]:
    head, _, tail = level.partition("-")
    start = segment_index(head)
    return (start, segment_index(tail) if tail else start)


def sort_levels(levels: Iterable[str]) -> list[str]:
    """Unique levels sorted head to tail; a segment sorts just before its joint below."""
    return sorted(set(levels), key=_sort_key)


def region_of(level: str) -> str:
    """Spinal region of a level, from its upper segment: cervical/thoracic/lumbar/sacral."""
    return {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}[level[0]]


def count_levels(levels: Iterable[str]) -> int:
    """Number of distinct levels (joints or segments) for unit checks."""
    return len(set(levels))
