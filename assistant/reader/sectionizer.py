"""medspaCy's Sectionizer without a write per token: sections live on the Doc only.

medspaCy's ``Sectionizer`` ends by setting ``token._.section`` on every token of the note,
which was 70 % of its time (a tenth of the reader's). This subclass keeps medspaCy's
rules, matcher and ``Section`` objects and builds the same ``doc._.sections``, and
``Token._.section`` becomes a getter that answers from ``doc._.sections`` what the loop
would have written (the last section whose span holds the token). Configurations this
class does not reimplement (parent sections, end-of-line or length limits, sentence
boundaries) run medspaCy's own code unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from medspacy.section_detection import Section, Sectionizer, SectionRule
from spacy.language import Language
from spacy.tokens import Doc, Token

from assistant.reader.doc_text import doc_text
from assistant.reader.section_groups import NUMBERED_ITEM

_OVERRIDES = "chartready_token_sections"  # doc.user_data key for explicit token writes


def section_lookup(doc: Doc) -> Callable[[int], Section | None]:
    """``doc[i]._.section`` as a function of the token index ``i``.

    It reads ``doc._.sections`` once, and a call makes no ``Token`` or ``Underscore``
    object, so looking up many tokens of one Doc costs a fraction of ``token._.section``.
    Valid until the Doc's sections or explicit token writes change.
    """
    written: dict[int, Section | None] = doc.user_data.get(_OVERRIDES) or {}
    spans = [(*section.section_span, section) for section in reversed(doc._.sections or ())]

    def section_at(index: int) -> Section | None:
        if index in written:
            return written[index]
        for start, end, section in spans:
            if start <= index < end:
                return section
        return None

    return section_at


def token_section(token: Token) -> Section | None:
    """The section holding ``token``: an explicit write, else the last section spanning it."""
    return section_lookup(token.doc)(token.i)


def _write_token_section(token: Token, section: Section | None) -> None:
    token.doc.user_data.setdefault(_OVERRIDES, {})[token.i] = section


Token.set_extension("section", getter=token_section, setter=_write_token_section, force=True)


# a heading alone on its line: the title's words, then the line break
_LINE_BREAK: dict[str, Any] = {"IS_SPACE": True, "TEXT": {"REGEX": "\n"}}
_LINE = re.compile(r"^[ \t]*(\S[^\n]{0,79}?)[ \t]*$", re.MULTILINE)
_OWN_LINE = "own-line:"  # prefix of the match keys of own-line headings
_UNTITLED = "own-line-end"  # match key of the untitled text after a one-line list section
_UNTITLED_RULE = SectionRule("", None, pattern=[{"TEXT": ""}])
# a heading's words, then a numbered list on the same line ("Procs 1) ...")
_LISTED_AFTER = re.compile(r"([A-Za-z][A-Za-z /&]{0,30}?)[ \t]+1[.)][ \t]")
# a heading set off by a dash instead of a colon ("PROCEDURE NOTE - left L2 and L3 ...")
# (not a compound heading, "HPI - LUMBAR SPINE: ...", whose body goes on after its colon)
_DASHED = re.compile(
    r"^[ \t]*([A-Za-z][A-Za-z /&]{0,30}?)[ \t]+[-\u2013\u2014][ \t]+(?![A-Za-z /&]{1,30}:)\S",
    re.M,
)


def _line_key(text: str) -> str:
    """A heading's lookup key: lower case, single spaces."""
    return " ".join(text.lower().split())


def own_line_rules(
    rules: Iterable[SectionRule], words: Callable[[str], list[str]]
) -> list[SectionRule]:
    """Every ``"TITLE:"`` rule again as ``TITLE`` alone on its line, with no colon.

    Templated EHR notes print headings without a colon ("Plan", "Assessment", "HPI" on a
    line of their own). The sectionizer already requires a heading to start its line; this
    also requires the line to end after the title, so a sentence that merely begins with
    the word is not a heading. ``words`` splits a title into lower-case tokens.
    """
    derived: list[SectionRule] = []
    for rule in rules:
        title = rule.literal.rstrip()
        if rule.pattern is not None or not title.endswith(":"):
            continue
        tokens = words(title[:-1].strip())
        if not tokens:
            continue
        pattern = [{"LOWER": token} for token in tokens] + [_LINE_BREAK]
        derived.append(SectionRule(title[:-1].strip(), rule.category, pattern=pattern))
    return derived


def sections_from_matches(
    matches: list[tuple[int, int, int]], doc_length: int, rule_of: Callable[[int], SectionRule]
) -> list[Section]:
    """Sections from sorted header matches ``(match_id, start, end)`` (medspaCy's rules).

    Text before the first header is a section without a category; each header's body
    runs to the next header, the last one's to the end of the note.
    """
    if not matches:
        return [Section(None, 0, 0, 0, doc_length)]
    sections: list[Section] = []
    if matches[0][1] != 0:
        sections.append(Section(None, 0, 0, 0, matches[0][1]))
    for index, (match_id, start, end) in enumerate(matches):
        rule = rule_of(match_id)
        body_end = matches[index + 1][1] if index + 1 < len(matches) else doc_length
        sections.append(Section(rule.category, start, end, end, body_end, None, rule))
    return sections


