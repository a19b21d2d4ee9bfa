"""The procedure lexicon: source vocabulary (CPT descriptors, abbreviations) as target rules.

``rules/lexicon.v1.yaml`` lists, per family, the words notes use to name its procedures.
:func:`lexicon_rules` compiles every term into FAMILY target rules (plus APPROACH and REGION
rules where the words imply them) that the target ruler runs with the hand-written rules.
The term syntax is documented at the top of the YAML file; compiled patterns are linear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.datafiles import LinearRegex, check_linear, load_yaml
from assistant.facts import Approach, Family, Region

LEXICON_FILE = "lexicon.v1.yaml"
JOIN = r"[\s/-]+"
LEVEL = r"[CTLS]\d{1,2}(?:\s*[-/]\s*[CTLS]?\d{1,2})?"
CONTEXT_WINDOW = 60
Abbreviations = Mapping[str, Sequence[str]]


class LexiconEntry(BaseModel):
    """One way of naming a family's procedures, with its source and examples."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    family: Family
    approach: Approach | None = None
    region: Region | None = None
    generic: bool = False
    yields_to: list[Family] = Field(default_factory=list)
    source: str = Field(min_length=10)
    terms: list[str] = Field(min_length=1)
    context: LinearRegex | None = None
    context_for: list[str] | None = None
    examples: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _compiles(cls, terms: list[str]) -> list[str]:
        for term in terms:
            check_linear(term_pattern(term))
        return terms


