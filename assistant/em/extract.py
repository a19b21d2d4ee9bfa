"""Find E/M cues in a note: assessment items and regex cue hits with section and assertion.

Pure over the note text, the reader's :class:`~assistant.layout.NoteLayout` and the
packaged cue data; no spaCy. A hit's section is the reader's section, as E/M names it
(``sections`` in the cue data; :func:`em_sections`). Its assertion (``affirmed``/
``negated``/``hypothetical``) comes from the reader's ConText modifiers and from the few
E/M trigger words ConText has no rule for, when they sit in the same clause (action cues)
or sentence (symptom-like cues): so "no labs reviewed" and "if pain persists, will order
an MRI" do not count. Offsets are into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.em.loader import cue_file
from assistant.em.schema import (
    AssertionKind,
    CueFile,
    CueKind,
    CueRule,
    EMEvidence,
    SectionCategory,
    TitleSplit,
)
from assistant.layout import NoteLayout, NoteSection
from assistant.text_scan import PatternSet

Assertion = Literal["affirmed", "negated", "hypothetical"]
# A reader category split by header words: (header pattern, category) pairs and the default.
_ByTitle = tuple[tuple[tuple[re.Pattern[str], SectionCategory], ...], SectionCategory]

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
    """The body of a reader section (``start``..``end``), as E/M names its category."""

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
    assertions: frozenset[AssertionKind]
    groups: tuple[tuple[str, str], ...]
    match_text: str
    match_start: int

    @property
    def assertion(self) -> Assertion:
        """The strongest assertion on the match (negated, then hypothetical)."""
        if "negated" in self.assertions:
            return "negated"
        return "hypothetical" if "hypothetical" in self.assertions else "affirmed"

    @property
    def counts(self) -> bool:
        """Whether this match documents its cue (assertion and section allow it)."""
        if self.assertions & set(self.cue.blocked_by):
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
    # the same cues lower-cased and prefiltered, for a lower-cased copy of the note (faster)
    patterns: PatternSet
    sections: dict[str, SectionCategory | _ByTitle]
    # headers the reader's rules do not know (by their letters, upper case) and their category
    header_categories: dict[str, SectionCategory]
    before: tuple[tuple[AssertionKind, bool, frozenset[str], re.Pattern[str]], ...]
    after: tuple[tuple[AssertionKind, frozenset[str], re.Pattern[str]], ...]
    clause_breaks: re.Pattern[str]
    sentence_breaks: re.Pattern[str]

    @property
    def lowered(self) -> tuple[re.Pattern[str], ...]:
        """The cue patterns lower-cased, in cue order."""
        return self.patterns.lowered


def _section_rule(rule: SectionCategory | TitleSplit, flags: int) -> SectionCategory | _ByTitle:
    if isinstance(rule, TitleSplit):
        titles = tuple((re.compile(t.title, flags), t.category) for t in rule.titles)
        return titles, rule.otherwise
    return rule


def compile_cues(data: CueFile) -> CompiledCues:
    """Compile a validated cue file (case-insensitive, multiline)."""
    flags = re.IGNORECASE | re.MULTILINE
    patterns = PatternSet([c.regex for c in data.cues])
    return CompiledCues(
        data=data,
        cues=tuple(zip(data.cues, patterns.compiled, strict=True)),
        patterns=patterns,
        sections={name: _section_rule(rule, flags) for name, rule in data.sections.items()},
        header_categories={
            _header_key(label): category
            for category, labels in data.headers.items()
            for label in labels
        },
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


def em_sections(layout: NoteLayout, compiled: CompiledCues | None = None) -> list[Section]:
    """The reader's sections as E/M names them (``sections`` in the cue data), in order.

    Inside a reader section, a label the reader found (:attr:`NoteLayout.labels`) also
    opens a section: of its category in ``headers`` (cue data), else, when it is in
    capitals, an ``other`` one, as E/M always read such labels (a "HEENT:" or "COMMENTS:"
    line is no longer the medication list or the assessment before it).
    """
    compiled = compiled or default_cues()
    out: list[Section] = []
    labels = iter(layout.labels)
    label = next(labels, None)
    for section in layout.sections:
        category = _category(section, compiled)
        header, body = section.title, section.body_start
        while label is not None and label.start < section.end:
            opens = compiled.header_categories.get(_header_key(label.text))
            if opens is not None or _capitals(label.text):
                if category is not None and body < label.start:
                    out.append(Section(category, header, body, label.start))
                category, header, body = opens or "other", label.text, label.end
            label = next(labels, None)
        if category is not None and body < section.end:
            out.append(Section(category, header, body, section.end))
    return out


def _capitals(label: str) -> bool:
    letters = [ch for ch in label if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _category(section: NoteSection, compiled: CompiledCues) -> SectionCategory | None:
    rule = compiled.sections.get(section.category) if section.category else None
    if isinstance(rule, tuple):
        titles, otherwise = rule
        return next((c for pattern, c in titles if pattern.search(section.title)), otherwise)
    return rule


def _header_key(label: str) -> str:
    """A header's letters and signs in upper case ("Lab data" and "LAB  DATA" are one)."""
    return "".join(label.split()).upper()


