"""Read the doses of a drug a note states, with where it states them.

The reader marks only that a dose is documented (``elements.medication_dose``); it keeps no
drug or amount. The drug-unit claim check (:func:`assistant.checks.coding.drug_units`) needs
the amount, so these pure functions find each amount written next to one of a drug's names
and convert it to the measure of the drug's billing unit:

- "80 mg of Depo-Medrol", "Depo-Medrol 80 mg", "155 units of Botox": the amount;
- "2 mL of Kenalog 40 mg/mL", "Kenalog 40 mg/mL, 2 mL", "5 mL of 1% lidocaine": volume times
  concentration (a percent is grams per 100 mL: 1 % is 10 mg/mL); a pump refill the same way
  ("20 mL of morphine 20 mg/mL", "baclofen 2000 mcg/mL x 20 mL"), its residual volume taken
  out and its programmed daily dose or rate left out, the volume also read from a later
  sentence that tells the refill ("Refill: morphine 20 mg/mL. 20 mL instilled.");
- "Synvisc-One 6 mL": a volume alone does not convert (the amount is unknown, not absent);
- for a drug in units (botulinum toxins) named without an amount beside it, the units the
  note states elsewhere ("A total of 155 units was injected").

An amount counts only when nothing but filler stands between it and the name ("of", "the",
"preservative-free", a concentration): another drug's name, "and" or "with" ends the search,
so "Kenalog with 3 mL of 0.25% bupivacaine" gives Kenalog no dose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.checks.detectors import Span, sentence_bounds

Measure = Literal["mg", "units"]
_NUM = r"\d+(?:\.\d+)?|\.\d+"
# A measure per billing measure: (measure, factor to it); ``ml`` is a volume.
_MEASURES: dict[str, tuple[str, float]] = {
    "mg": ("mg", 1.0),
    "mgs": ("mg", 1.0),
    "milligram": ("mg", 1.0),
    "milligrams": ("mg", 1.0),
    "mcg": ("mg", 0.001),
    "mcgs": ("mg", 0.001),
    "microgram": ("mg", 0.001),
    "micrograms": ("mg", 0.001),
    "ug": ("mg", 0.001),
    "µg": ("mg", 0.001),
    "unit": ("units", 1.0),
    "units": ("units", 1.0),
    "u": ("units", 1.0),
    "iu": ("units", 1.0),
    "ml": ("ml", 1.0),
    "mls": ("ml", 1.0),
    "cc": ("ml", 1.0),
    "ccs": ("ml", 1.0),
    "milliliter": ("ml", 1.0),
    "milliliters": ("ml", 1.0),
}
_MEASURE = "|".join(sorted(_MEASURES, key=len, reverse=True))
# An amount that is not a strength ("40 mg/mL", "100 units/2 mL") or a package ("200 unit
# vial"); an amount thrown away ("45 units were discarded") is dropped by ``_WASTE``.
_AMOUNT = re.compile(
    rf"(?<![\w.])(?P<n>{_NUM})\s*(?P<m>{_MEASURE})(?![\w/])"
    r"(?!\s*(?:/|per\b)\s*(?:\d+(?:\.\d+)?\s*)?(?:ml|cc)\b)"
    r"(?!\s*(?:vials?|bottles?|ampules?|syringes?|kits?)\b)",
    re.IGNORECASE,
)
_WASTE = re.compile(r"\b(?:wasted|waste|wastage|discarded|unused)\b", re.IGNORECASE)
# After an amount: the contents of a vial being prepared ("Botox 200 units reconstituted").
_PREPARED = re.compile(r"\b(?:reconstitut\w*|dilut\w*)", re.IGNORECASE)
_WASTE_CHARS = 30
_BREAK = re.compile(r"[.;\n]")
# At a pump refill, the residual volume taken out ("residual 2.8 mL", "returned 2.8 mL", "2.8 mL
# was aspirated") and the programmed daily dose or rate ("daily dose 2.2 mg", "2.2 mg per day")
# are not an amount given: the words before an amount count within its phrase (those of a
# residual only before a volume: "the stylet was removed 40 mg of Kenalog" keeps the 40 mg),
# the words after it only right after it ("20 mL of morphine at a daily rate of 2 mg" keeps
# the 20 mL).
_RESIDUAL_BEFORE = re.compile(
    r"\b(?:residual|withdraw|withdrawn|withdrew|aspirated|returned|removed|emptied|expected)\b",
    re.IGNORECASE,
)
_RATE_BEFORE = re.compile(r"\b(?:daily|rate)\b", re.IGNORECASE)
_PUMP_AFTER = re.compile(
    r"[ \t]*(?:(?:of|was|were|is|the)[ \t]+){0,2}"
    r"(?:residual|withdrawn|aspirated|returned|removed)\b"
    r"|[ \t]*(?:per|a|/)[ \t]*(?:day|hour|hr|24[ \t]*h\w*)\b|[ \t]*daily\b",
    re.IGNORECASE,
)
_PHRASE = re.compile(r"\.(?!\d)|[;,\n]|\b(?:and|then|with)\b", re.IGNORECASE)
_PHRASE_CHARS = 45
# A strength: mg (or mcg) per mL or per a number of mL ("48 mg/6 mL", whose volume is read
# as an amount of its own), or a percent.
_STRENGTH = re.compile(
    rf"(?<![\w.])(?P<n>{_NUM})\s*(?:(?P<m>mg|mcg)\s*(?:/|per\b)\s*(?P<v>{_NUM})?\s*(?:ml|cc)\b|%)",
    re.IGNORECASE,
)
# What may stand between an amount and the name after it once strengths are taken out (on
# one line: in a list of drugs, the line above is another drug's).
_FILLER = re.compile(
    r"[ \t,]*(?:\([^()\n]{0,30}\)[ \t,]*)?(?:of\b[ \t]*)?(?:the\b[ \t]*)?"
    r"(?:(?:preservative[- ]free|pf|sterile|non-?particulate|particulate)\b[ \t]*){0,2}",
    re.IGNORECASE,
)
# What ends the text searched after a name: the next item of a list of drugs.
_AFTER_STOP = re.compile(
    r"\b(?:and|with|plus|followed by|mixed|then|as well as|along with|after|before)\b|[;+\n]",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[;\n]")
_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)
_PER_SITE = re.compile(
    r"\b(?:each|per|every)\s+(?:\w+\s+){0,2}?(?:levels?|sites?|joints?|sides?|segments?|nerves?"
    r"|branch(?:es)?|muscles?|points?|injections?|foram(?:en|ina)|locations?|targets?)\b"
    r"|\bat each\b",
    re.IGNORECASE,
)
# A sentence that tells a pump's refill volume, read when the drug's own sentence gives its
# concentration only ("Drug: baclofen 2000 mcg/mL.\nVolume instilled: 18 mL").
_REFILL = re.compile(
    r"\b(?:refill\w*|instill\w*|reservoir|filled)\b|\binto the pump\b", re.IGNORECASE
)
_REFILL_CHARS = 240  # how far past the drug's sentence its refill volume is looked for
_PIECE_END = re.compile(r"(?<=[.!?;])\s+|\n")  # a sentence or a line, for _refill_apart
_BEFORE_CHARS = 60
_AFTER_CHARS = 45
_VOLUME_CHARS = 25
_REACH = 120  # how far after a name its sentence is read (the next drug, further amounts)


@dataclass(frozen=True)
class DoseMention:
    """One amount of a drug the note states.

    ``amount`` is in the measure asked for (mg or units); ``None`` when the note states it in
    a measure that does not convert (a volume with no concentration). ``total`` marks an
    amount stated as the total; ``partial`` one that may be only part of the dose: given at
    each level or site, or followed by more amounts before the next drug is named
    ("dexamethasone 5 mg at L4-L5 and 5 mg at L5-S1").
    """

    span: Span
    amount: float | None
    total: bool = False
    partial: bool = False


@dataclass(frozen=True)
class DocumentedDose:
    """What a note states about one drug: its amounts and every place it names the drug."""

    mentions: tuple[DoseMention, ...]
    named: tuple[Span, ...]

    def bounds(self) -> tuple[float, float] | None:
        """The least and most of the drug the note can be read to document, or ``None``.

        A stated total is the dose. Otherwise the amounts may restate one dose or add up
        (two levels, or a dose and its restatement in parentheses), so the least is the
        largest amount and the most their sum; a partial amount or one that does not
        convert leaves the most open (infinite). ``None`` when no amount converts.
        """
        amounts = [m.amount for m in self.mentions if m.amount is not None]
        if not amounts:
            return None
        totals = [m.amount for m in self.mentions if m.total and m.amount is not None]
        if totals:
            return max(totals), max(totals)
        open_ended = any(m.amount is None or m.partial for m in self.mentions)
        return max(amounts), math.inf if open_ended else sum(amounts)


@dataclass(frozen=True)
class _Quantity:
    start: int
    end: int
    value: float
    measure: str  # mg, units, ml, or "strength" (mg per mL)


def name_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """One regex for drug names: longest first, a hyphen or space optional between words.

    "depo-medrol" matches "Depo-Medrol", "DepoMedrol" and "depo medrol"; a product strength
    may follow the name ("Kenalog-40").
    """
    parts = sorted({name.strip().lower() for name in names if name.strip()}, key=len, reverse=True)
    words = ["[-\\s]{0,3}".join(map(re.escape, re.split(r"[-\s]+", p))) for p in parts]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(words)})(?:-\s?\d{{1,3}})?(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=64)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return name_pattern(names)


def _quantities(text: str, start: int, end: int) -> list[_Quantity]:
    """Amounts and strengths (mg per mL) in ``text[start:end]``, in order."""
    found: list[_Quantity] = []
    for match in _STRENGTH.finditer(text, start, end):
        if not match["m"]:
            per_ml = float(match["n"]) * 10.0  # a percent: grams per 100 mL
        else:
            per_ml = float(match["n"]) * (0.001 if match["m"].lower() == "mcg" else 1.0)
            per_ml /= float(match["v"] or 1) or 1.0
        until = match.start("v") if match["v"] else match.end()
        found.append(_Quantity(match.start(), until, per_ml, "strength"))
    for match in _AMOUNT.finditer(text, start, end):
        if any(q.start <= match.start() < q.end for q in found) or _set_aside(text, match):
            continue
        measure, factor = _MEASURES[match["m"].lower()]
        found.append(_Quantity(match.start(), match.end(), float(match["n"]) * factor, measure))
    return sorted(found, key=lambda q: q.start)


def _set_aside(text: str, match: re.Match[str]) -> bool:
    """An amount said to be discarded (or a vial's contents being prepared), not given.

    The words right after it count up to the next amount ("155 units injected and 45 units
    discarded" keeps the 155); the words before it, from the start of the clause. So does a
    pump's residual volume or programmed daily dose or rate (``_RESIDUAL_BEFORE``,
    ``_RATE_BEFORE``, ``_PUMP_AFTER``).
    """
    ahead = text[match.end() : match.end() + _WASTE_CHARS]
    later = _AMOUNT.search(ahead)
    ahead = _BREAK.split(ahead[: later.start()] if later else ahead, maxsplit=1)[0]
    behind = _BREAK.split(text[max(0, match.start() - _WASTE_CHARS) : match.start()])[-1]
    phrase = _PHRASE.split(text[max(0, match.start() - _PHRASE_CHARS) : match.start()])[-1]
    volume = _MEASURES[match["m"].lower()][0] == "ml"
    return bool(
        _WASTE.search(ahead)
        or _PREPARED.search(ahead)
        or _WASTE.search(behind)
        or _RATE_BEFORE.search(phrase)
        or (volume and _RESIDUAL_BEFORE.search(phrase))
        or _PUMP_AFTER.match(text, match.end())
    )


def _convert(amount: _Quantity, strength: _Quantity | None, measure: Measure) -> float | None:
    """An amount in ``measure``: as stated, or a volume times its strength (mg only)."""
    if amount.measure == measure:
        return amount.value
    if amount.measure == "ml" and strength is not None and measure == "mg":
        return amount.value * strength.value
    return None


def _before(text: str, left: int, name_start: int) -> tuple[_Quantity | None, _Quantity | None]:
    """The amount and strength written just before a name ("2 mL of 1% lidocaine")."""
    quantities = _quantities(text, max(left, name_start - _BEFORE_CHARS), name_start)
    strength = None
    for index in range(len(quantities) - 1, -1, -1):
        quantity = quantities[index]
        gap = text[quantity.end : name_start]
        for later in quantities[index + 1 :]:
            gap = gap.replace(text[later.start : later.end], " ")
        if _FILLER.fullmatch(gap) is None:
            break
        if quantity.measure == "strength":
            strength = strength or quantity
            continue
        return quantity, strength
    return None, strength


def _after(text: str, name_end: int, right: int) -> list[_Quantity]:
    """Amounts and strengths after a name, up to the next item of a list of drugs."""
    limit = min(right, name_end + _AFTER_CHARS)
    stop = _AFTER_STOP.search(text, name_end, limit)
    return _quantities(text, name_end, stop.start() if stop else limit)


def _labelled(name: re.Match[str], measure: Measure) -> _Quantity | None:
    """The strength a product name carries, in mg per mL ("Kenalog-40" is 40 mg/mL)."""
    suffix = re.search(r"-\s?(\d{1,3})$", name.group(0))
    if suffix is None or measure != "mg":
        return None
    return _Quantity(suffix.start(1) + name.start(), name.end(), float(suffix.group(1)), "strength")


def _read(
    text: str,
    name: re.Match[str],
    left: int,
    right: int,
    measure: Measure,
) -> tuple[_Quantity, float | None, int, int] | None:
    """The dose written at one name: its quantity, amount in ``measure`` and quoted bounds."""
    amount, strength = _before(text, left, name.start())
    after = _after(text, name.end(), right)
    if amount is not None and amount.measure != "ml":
        return amount, _convert(amount, None, measure), amount.start, name.end()
    if amount is not None:  # a volume before the name: its strength before or after it
        strength = (
            strength
            or next((q for q in after if q.measure == "strength"), None)
            or _labelled(name, measure)
        )
        end = max(name.end(), strength.end if strength else 0)
        return amount, _convert(amount, strength, measure), amount.start, end
    first = next((q for q in after if q.measure != "strength"), None)
    if first is None:
        return None
    if first.measure == "ml":
        near = [
            q
            for q in after
            if q.measure == "strength" and abs(q.start - first.end) <= _VOLUME_CHARS
        ]
        strength = strength or next(iter(near), None) or _labelled(name, measure)
    start = min(name.start(), strength.start if strength else name.start())
    end = max(first.end, strength.end if strength else first.end)
    return first, _convert(first, strength, measure), start, end


def find_doses(
    text: str,
    names: Sequence[str],
    measure: Measure,
    stop_names: Sequence[str] = (),
    skip: Callable[[int, int], bool] | None = None,
) -> DocumentedDose:
    """Every amount of the drug ``names`` names, in ``measure``, and where it is named.

    ``stop_names`` are the other drugs a note may list (their names end the text searched
    for an amount); ``skip(start, end)`` drops a name in a sentence that is not about what was
    given today (a prescription, a plan, an earlier procedure).
    """
    own = _pattern(tuple(sorted(names)))
    others = _pattern(tuple(sorted({*names, *stop_names})))
    mentions: dict[tuple[int, int], DoseMention] = {}
    named: list[Span] = []
    for match in own.finditer(text):
        if skip is not None and skip(match.start(), match.end()):
            continue
        named.append(Span(match.start(), match.end(), match.group(0), "detector", "drug_named"))
        # Bounded windows of the sentence around the name: linear time on a long note that
        # is one sentence full of drug names.
        sentence = sentence_bounds(text, match.start(), match.end())
        near = (
            max(sentence[0], match.start() - _BEFORE_CHARS),
            min(sentence[1], match.end() + _REACH),
        )
        previous = [m.end() for m in others.finditer(text, near[0], match.start())]
        following = others.search(text, match.end(), near[1])
        left = max([near[0], *previous])
        right = following.start() if following else near[1]
        read = _read(text, match, left, right, measure) or _refill_apart(
            text, match, right, others, measure, skip
        )
        if read is None:
            continue
        quantity, amount, start, end = read
        key = (quantity.start, quantity.end)
        if key in mentions:
            continue
        mentions[key] = DoseMention(
            span=Span(start, end, text[start:end], "detector", "drug_dose"),
            amount=amount,
            total=bool(_TOTAL.search(text, max(near[0], quantity.start - 20), quantity.start))
            or bool(_TOTAL.search(text, match.end(), quantity.start)),
            partial=bool(_PER_SITE.search(text, *near))
            or _more_follow(text, quantity, right, following, measure),
        )
    if not mentions and named and measure == "units":
        foreign = sorted(set(stop_names) - set(names))
        mentions = _units_apart(text, _pattern(tuple(foreign)) if foreign else None, skip)
    ordered = sorted(mentions.values(), key=lambda m: (m.span.start, m.span.end))
    return DocumentedDose(tuple(ordered), tuple(named))


def _refill_apart(
    text: str,
    name: re.Match[str],
    right: int,
    others: re.Pattern[str],
    measure: Measure,
    skip: Callable[[int, int], bool] | None,
) -> tuple[_Quantity, float | None, int, int] | None:
    """A refill's volume on a later line or sentence, for a drug named with its strength only.

    The first volume (not a residual: :func:`_set_aside`) in the next sentences or lines
    within ``_REFILL_CHARS`` that tell the refill (``_REFILL``) and that ``skip`` keeps (a
    refill planned for the next visit is no dose), unless one on the way names a drug: the
    volume may then be that drug's.
    """
    if measure != "mg":
        return None
    strength = next(
        (q for q in _after(text, name.end(), right) if q.measure == "strength"), None
    ) or _labelled(name, measure)
    if strength is None:
        return None
    first = _PIECE_END.search(text, name.end())
    start = first.end() if first else len(text)
    limit = min(len(text), start + _REFILL_CHARS)
    while start < limit:
        piece = _PIECE_END.search(text, start, limit)
        end = piece.start() if piece else limit
        if others.search(text, start, end):
            return None
        if _REFILL.search(text, start, end):
            volume = next((q for q in _quantities(text, start, end) if q.measure == "ml"), None)
            if volume is not None and not (skip and skip(volume.start, volume.end)):
                return volume, _convert(volume, strength, measure), name.start(), volume.end
        start = piece.end() if piece else limit
    return None


def _units_apart(
    text: str, foreign: re.Pattern[str] | None, skip: Callable[[int, int], bool] | None
) -> dict[tuple[int, int], DoseMention]:
    """Amounts in units the note states apart from the drug's name, for a drug in units.

    A toxin note often names the product once and gives the units injected in another
    sentence ("A total of 155 units was injected at 31 sites"); in a pain note units are the
    toxin's. Sentences that name another drug or that ``skip`` drops do not count, nor do
    amounts set aside. An amount is partial (the least the note documents, never a reason to
    call the units billed too many) unless the note calls it the total ("Total injected:
    155 units"), which is the dose.
    """
    elsewhere = (
        {sentence_bounds(text, m.start(), m.end()) for m in foreign.finditer(text)}
        if foreign
        else set()
    )
    found: dict[tuple[int, int], DoseMention] = {}
    for quantity in _quantities(text, 0, len(text)):
        if quantity.measure != "units" or (skip is not None and skip(quantity.start, quantity.end)):
            continue
        sentence = sentence_bounds(text, quantity.start, quantity.end)
        if sentence in elsewhere:
            continue
        total = bool(_TOTAL.search(text, max(sentence[0], quantity.start - 20), quantity.start))
        span = Span(
            quantity.start,
            quantity.end,
            text[quantity.start : quantity.end],
            "detector",
            "drug_dose",
        )
        found[(quantity.start, quantity.end)] = DoseMention(
            span, quantity.value, total=total, partial=not total
        )
    return found


def _more_follow(
    text: str,
    quantity: _Quantity,
    right: int,
    following: re.Match[str] | None,
    measure: Measure,
) -> bool:
    """Whether more amounts (or volumes) follow a dose before the next drug is named.

    An amount written just before the next drug's name is that drug's ("Depo-Medrol 80 mg
    and 2 mL of 1% lidocaine").
    """
    theirs = _before(text, quantity.end, following.start())[0] if following else None
    clause = _CLAUSE_END.search(text, quantity.end, right)
    right = clause.start() if clause else right
    return any(
        q.measure in (measure, "ml") and (theirs is None or q.start != theirs.start)
        for q in _quantities(text, quantity.end, right)
    )


def units_for(amount: float, unit: float) -> int:
    """Billing units for an amount: whole units, rounded up (CMS: to the next whole unit)."""
    return max(1, math.ceil(round(amount / unit, 6)))
