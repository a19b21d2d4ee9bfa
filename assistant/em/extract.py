"""Find E/M cues in a note: sections, assessment items and regex cue hits with assertions.

Pure over the note text and the packaged cue data; no spaCy. A cue hit carries its section
and its assertion (``affirmed``/``negated``/``hypothetical``) decided from trigger words in
the same clause (action cues) or sentence (symptom-like cues), so "no labs reviewed" and
"if pain persists, will order an MRI" do not count. Offsets are into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.em.loader import cue_file
from assistant.em.schema import CueFile, CueKind, CueRule, EMEvidence, SectionCategory
from assistant.patterns import lower_pattern
from assistant.regex_prefilter import RegexPrefilter

Assertion = Literal["affirmed", "negated", "hypothetical"]

# A header is a short label at a line start followed by a colon ("IMPRESSION:",
# "Assessment and Plan:"). All-caps labels always open a section; mixed-case labels only
# when they are a known header, so "Lumbar stenosis: stable" inside a list is not one.
_HEADER = re.compile(r"^[ \t]*([A-Za-z][A-Za-z &/,()'#-]{0,60}?)[ \t]*:", re.MULTILINE)
_ITEM = re.compile(
    r"(?:^[ \t]*(?:[-*\u2022]|\d{1,2}[.)]|\(\d{1,2}\))"
    r"|(?<=\s)(?:\d{1,2}[.)]|\(\d{1,2}\))(?=[ \t]+[A-Z]))[ \t]+(?=\S)",
    re.MULTILINE,
)


_WRAP = re.compile(
    r"(?<=[^.:;\s])[ \t]*\n"
    r"(?=[ \t]*(?![ \t]*(?:\d{1,2}[.)]|[-*\u2022]|[A-Za-z][A-Za-z &/,()'#-]{0,60}:))\S)"
)


def unwrap(text: str) -> str:
    """Join wrapped lines with a space, keeping every offset (one character for one).

    A newline is a wrap when its line does not end a sentence or header and the next line
    is not blank, a list item or a header. Cues may then span a wrapped line.
    """
    return _WRAP.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(frozen=True)
class Section:
    """A span of the note under one header."""

    category: SectionCategory
    header: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """One cue match with the reading context that decides whether it counts."""

    cue: CueRule
    start: int
    end: int
    text: str
    section: SectionCategory | None
    assertion: Assertion
    groups: tuple[tuple[str, str], ...]
    match_text: str
    match_start: int

    @property
    def counts(self) -> bool:
        """Whether this match documents its cue (assertion and section allow it)."""
        if self.assertion != "affirmed" and self.assertion in self.cue.blocked_by:
            return False
        if self.cue.only_sections and self.section not in self.cue.only_sections:
            return False
        return self.section not in self.cue.exclude_sections

    def group(self, name: str) -> str | None:
        """Text of a named regex group, if it matched."""
        return dict(self.groups).get(name)

    def evidence(self) -> EMEvidence:
        """The hit as an evidence record."""
        return EMEvidence(start=self.start, end=self.end, text=self.text, cue=self.cue.id)


@dataclass(frozen=True)
class Item:
    """One entry of an assessment/impression list: a candidate problem addressed."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CompiledCues:
    """Cue data with every regex compiled once."""

    data: CueFile
    cues: tuple[tuple[CueRule, re.Pattern[str]], ...]
    # the same cues lower-cased, for matching a lower-cased copy of the note (faster)
    lowered: tuple[re.Pattern[str], ...]
    # which lower-cased cues may match a note, in one pass (the others are skipped)
    prefilter: RegexPrefilter
    headers: tuple[tuple[SectionCategory, re.Pattern[str]], ...]
    before: tuple[tuple[Assertion, bool, frozenset[str], re.Pattern[str]], ...]
    after: tuple[tuple[Assertion, frozenset[str], re.Pattern[str]], ...]
    clause_breaks: re.Pattern[str]
    sentence_breaks: re.Pattern[str]


def compile_cues(data: CueFile) -> CompiledCues:
    """Compile a validated cue file (case-insensitive, multiline)."""
    flags = re.IGNORECASE | re.MULTILINE
    lowered = tuple(re.compile(lower_pattern(c.regex), re.MULTILINE) for c in data.cues)
    return CompiledCues(
        data=data,
        cues=tuple((c, re.compile(c.regex, flags)) for c in data.cues),
        lowered=lowered,
        prefilter=RegexPrefilter(lowered),
        headers=tuple((h.category, re.compile(rf"(?:{h.regex})", flags)) for h in data.sections),
        before=tuple(
            (t.assertion, t.scope == "sentence", frozenset(t.kinds), re.compile(t.regex, flags))
            for t in data.triggers
            if t.direction == "before"
        ),
        after=tuple(
            (t.assertion, frozenset(t.kinds), re.compile(t.regex, flags))
            for t in data.triggers
            if t.direction == "after"
        ),
        clause_breaks=re.compile(data.clause_breaks, flags),
        sentence_breaks=re.compile(data.sentence_breaks, flags),
    )


@lru_cache(maxsize=1)
def default_cues() -> CompiledCues:
    """The packaged cues, compiled once per process."""
    return compile_cues(cue_file())


def _header_category(label: str, compiled: CompiledCues) -> SectionCategory | None:
    for category, pattern in compiled.headers:
        if pattern.fullmatch(label.strip()):
            return category
    return None


