"""Target rules as data: regular expressions that mark candidate facts in a note.

Each rule in ``rules/*.yaml`` names a ``label`` from a closed vocabulary (a procedure
family, a level, a documentation element ...) and the ``value`` it supports. The
component writes one span per match to ``doc.spans[span_key]`` with ``label_`` = label,
``kb_id_`` = value and ``id_`` = rule id, so ConText can assign assertions afterwards and
every fact keeps character offsets into the original note.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.language import Language
from spacy.tokens import Doc, Span

from assistant.datafiles import LinearRegex, load_yaml, with_vocabulary
from assistant.errors import Errors, RuleFileError
from assistant.patterns import guarded, lower_pattern
from assistant.reader.doc_text import doc_text
from assistant.reader.lexicon import lexicon_rules
from assistant.regex_prefilter import LoweredPrefilter

TargetLabel = Literal[
    "FAMILY",
    "APPROACH",
    "REGION",
    "LATERALITY",
    "GUIDANCE",
    "CONTRAST",
    "ELEMENT",
    "KIND",
    "LEVEL",
    "SURGERY",
    "PLACEHOLDER",
    "TIME",
]
SPAN_KEY = "chartready_targets"


class TargetRule(BaseModel):
    """One pattern: what it marks (``label``/``value``) and the regex that finds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    label: TargetLabel
    value: str
    regex: LinearRegex
    case_sensitive: bool = False
    sections: list[str] | None = Field(
        default=None,
        description="match only inside these section categories ('preamble' = before the "
        "first header); None matches everywhere",
    )
    note: str | None = None


class TargetRuleFile(BaseModel):
    """A versioned YAML file of target rules.

    ``vocabulary`` names regex fragments many rules share (the number words of a duration,
    its units), written once and used in a rule's regex as ``{{name}}``.
    """

    model_config = ConfigDict(extra="forbid")

    version: str
    vocabulary: dict[str, str] = Field(default_factory=dict)
    rules: list[TargetRule]

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        return with_vocabulary(data, "rules", ("regex",))


@dataclass(frozen=True)
class CompiledRule:
    """A rule compiled twice: for the original text and for its lower-cased copy.

    Case-insensitive matching in Python's ``re`` is about 1.6x slower than matching a
    lower-cased copy of the note with a lower-cased pattern; offsets stay the same as long
    as lower-casing keeps the length (the rare texts where it does not use ``pattern``).
    """

    rule: TargetRule
    pattern: re.Pattern[str]
    lowered: re.Pattern[str] | None  # None for case-sensitive rules


@lru_cache(maxsize=1)
def default_rule_files() -> tuple[TargetRuleFile, ...]:
    """The packaged target rules: ``rules/*.targets.yaml`` and the procedure lexicon."""
    folder = resources.files("assistant.reader") / "rules"
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".targets.yaml")),
        key=lambda item: item.name,
    )
    written = tuple(load_yaml(item, TargetRuleFile) for item in files)
    return (*written, TargetRuleFile.model_validate(lexicon_rules()))


def rules_version() -> str:
    """A combined version string of the packaged rule files."""
    return "+".join(f.version for f in default_rule_files())


def compile_rules(files: Iterable[TargetRuleFile]) -> list[CompiledRule]:
    """Compile every rule once; ids must be unique across files."""
    compiled: list[CompiledRule] = []
    seen: set[str] = set()
    for rule_file in files:
        for rule in rule_file.rules:
            if rule.id in seen:
                raise RuleFileError(
                    Errors.E001, file="*.targets.yaml", errors=f"rule id {rule.id!r} is used twice"
                )
            seen.add(rule.id)
            if rule.case_sensitive:
                pattern = re.compile(guarded(rule.regex, re.MULTILINE), re.MULTILINE)
                compiled.append(CompiledRule(rule, pattern, None))
                continue
            flags = re.MULTILINE | re.IGNORECASE
            pattern = re.compile(guarded(rule.regex, flags), flags)
            lowered_regex = lower_pattern(rule.regex)
            lowered = re.compile(guarded(lowered_regex, re.MULTILINE), re.MULTILINE)
            compiled.append(CompiledRule(rule, pattern, lowered))
    return compiled


Ranges = Mapping[str, Sequence[tuple[int, int]]]