@Language.factory("chartready_sectionizer")
class DocSectionizer(Sectionizer):  # type: ignore[misc]
    """medspaCy's Sectionizer, writing ``doc._.sections`` only (see the module docstring)."""

    def _reimplemented(self) -> bool:
        return not (
            self.require_end_line
            or self._parent_sections
            or self.max_section_length is not None
            or self._apply_sentence_boundary
            or any(rule.max_scope is not None for rule in self.rules)
        )

    own_line: dict[str, SectionRule] = {}  # noqa: RUF012  (replaced whole by add_own_line)

    def add_own_line(self, rules: Iterable[SectionRule]) -> None:
        """Headings alone on their line (:func:`own_line_rules`), found by looking lines up.

        Their token patterns made spaCy's Matcher a tenth of the reader's time; looking each
        short line up in a table finds the same headings (tests compare it with medspaCy
        running the patterns).
        """
        self.own_line = {_line_key(rule.literal): rule for rule in rules}
        for key in self.own_line:
            self.nlp.vocab.strings.add(_OWN_LINE + key)
        self.nlp.vocab.strings.add(_UNTITLED)

    def _own_line_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """``(match_id, start, end)`` of each own-line heading, its line break included."""
        found: list[tuple[int, int, int]] = []
        for line in _LINE.finditer(doc_text(doc)):
            key = _line_key(line.group(1))
            if key not in self.own_line:
                found.extend(self._listed_heading(doc, line))
                continue
            span = doc.char_span(line.start(1), line.end(1), alignment_mode="expand")
            if span is None or span.end >= len(doc):
                continue
            after = doc[span.end]
            if after.is_space and "\n" in after.text:
                found.append((self.nlp.vocab.strings[_OWN_LINE + key], span.start, span.end + 1))
        return found + self._dashed_headings(doc)

    def _listed_heading(self, doc: Doc, line: re.Match[str]) -> list[tuple[int, int, int]]:
        """A heading that a numbered list follows on its line ("Procs 1) r knee inj 2) ...").

        Its section is the list; the next line starts an untitled one unless it goes on with
        the list ("2. f/u 4 wks").
        """
        listed = _LISTED_AFTER.match(line.group(1))
        if listed is None or _line_key(listed.group(1)) not in self.own_line:
            return []
        head = doc.char_span(line.start(1), line.start(1) + listed.end(1), alignment_mode="expand")
        rest = doc.char_span(line.start(1), line.end(1), alignment_mode="expand")
        if head is None or rest is None:
            return []
        key = _OWN_LINE + _line_key(listed.group(1))
        found = [(self.nlp.vocab.strings[key], head.start, head.end)]
        text = doc_text(doc)
        if rest.end + 1 < len(doc) and not NUMBERED_ITEM.match(text, doc[rest.end + 1].idx):
            found.append((self.nlp.vocab.strings[_UNTITLED], rest.end + 1, rest.end + 1))
        return found

    def _dashed_headings(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Headings that a dash sets off from the rest of their line ("PROCEDURE NOTE - ...")."""
        found = []
        for line in _DASHED.finditer(doc_text(doc)):
            key = _line_key(line.group(1))
            head = doc.char_span(line.start(1), line.end(1), alignment_mode="expand")
            if key in self.own_line and head is not None:
                found.append((self.nlp.vocab.strings[_OWN_LINE + key], head.start, head.end))
        return found

    def __call__(self, doc: Doc) -> Doc:
        """Find section headers and record the sections on ``doc``."""
        if not self._reimplemented():
            return super().__call__(doc)  # type: ignore[no-any-return]
        doc.user_data.pop(_OVERRIDES, None)
        matcher = self._Sectionizer__matcher
        matches = sorted([*matcher(doc), *self._own_line_matches(doc)], key=lambda m: (m[1], -m[2]))
        if self.require_start_line:
            matches = self.filter_start_lines(doc, matches)

        def rule_of(match_id: int) -> SectionRule:
            key = self.nlp.vocab.strings[match_id]
            if key == _UNTITLED:
                return _UNTITLED_RULE
            if key.startswith(_OWN_LINE):
                return self.own_line[key.removeprefix(_OWN_LINE)]
            rule: SectionRule = matcher.rule_map[key]
            return rule

        doc._.sections = sections_from_matches(matches, len(doc), rule_of)
        if self.assertion_attributes_mapping:
            if self._input_span_type.lower() == "ents":
                self.set_assertion_attributes(doc.ents)
            elif self._input_span_type.lower() == "group":
                self.set_assertion_attributes(doc.spans[self._span_group_name])
        return doc


# Sections that hold one field: a paragraph that opens with a label of its own ends
# them. A note that names its steps with labels the rules do not know ("LSB: Prone.
# Oblique fluoro ...") would otherwise file the whole account under "Consent:"; a consent
# that runs on over several plain paragraphs stays one section.
# A numbered item ("1) Radiofrequency ablation", "2. Trigger points") opens such a paragraph
# too: a numbered list of procedures is the account, not the consent for it. An allergy list
# is one field too: "Prior treatment:" after it is history, not more allergies.
FIELD_SECTIONS = frozenset({"consent", "complications", "anesthesia", "allergies"})
_LABEL = re.compile(rf"[A-Za-z][\w /&#().+-]{{0,30}}:[ \t\n]|{NUMBERED_ITEM.pattern}")
# A paragraph that opens with the patient's positioning or the procedure's name is the
# account: "pt prone. skin prepped ..." or "procedure R SI joint RF ..." after "Consent: ...
# signed" is not more of the consent.
_ACCOUNT_OPENING = re.compile(
    r"(?:(?:the\s+)?(?:pt|patient)\s+(?:was\s+|is\s+)?(?:placed\s+|positioned\s+)?"
    r"(?:in\s+(?:the\s+)?)?)?(?:prone|supine|seated|sitting|lateral\s+decubitus)\b"
    r"|(?:procedures?|proc)\b(?![ \t]+(?:was|were|is|and|risks?|explained|discussed|reviewed"
    r"|consent))",
    re.IGNORECASE,
)
# A shorthand label set off by a dash ("anes - local only", "Meds – 40 mg Kenalog").
_DASHED_LABEL = re.compile(
    r"[A-Za-z][\w/&#.+]{0,15}(?:[ \t][\w/&#.+]{1,15})?[ \t]+[-\u2013\u2014][ \t]"
)


def _labelled_paragraph(doc: Doc, start: int, end: int) -> int | None:
    """First token in ``[start, end)`` opening a "Label:" line or a "1)" paragraph.

    An operative note's fields are one line each ("Consent: signed" over "Guidance: C-arm",
    "anes - local only"); a numbered item, the procedure's name or the patient's positioning
    ("Pt prone.") opens a new paragraph only after a blank line.
    """
    text = doc_text(doc)
    for index in range(start, end - 1):
        token = doc[index]
        if not (token.is_space and "\n" in token.text):
            continue
        label = _LABEL.match(text, doc[index + 1].idx)
        if label and (token.text.count("\n") >= 2 or label.group().rstrip().endswith(":")):
            return index + 1
        if _DASHED_LABEL.match(text, doc[index + 1].idx):
            return index + 1
        if token.text.count("\n") >= 2 and _ACCOUNT_OPENING.match(text, doc[index + 1].idx):
            return index + 1
    return None


def end_fields_at_labelled_paragraphs(sections: list[Section], doc: Doc) -> list[Section]:
    """``sections`` with each field section cut where a labelled paragraph opens.

    The text after the cut becomes an untitled section, as text before the first heading is.
    """
    out: list[Section] = []
    for section in sections:
        cut = None
        if section.category in FIELD_SECTIONS:
            cut = _labelled_paragraph(doc, section.body_start, section.body_end)
        out.extend(_cut_at(section, cut))
    return out


def _cut_at(section: Section, cut: int | None) -> list[Section]:
    """``section`` ended at token ``cut``, the rest of its body an untitled section."""
    if cut is None:
        return [section]
    ended = Section(
        section.category,
        section.title_start,
        section.title_end,
        section.body_start,
        cut,
        section.parent,
        section.rule,
    )
    return [ended, Section(None, cut, cut, cut, section.body_end)]


# Headings in shorthand ("Dx: lumbar stenosis") title one line: the unlabelled lines after
# them are the history or the account, not more diagnoses (unless a numbered list goes on).
ONE_LINE_TITLES = frozenset({"dx", "pre-op dx", "post-op dx", "preop dx", "postop dx"})


_DASH_AFTER = re.compile(r"[ \t]+[-\u2013\u2014][ \t]")


def end_one_line_titles(sections: list[Section], doc: Doc) -> list[Section]:
    """``sections`` with each one-line title's section cut at its heading line's end.

    One-line titles: :data:`ONE_LINE_TITLES`, and a heading a dash sets off from the rest of
    its line ("PROCEDURE NOTE - left L2 and L3 ..."): its line is its section.
    """
    text = doc_text(doc)
    out: list[Section] = []
    for section in sections:
        title = doc[section.title_start : section.title_end].text.rstrip(": \t").lower()
        dashed = section.title_end > section.title_start and bool(
            _DASH_AFTER.match(
                text, doc[section.title_end - 1].idx + len(doc[section.title_end - 1])
            )
        )
        cut = None
        if " ".join(title.split()) in ONE_LINE_TITLES or dashed:
            line_end = text.find("\n", doc[section.title_start].idx)
            span = doc.char_span(line_end, line_end + 1, alignment_mode="expand")
            if line_end >= 0 and span is not None and span.end < section.body_end:
                cut = span.end
        if cut is not None and NUMBERED_ITEM.match(text, doc[cut].idx):
            cut = None
        out.extend(_cut_at(section, cut))
    return out


@Language.component("chartready_field_sections")
def field_sections(doc: Doc) -> Doc:
    """End one-field sections at a labelled paragraph, one-line titles at their line's end."""
    sections = end_fields_at_labelled_paragraphs(list(doc._.sections or ()), doc)
    doc._.sections = end_one_line_titles(sections, doc)
    return doc