def find_sections(text: str, compiled: CompiledCues | None = None) -> list[Section]:
    """Sections of the note in order; text before the first header has no section."""
    compiled = compiled or default_cues()
    starts: list[tuple[int, int, SectionCategory, str]] = []
    for match in _HEADER.finditer(text):
        label = match.group(1)
        category = _header_category(label, compiled)
        letters = [ch for ch in label if ch.isalpha()]
        if category is None and letters and all(ch.isupper() for ch in letters):
            category = "other"
        if category is not None:
            starts.append((match.start(1), match.end(), category, label.strip()))
    sections: list[Section] = []
    for index, (_start, body, category, label) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        sections.append(Section(category=category, header=label, start=body, end=end))
    return sections


def section_at(sections: Sequence[Section], pos: int) -> SectionCategory | None:
    """Category of the section containing character ``pos``."""
    found: SectionCategory | None = None
    for section in sections:
        if section.start <= pos:
            found = section.category if pos < section.end else found
        else:
            break
    return found


def _after_last(window: str, breaks: re.Pattern[str]) -> str:
    cut = 0
    for match in breaks.finditer(window):
        cut = match.end()
    return window[cut:]


def assertion_at(
    text: str, start: int, end: int, cue: CueRule, compiled: CompiledCues
) -> Assertion:
    """Negated/hypothetical when a trigger sits in the cue's clause or sentence."""
    scope = compiled.data.scope_chars
    breaks = compiled.clause_breaks if cue.scope == "clause" else compiled.sentence_breaks
    window = text[max(0, start - scope) : start]
    left = _after_last(window, breaks)
    sentence_left = _after_last(window, compiled.sentence_breaks)
    right = text[end : end + scope]
    stop = breaks.search(right)
    right = right[: stop.start()] if stop else right
    found: set[Assertion] = set()
    for assertion, whole_sentence, kinds, pattern in compiled.before:
        if kinds and cue.kind not in kinds:
            continue
        if pattern.search(sentence_left if whole_sentence else left):
            found.add(assertion)
    for assertion, kinds, pattern in compiled.after:
        if kinds and cue.kind not in kinds:
            continue
        if pattern.search(right):
            found.add(assertion)
    if "negated" in found:
        return "negated"
    if "hypothetical" in found:
        return "hypothetical"
    return "affirmed"


def find_hits(
    text: str,
    kinds: Iterable[CueKind] | None = None,
    compiled: CompiledCues | None = None,
    sections: Sequence[Section] | None = None,
) -> list[Hit]:
    """Every match of the cues of ``kinds`` (all kinds when ``None``), in text order."""
    compiled = compiled or default_cues()
    wanted = set(kinds) if kinds is not None else None
    sections = find_sections(text, compiled) if sections is None else sections
    flat = unwrap(text)
    flat_lower = flat.lower()
    fast = len(flat_lower) == len(flat)  # lower-casing kept every offset
    hits: list[Hit] = []
    maybe = compiled.prefilter.candidates(flat_lower) if fast else None
    cues = zip(compiled.cues, compiled.lowered, strict=True)
    for index, ((cue, pattern), lowered) in enumerate(cues):
        if wanted is not None and cue.kind not in wanted:
            continue
        if cue.value == "not_addressed":
            continue  # applied to assessment items only (see item_not_addressed)
        if maybe is not None and index not in maybe:
            continue
        matches = lowered.finditer(flat_lower) if fast else pattern.finditer(flat)
        for match in matches:
            start, end = match.span("t") if match.groupdict().get("t") else match.span()
            if end <= start:
                continue
            groups = tuple((k, v) for k, v in match.groupdict().items() if v is not None)
            hits.append(
                Hit(
                    cue=cue,
                    start=start,
                    end=end,
                    text=text[start:end],
                    section=section_at(sections, start),
                    assertion=assertion_at(flat, match.start(), match.end(), cue, compiled),
                    groups=groups,
                    match_text=text[match.start() : match.end()],
                    match_start=match.start(),
                )
            )
    hits.sort(key=lambda hit: (hit.start, hit.end, hit.cue.id))
    return hits


@lru_cache(maxsize=16)
def note_hits(text: str) -> tuple[tuple[Section, ...], tuple[Hit, ...]]:
    """Sections and all cue hits of ``text`` with the packaged cues, cached per text.

    :func:`assess_em` and :func:`em_findings` on one note then scan it once.
    """
    compiled = default_cues()
    sections = tuple(find_sections(text, compiled))
    return sections, tuple(find_hits(text, compiled=compiled, sections=sections))


def assessment_items(text: str, sections: Sequence[Section]) -> list[Item]:
    """Entries of the assessment/impression sections: numbered/bulleted items, else lines."""
    items: list[Item] = []
    for section in sections:
        if section.category != "assessment":
            continue
        body = text[section.start : section.end]
        marks = list(_ITEM.finditer(body))
        if marks:
            bounds = [m.end() for m in marks]
            for index, begin in enumerate(bounds):
                stop = marks[index + 1].start() if index + 1 < len(marks) else len(body)
                items.append(_item(text, section.start + begin, section.start + stop))
        else:
            offset = 0
            for line in body.splitlines(keepends=True):
                if line.strip():
                    items.append(
                        _item(text, section.start + offset, section.start + offset + len(line))
                    )
                offset += len(line)
    return [item for item in items if item.text]


def _item(text: str, start: int, end: int) -> Item:
    raw = text[start:end]
    lead = len(raw) - len(raw.lstrip())
    trimmed = raw.strip()
    return Item(start=start + lead, end=start + lead + len(trimmed), text=trimmed)


def item_not_addressed(text: str, item: Item, compiled: CompiledCues | None = None) -> bool:
    """Whether an assessment item is history ("status post ...") rather than a problem."""
    compiled = compiled or default_cues()
    for cue, pattern in compiled.cues:
        if cue.value == "not_addressed" and pattern.match(text, item.start, item.end):
            return True
    return False
