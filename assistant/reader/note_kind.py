"""Classify a note as procedure, office visit, consult or other.

A note is a *procedure* note when a procedure performed today is documented in its
procedure zone (title or procedure sections), or when it describes a procedure's technique
in two or more sentences but names no procedure the reader knows (the checks then say the
procedure was not recognised instead of judging it). Otherwise, cue phrases vote: follow-up
language makes an office visit, referral/consultation language a consult, emergency or
admission language "other". An evaluation note (history, exam, assessment) with no cue
is a consult: a new evaluation is the more common reading of a stand-alone evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.facts import Evidence, NoteKind, Procedure
from assistant.reader.spans import Target

EVALUATION_SECTIONS = frozenset(
    {"history_of_present_illness", "physical_exam", "past_medical_history", "review_of_systems"}
)
_PRIORITY: tuple[NoteKind, ...] = ("office_visit", "consult", "other")
VISIT_KINDS = frozenset({"office_visit", "consult"})
TITLE_MAX = 120
# Rules whose cue is a report's own heading (imaging, electrodiagnostic), not a word in it.
REPORT_CUES = "kind.other.report"
_PROCEDURE_TITLE = re.compile(
    r"^\W*(?:procedure|operative|operation|op)\b|\bprocedure\s+(?:note|visit|report|record)\b",
    re.IGNORECASE,
)
# A title naming a procedure beside the visit ("Return visit with same-day procedure",
# "FOLLOW-UP + PROCEDURE"): the note's main content decides, not the visit's name.
_AND_PROCEDURE = re.compile(
    r"(?:\+|&|/|\band\b|\bwith\b)\s*(?:[\w-]+\s+){0,2}?procedures?\b", re.IGNORECASE
)
# Sentences describing technique (prep, needles, guidance) that make a procedure note.
TECHNIQUE_SENTENCES = 2
# A visit note whose procedure account (its technique sentences) is under this share of
# the text, with no procedure title or section, is the visit: a procedure note is one
# "whose main content is a procedure performed that day" (note-facts/v1).
MINOR_PROCEDURE_SHARE = 0.25
# A note titled as a visit and a procedure ("Follow-up visit + procedure") is the procedure
# when its account (two or more technique sentences) is at least this share of the text: a
# full account (prep, needle, imaging, injectate) is about a sixth of such a note, a
# templated or one-line one far less (measured on the spent fresh notes: accounts 0.12-0.24,
# visits with a brief one 0-0.10).
MIXED_TITLE_PROCEDURE_SHARE = 0.12


def _most_named(cues: Sequence[Target]) -> NoteKind:
    """The kind most cues name; on a tie, the kind named first."""
    counts: dict[str, int] = {}
    for cue in cues:
        counts[cue.value] = counts.get(cue.value, 0) + 1
    first = {cue.value: cue.start for cue in reversed(cues)}
    best = min(counts, key=lambda kind: (-counts[kind], first[kind]))
    return best  # type: ignore[return-value]


def technique_account(targets: Sequence[Target], note_length: int) -> tuple[int, float]:
    """Sentences describing technique (prep, needles, imaging, injectate): count and share.

    The share is of the note's characters.
    """
    sentences = {
        (t.sent_start, t.sent_end) for t in targets if t.label == "TIME" and t.value == "technique"
    }
    return len(sentences), sum(end - start for start, end in sentences) / max(note_length, 1)


# A letter's subject line ("Re: Mrs. V., 59 - transforaminal ESI, performed today").
_SUBJECT = re.compile(
    r"^[ \t]*(?:re|subject|regarding)[ \t]*:[^\n]{0,200}", re.IGNORECASE | re.MULTILINE
)
SUBJECT_WITHIN = 1500  # characters from the top of the note


def letter_subject(text: str, targets: Sequence[Target]) -> list[Target]:
    """The family mentions in a letter's subject line near its top (what the letter is about)."""
    subject = _SUBJECT.search(text, 0, SUBJECT_WITHIN)
    if subject is None:
        return []
    return [
        t
        for t in targets
        if t.label == "FAMILY" and subject.start() <= t.start and t.end <= subject.end()
    ]