class Lexicon(BaseModel):
    """The lexicon file: entries, and the short forms busy writers use for common words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    abbreviations: dict[str, list[str]] = Field(default_factory=dict)
    entries: list[LexiconEntry]


def _tokens(term: str) -> list[str]:
    """Split a term at spaces outside ``[...]`` and ``(...)``."""
    tokens: list[str] = []
    depth = 0
    current = ""
    for char in term.strip():
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == " " and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise ValueError(f"unbalanced brackets in lexicon term {term!r}")
    return [*tokens, current] if current else tokens


_ACRONYM = re.compile(r"[A-Z]{3,6}")
TYPO_MIN = 7  # words this long are also read with one typed slip (see :func:`typed_forms`)


def typed_forms(word: str) -> list[str]:
    """``word`` and its forms with one letter left out ("abltion", "brances"), long words only.

    Never the first letter (rarely mistyped; keeping it keeps other words out). Words
    shorter than :data:`TYPO_MIN` letters, or with other characters, are only themselves: a
    slip in "facet" or "block" makes another word too often. (Swapped neighbours would cover
    more slips but made the one-time prefilter compile twice as long.)
    """
    if len(word) < TYPO_MIN or not word.isalpha():
        return [word]
    forms = {word}
    for i in range(1, len(word)):
        forms.add(word[:i] + word[i + 1 :])
    return [word, *sorted(forms - {word}, key=lambda f: (-len(f), f))]


def _one_of(forms: list[str]) -> str:
    """A regex for any of ``forms`` (escaped; no group for a single form)."""
    escaped = [re.escape(form) for form in forms]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


def _words(text: str, short: Abbreviations) -> str:
    """A literal phrase, its words joined by spaces, hyphens or slashes."""
    parts = []
    for word in text.split():
        if word == "<LEVEL>":
            parts.append(LEVEL)
        elif word.startswith("\\"):
            parts.append(word)  # a raw fragment such as \w+
        elif word.endswith("?") and len(word) > 1:
            parts.append(re.escape(word[:-1]) + "?")
        elif word.lower() in short:
            parts.append(_one_of([*typed_forms(word), *short[word.lower()]]))
        elif _ACRONYM.fullmatch(word):
            # dictation spells an acronym letter by letter: "S N R B", "M.B.B."
            spelled = r"\.?[ \t]?".join(re.escape(letter) for letter in word)
            parts.append(f"(?:{re.escape(word)}|{spelled})")
        else:
            # "intra-articular" is also written "intraarticular" or "intra articular"
            parts.append(r"[\s-]?".join(_one_of(typed_forms(piece)) for piece in word.split("-")))
    return JOIN.join(parts)


def _alternatives(body: str, short: Abbreviations) -> str:
    return "(?:" + "|".join(_words(alt, short) for alt in body.split("|")) + ")"


def term_pattern(term: str, short: Abbreviations | None = None) -> str:
    """The regex of one lexicon term (see the syntax in the YAML file's header)."""
    short = short or {}
    pieces: list[tuple[str, bool]] = []  # (pattern, optional)
    for token in _tokens(term):
        if token.startswith("[") and token.endswith("]"):
            pieces.append((_alternatives(token[1:-1], short), False))
        elif token.startswith("(") and token.endswith(")"):
            pieces.append((_alternatives(token[1:-1], short), True))
        else:
            pieces.append((_words(token, short), False))
    if not any(not optional for _, optional in pieces):
        raise ValueError(f"lexicon term {term!r} has no required word")
    out = ""
    joined = False  # whether a word has been emitted (the next one needs a separator)
    for index, (pattern, optional) in enumerate(pieces):
        if index == len(pieces) - 1:
            pattern += "(?:e?s)?"  # plural of the last word
        if optional:
            out += f"(?:{JOIN}{pattern})?" if joined else f"(?:{pattern}{JOIN})?"
        else:
            out += (JOIN if joined else "") + pattern
            joined = True
    return rf"\b{out}\b"


def _needs_context(entry: LexiconEntry, term: str) -> bool:
    if entry.context is None:
        return False
    return entry.context_for is None or term in entry.context_for


def entry_rules(entry: LexiconEntry, short: Abbreviations) -> list[dict[str, object]]:
    """Target rule records (as in ``*.targets.yaml``) for one lexicon entry."""
    rules: list[dict[str, object]] = []
    prefix = f"lex.{entry.id}"
    for number, term in enumerate(entry.terms, start=1):
        pattern = term_pattern(term, short)
        if _needs_context(entry, term):
            gap = rf"[^.\n]{{0,{CONTEXT_WINDOW}}}?"
            context = rf"\b(?:{entry.context})\b"
            variants = [f"{context}{gap}(?P<t>{pattern})", f"(?P<t>{pattern}){gap}{context}"]
        else:
            variants = [pattern]
        for suffix, regex in zip("ab", variants, strict=False):
            rule_id = f"{prefix}.{number}{suffix if len(variants) > 1 else ''}"
            rules.append({"id": rule_id, "label": "FAMILY", "value": entry.family, "regex": regex})
            if entry.approach:
                rules.append(
                    {"id": f"{rule_id}.approach", "label": "APPROACH", "value": entry.approach,
                     "regex": regex}
                )  # fmt: skip
            if entry.region:
                rules.append(
                    {"id": f"{rule_id}.region", "label": "REGION", "value": entry.region,
                     "regex": regex}
                )  # fmt: skip
    return rules


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicon (``assistant/reader/rules/lexicon.v1.yaml``)."""
    return load_yaml(resources.files("assistant.reader") / "rules" / LEXICON_FILE, Lexicon)


def lexicon_rules(lexicon: Lexicon | None = None) -> dict[str, object]:
    """The lexicon as one target rule file record (``version`` + ``rules``)."""
    lexicon = lexicon or default_lexicon()
    short = {word.lower(): forms for word, forms in lexicon.abbreviations.items()}
    rules = [rule for entry in lexicon.entries for rule in entry_rules(entry, short)]
    return {"version": f"lexicon-{lexicon.version}", "rules": rules}


@lru_cache(maxsize=1)
def _generic_entries() -> dict[str, frozenset[str]]:
    """Rule-id prefix of every broad lexicon entry, with the families it yields to."""
    return {
        f"lex.{entry.id}.": frozenset(entry.yields_to)
        for entry in default_lexicon().entries
        if entry.generic
    }


def broad_name(rule_id: str) -> frozenset[str] | None:
    """For a rule of a broad lexicon name, the families it yields to; else ``None``."""
    for prefix, families in _generic_entries().items():
        if rule_id.startswith(prefix):
            return families
    return None
