"""Read a value from the text of an evidence span: dates, levels, relief, modality, scores.

The reader marks *where* a note states a conservative therapy, an imaging study or a pain
score, but not every value in it: it does not extract dates, how long a therapy or a
relief lasted, which levels an imaging report names, or which therapy a span is. These
small pure functions read those values from the span's sentence, so every value in the
timeline still points at the characters that state it.
"""

from __future__ import annotations

import datetime as dt
import re

from assistant.checks.detectors import sentence_bounds
from assistant.checks.measures import UNIT_DAYS, WORD_NUMBERS
from assistant.reader.levels import LEVEL_MENTION, canonical_levels

MAX_QUOTE = 300
_NUMERIC_DATE = re.compile(
    r"\b(?:(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)?\d\d)"
    r"|(?P<iy>(?:19|20)\d\d)-(?P<im>\d{1,2})-(?P<id>\d{1,2}))\b"
)
_LABELLED_DATE = re.compile(
    r"^[ \t]*(?:date of service|dos|service date|date of visit|visit date|date)\s*:[ \t]*"
    r"(?P<date>[0-9/-]{6,10})",
    re.IGNORECASE | re.MULTILINE,
)
_RELIEF_LASTED = re.compile(
    r"\b(?:lasting|lasted|for|x|over|sustained for)\s+(?:about\s+|approximately\s+)?"
    r"(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*"
    r"(?P<unit>hours?|hrs?|days?|weeks?|wks?|months?|mos?)\b",
    re.IGNORECASE,
)
_HOURS_PER_DAY = 24
_IMAGING = re.compile(
    r"\b(MRI|CT|x-?rays?|radiographs?|myelogram|bone scan|SPECT|STIR)\b", re.IGNORECASE
)
_FUNCTION_SCORE = re.compile(
    r"\b(?P<name>ODI|NDI|PEG|Oswestry(?: Disability Index)?|Neck Disability Index)\b"
    r"[^.\n\d]{0,20}(?P<value>\d{1,3}(?:\.\d+)?)",
    re.IGNORECASE,
)
_ICD10 = re.compile(r"\b[A-TV-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}\b")
_FAILED = re.compile(
    r"\b(fail\w*|without (relief|benefit|improvement)|no (relief|benefit|improvement)"
    r"|did not (help|relieve|improve)|didn.t help|not help\w*|ineffective|minimal relief"
    r"|inadequate|persist\w*|despite)\b",
    re.IGNORECASE,
)
_HELPED = re.compile(r"\b(helped|improved|good relief|significant relief|resolved)\b", re.I)
# A reader rule id (``el.ct.<name>``) names the therapy its span states.
_MODALITY_BY_RULE = {
    "physical-therapy": "physical_therapy",
    "pt-abbrev": "physical_therapy",
    "chiro": "chiropractic",
    "exercise": "home_exercise",
    "modalities": "therapy_modalities",
    "medication-class": "medication",
    "medication-name": "medication",
    "conservative": "conservative_care",
}


def quote_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``[start, end)``, trimmed and at most :data:`MAX_QUOTE` long.

    A quote is the whole sentence so it carries the value (a span alone reads "physical
    therapy"; its sentence reads "6 weeks of physical therapy without relief").
    """
    left, right = sentence_bounds(text, start, end)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    if right - left > MAX_QUOTE:
        left = max(left, min(start, end - MAX_QUOTE // 2) - MAX_QUOTE // 4)
        right = min(right, max(end, left + MAX_QUOTE))
    return left, right


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def dates_in(text: str) -> list[dt.date]:
    """Dates written as ``01/05/2024``, ``1/5/24`` or ``2024-01-05`` (impossible ones skipped)."""
    out = []
    for match in _NUMERIC_DATE.finditer(text):
        if match["y"]:
            parts = (_year(match["y"]), int(match["m"]), int(match["d"]))
        else:
            parts = (int(match["iy"]), int(match["im"]), int(match["id"]))
        try:
            out.append(dt.date(*parts))
        except ValueError:
            continue
    return out


def labelled_date(text: str) -> dt.date | None:
    """The date on a ``Date of service:`` (``DOS:``, ``Date:``) line; other dates never count.

    An MRI or injury date elsewhere in a note is not its date of service, so only a
    labelled line is read.
    """
    for match in _LABELLED_DATE.finditer(text):
        found = dates_in(match["date"])
        if found:
            return found[0]
    return None


def levels_in(text: str) -> list[str]:
    """Spinal levels named in ``text`` (``L4-L5``, ``L5-S1``, ``L1``), in order, once each."""
    found = (level for m in LEVEL_MENTION.finditer(text) for level in canonical_levels(m[0]))
    return list(dict.fromkeys(found))


def segments(level: str) -> set[str]:
    """The vertebrae a level names (``L4-L5`` -> ``{L4, L5}``)."""
    return set(level.upper().split("-"))


def relief_duration_days(text: str) -> float | None:
    """How long a relief lasted, in days ("lasting 6 hours" = 0.25), else ``None``."""
    match = _RELIEF_LASTED.search(text)
    if match is None:
        return None
    raw = match["n"].lower()
    number = float(WORD_NUMBERS.get(raw, 0) or raw)
    unit = match["unit"].lower()
    if unit.startswith(("hour", "hr")):
        return number / _HOURS_PER_DAY
    name = {"wk": "week", "mo": "month"}.get(unit.rstrip("s"), unit.rstrip("s"))
    return number * UNIT_DAYS[name]


def modality(rule: str | None, span_text: str) -> str:
    """The conservative therapy a reader span names, from its rule id (else its own words)."""
    name = (rule or "").rsplit(".", 1)[-1]
    if name in _MODALITY_BY_RULE:
        return _MODALITY_BY_RULE[name]
    return re.sub(r"\W+", "_", span_text.strip().lower()) or "conservative_care"


def therapy_outcome(sentence: str) -> str | None:
    """``failed`` or ``helped`` as the sentence states it (failure wins), else ``None``."""
    if _FAILED.search(sentence):
        return "failed"
    if _HELPED.search(sentence):
        return "helped"
    return None


def imaging_modality(sentence: str) -> str | None:
    """The first imaging modality a sentence names (``MRI``, ``CT``, ``X-ray``, ...)."""
    match = _IMAGING.search(sentence)
    if match is None:
        return None
    word = match.group(1)
    return "X-ray" if word.lower().startswith(("x", "radiograph")) else word.upper()


def function_score(sentence: str) -> tuple[str, float] | None:
    """A named disability score (``ODI 48``, ``NDI: 30``) as ``(scale, value)``."""
    match = _FUNCTION_SCORE.search(sentence)
    if match is None:
        return None
    name = match["name"].upper()
    scale = "ODI" if name.startswith(("ODI", "OSWESTRY")) else name
    scale = "NDI" if name.startswith("NECK") else scale
    return scale, float(match["value"])


def icd10_codes(text: str) -> list[str]:
    """ICD-10-CM codes written in ``text`` (``M54.16``), in order, once each."""
    return list(dict.fromkeys(_ICD10.findall(text)))