def section_at(sections: Sequence[Section], pos: int) -> SectionCategory | None:
    """Category of the section whose body holds character ``pos`` (a header is in none)."""
    found: SectionCategory | None = None
    for section in sections:
        if section.start > pos:
            break
        found = section.category if pos < section.end else None
    return found


def _after_last(window: str, breaks: re.Pattern[str]) -> str:
    cut = 0
    for match in breaks.finditer(window):
        cut = match.end()
    return window[cut:]


def assertions_at(
    text: str,
    start: int,
    end: int,
    cue: CueRule,
    compiled: CompiledCues,
    layout: NoteLayout,
) -> frozenset[AssertionKind]:
    """What voids a match: a reader ConText modifier or an E/M trigger in its scope.

    The cue's scope is its clause (action cues) or sentence (symptom-like cues), at most
    ``scope_chars`` either side: a ConText modifier counts when its trigger lies there and
    points at the match (:meth:`NoteLayout.modifiers_at`, as for the checklist detectors).
    A trigger that shares words with the match does not modify it: "not working" is a cue
    of its own, whatever "is not" says. The cue data's triggers add the words ConText has
    no rule for.
    """
    scope = compiled.data.scope_chars
    breaks = compiled.clause_breaks if cue.scope == "clause" else compiled.sentence_breaks
    window = text[max(0, start - scope) : start]
    left = _after_last(window, breaks)
    sentence_left = _after_last(window, compiled.sentence_breaks)
    right = text[end : end + scope]
    stop = breaks.search(right)
    right = right[: stop.start()] if stop else right
    found: set[AssertionKind] = {
        compiled.data.context[modifier.category]
        for modifier in layout.modifiers_at(start, end, start - len(left), end + len(right))
        if modifier.category in compiled.data.context
    }
    for assertion, whole_sentence, kinds, pattern in compiled.before:
        if assertion in found or (kinds and cue.kind not in kinds):
            continue
        if pattern.search(sentence_left if whole_sentence else left):
            found.add(assertion)
    for assertion, kinds, pattern in compiled.after:
        if assertion in found or (kinds and cue.kind not in kinds):
            continue
        if pattern.search(right):
            found.add(assertion)
    return frozenset(found)


def find_hits(
    text: str,
    layout: NoteLayout,
    kinds: Iterable[CueKind] | None = None,
    compiled: CompiledCues | None = None,
) -> list[Hit]:
    """Every match of the cues of ``kinds`` (all kinds when ``None``), in text order."""
    compiled = compiled or default_cues()
    wanted = set(kinds) if kinds is not None else None
    sections = em_sections(layout, compiled)
    flat = unwrap(text)
    scan = compiled.patterns.scan(flat)
    hits: list[Hit] = []
    for index, (cue, _pattern) in enumerate(compiled.cues):
        if wanted is not None and cue.kind not in wanted:
            continue
        if cue.value == "not_addressed":
            continue  # applied to assessment items only (see item_not_addressed)
        for match in scan.finditer(index):
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
                    assertions=assertions_at(
                        flat, match.start(), match.end(), cue, compiled, layout
                    ),
                    groups=groups,
                    match_text=text[match.start() : match.end()],
                    match_start=match.start(),
                )
            )
    hits.sort(key=lambda hit: (hit.start, hit.end, hit.cue.id))
    return hits


@lru_cache(maxsize=16)
def note_hits(text: str, layout: NoteLayout) -> tuple[tuple[Section, ...], tuple[Hit, ...]]:
    """E/M sections and all cue hits of ``text`` with the packaged cues, cached per note.

    :func:`assess_em` and :func:`em_findings` on one note then scan it once.
    """
    compiled = default_cues()
    sections = tuple(em_sections(layout, compiled))
    return sections, tuple(find_hits(text, layout, compiled=compiled))


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