def _windows(rule: TargetRule, length: int, ranges: Ranges | None) -> Sequence[tuple[int, int]]:
    """The character windows a rule may match in: the whole text, or its sections'."""
    if rule.sections is None or ranges is None:
        return ((0, length),)
    return [window for name in rule.sections for window in ranges.get(name, ())]


def rule_prefilter(rules: Sequence[CompiledRule]) -> LoweredPrefilter:
    """One Hyperscan pass over a note that tells which of ``rules`` may match it."""
    return LoweredPrefilter(
        [rule.lowered or rule.pattern for rule in rules],
        [rule.lowered is not None for rule in rules],
    )


def find_targets(
    text: str,
    rules: Sequence[CompiledRule],
    section_ranges: Ranges | None = None,
    prefilter: LoweredPrefilter | None = None,
) -> list[tuple[int, int, CompiledRule]]:
    """Character spans of every rule match (pure: no spaCy), in text order.

    ``section_ranges`` maps a section category to its character windows; rules that name
    ``sections`` are only run inside those windows (without it they run everywhere). Rules
    that ``prefilter`` (built by :func:`rule_prefilter` for the same ``rules``) rules out
    are skipped; results are the same without it, only slower.
    """
    found: list[tuple[int, int, CompiledRule]] = []
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    maybe = prefilter.candidates(text, lowered) if prefilter and same_length else None
    for index, compiled in enumerate(rules):
        if maybe is not None and index not in maybe:
            continue
        fast = compiled.lowered is not None and same_length
        pattern = compiled.lowered if fast and compiled.lowered else compiled.pattern
        haystack = lowered if fast else text
        matches = (
            match
            for start, end in _windows(compiled.rule, len(text), section_ranges)
            for match in pattern.finditer(haystack, start, end)
        )
        for match in matches:
            start, end = match.span("t") if "t" in match.re.groupindex else match.span()
            if end > start:
                found.append((start, end, compiled))
    found.sort(key=lambda item: (item[0], item[1]))
    return found


def section_ranges(doc: Doc, length: int) -> dict[str, list[tuple[int, int]]]:
    """Character windows of each section category (``preamble`` before the first header).

    ``length`` is the length of the note text (spaCy rebuilds ``doc.text`` on every access).
    """
    sections = getattr(doc._, "sections", None) or []
    ranges: dict[str, list[tuple[int, int]]] = {}
    first = length
    for section in sections:
        first_token, end_token = section.section_span  # token offsets
        span = doc[first_token:end_token]
        start, end = span.start_char, span.end_char
        name = "preamble" if section.category is None else str(section.category)
        ranges.setdefault(name, []).append((start, end))
        first = min(first, start)
    if not sections or first > 0:
        ranges.setdefault("preamble", []).append((0, first if sections else length))
    return ranges


class TargetRuler:
    """Writes candidate fact spans to ``doc.spans["chartready_targets"]``.

    A rule may mark the part of its match that is the evidence with a named group ``t``;
    the rest of the match is context that must be present but is not quoted.
    """

    def __init__(self, files: Iterable[TargetRuleFile], span_key: str = SPAN_KEY) -> None:
        self.rules = compile_rules(files)
        self.prefilter = rule_prefilter(self.rules)
        self.span_key = span_key

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        seen: set[tuple[int, int, str, str]] = set()
        text = doc_text(doc)
        ranges = section_ranges(doc, len(text))
        for start, end, compiled in find_targets(text, self.rules, ranges, self.prefilter):
            rule = compiled.rule
            span = doc.char_span(
                start, end, rule.label, rule.value, alignment_mode="expand", span_id=rule.id
            )
            if span is None or len(span) == 0:
                continue
            key = (span.start, span.end, rule.label, rule.value)
            if key in seen:
                continue
            seen.add(key)
            spans.append(span)
        doc.spans[self.span_key] = spans
        return doc


@Language.factory(
    "chartready_targets",
    assigns=["doc.spans"],
    default_config={"rules": "default", "span_key": SPAN_KEY},
)
def make_target_ruler(nlp: Language, name: str, rules: str, span_key: str) -> TargetRuler:
    """Registered factory: ``rules`` is ``"default"`` or a folder of ``*.targets.yaml``."""
    del nlp, name  # required by spaCy's factory signature
    if rules == "default":
        files: Iterable[TargetRuleFile] = default_rule_files()
    else:
        files = [load_yaml(p, TargetRuleFile) for p in sorted(Path(rules).glob("*.targets.yaml"))]
    return TargetRuler(files, span_key)