def classify_note_kind(
    targets: Sequence[Target],
    procedures: Sequence[Procedure],
    procedure_in_zone: bool,
    title: str = "",
    note_length: int = 0,
    subject: Sequence[Target] = (),
) -> tuple[NoteKind, list[Evidence]]:
    """The note kind and the cue spans that decided it.

    ``subject`` is the family mentions of a letter's subject line: a letter about a procedure
    it performed is a procedure note. ``title`` is the note's first line when it is a title
    (short): a visit named there
    ("F/U visit", "Video follow-up", "New patient consult") stays a visit when a minor
    procedure is done too, unless the title calls the note a procedure note; one that names a
    procedure beside the visit ("Follow-up + procedure") is the procedure when the account
    of it is a fair share of the note (:data:`MIXED_TITLE_PROCEDURE_SHARE`). A report
    (imaging, electrodiagnostic) is one when it is titled as one or has a report's headings
    and no visit's, and nothing was done or described. Without a
    title or procedure section, a visit cue also wins when the procedure's account is a
    minor part of the note (:data:`MINOR_PROCEDURE_SHARE` of ``note_length``).
    """
    # A follow-up cue speaks of an earlier visit even when ConText reads it as historical
    # ("returns after the injections 3 weeks ago"); other kinds must be affirmed.
    cues = [
        t
        for t in targets
        if t.label == "KIND"
        and not t.planned
        and (
            t.assertion == "affirmed" or (t.value == "office_visit" and t.assertion == "historical")
        )
    ]
    steps, share = technique_account(targets, note_length)
    visit_title = not _PROCEDURE_TITLE.search(title)
    if procedures and not visit_title:
        return "procedure", []  # "PROCEDURE REPORT", "Procedure note" over a procedure done
    done = {p.family for p in procedures}
    about = [t for t in subject if t.value in done and t.assertion == "affirmed" and not t.planned]
    if about:
        # a letter about the procedure it reports ("Re: ... - SHP block, 04/16/2026")
        return "procedure", [about[0].evidence("note_kind", "procedure")]
    both_named = visit_title and bool(_AND_PROCEDURE.search(title))
    if both_named and procedures:
        account = steps >= TECHNIQUE_SENTENCES and share >= MIXED_TITLE_PROCEDURE_SHARE
        return ("procedure" if account else "office_visit"), []
    titled = [c for c in cues if visit_title and c.end <= len(title) and c.value in VISIT_KINDS]
    if titled:
        return titled[0].value, [titled[0].evidence("note_kind", titled[0].value)]  # type: ignore[return-value]
    sections = {t.section for t in targets}
    evaluation = bool(sections & EVALUATION_SECTIONS)
    visit_cues = [c for c in cues if c.value in VISIT_KINDS]
    if procedures and visit_cues and not procedure_in_zone and share < MINOR_PROCEDURE_SHARE:
        best = _most_named(visit_cues)
        return best, [c.evidence("note_kind", best) for c in visit_cues if c.value == best][:3]
    if procedures and (procedure_in_zone or not evaluation):
        return "procedure", []
    stay = [t for t in targets if t.label == "TIME" and t.value == "stay"]
    if stay and not procedures:
        return "other", [stay[0].evidence("note_kind", "other")]  # a discharge summary
    technique = [t for t in targets if t.label == "TIME" and t.value == "technique"]
    if not procedures and steps >= TECHNIQUE_SENTENCES:
        # a procedure is described but could not be named: say so (the checks flag it)
        return "procedure", [t.evidence("note_kind", "procedure") for t in technique[:3]]
    reports = [c for c in cues if c.rule.startswith(REPORT_CUES)]
    if (
        reports
        and not procedures
        and (
            reports[0].end <= len(title)
            or not (sections & EVALUATION_SECTIONS) - {r.section for r in reports}
        )
    ):
        # a report: titled as one, or its headings (exam line, findings) with no visit's
        # history and examination
        return "other", [c.evidence("note_kind", "other") for c in reports[:3]]
    # Cues early in the note (title, opening lines) say what the note is.
    votes: dict[str, float] = {}
    for cue in cues:
        votes[cue.value] = votes.get(cue.value, 0.0) + (2.0 if cue.start < 400 else 1.0)
    if votes:
        best = max(_PRIORITY, key=lambda kind: (votes.get(kind, 0.0), -_PRIORITY.index(kind)))
        if votes.get(best, 0.0) > 0:
            return best, [c.evidence("note_kind", best) for c in cues if c.value == best][:3]
    if evaluation or procedures:
        return ("office_visit" if procedures else "consult"), []
    return "other", []
