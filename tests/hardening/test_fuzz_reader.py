"""Property-based tests: any Unicode note returns facts and findings with sound evidence."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import NoteInputError
from assistant.facts import NoteFacts
from assistant.notes import MAX_NOTE_CHARS, validate_note_text
from assistant.pipeline import check_note

# Any code point but surrogates, plus bidi marks, and words the rules react to.
_ANY = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
_WORDS = st.sampled_from(
    [
        "L4-5 ",
        "L5-S1 ",
        "left ",
        "bilateral ",
        "transforaminal ",
        "epidural steroid ",
        "injection",
        "medial branch block",
        "radiofrequency ablation ",
        "fluoroscopy",
        "Consent obtained. ",
        "No complications.",
        "pain 7/10",
        "80 mg triamcinolone ",
        "PROCEDURE:",
        "PLAN:",
        "\n",
        "\n\n",
        ". ",
        "\u200f",
        "\u202e",
        "\u2066",
        "***",
    ]
)
_NOTES = st.lists(st.one_of(_WORDS, _ANY), max_size=40).map("".join)
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check_evidence(text: str, facts: NoteFacts) -> None:
    for ev in facts.evidence:
        assert 0 <= ev.start <= ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.text


@_SETTINGS
@given(text=_NOTES)
def test_read_note_evidence_slices_to_quote(read: Callable[[str], NoteFacts], text: str) -> None:
    try:
        validate_note_text(text)
    except NoteInputError:
        return  # blank notes get the coded intake error; covered in test_adversarial_inputs
    facts = read(text)
    _check_evidence(text, facts)
    assert read(text).model_dump_json() == facts.model_dump_json()


@_SETTINGS
@given(text=_NOTES, payer=st.sampled_from(["commercial", "medicare"]))
def test_check_note_findings_sound_and_deterministic(
    read: Callable[[str], NoteFacts], text: str, payer: str
) -> None:
    if not text.strip():
        return
    facts = read(text)
    first = check_note(text, payer=payer, facts=facts)
    for finding in first.findings:
        for ev in finding.evidence:
            assert 0 <= ev.start <= ev.end <= len(text)
            assert ev.text == "" or text[ev.start : ev.end] == ev.text
    second = check_note(text, payer=payer, facts=read(text))
    assert json.loads(first.model_dump_json()) == json.loads(second.model_dump_json())


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_validate_note_text_returns_or_raises_coded_error(text: str) -> None:
    try:
        assert validate_note_text(text, max_chars=MAX_NOTE_CHARS) is text
    except NoteInputError as exc:
        assert exc.code == "E002"


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300))
def test_decode_note_any_bytes(raw: bytes) -> None:
    from assistant.notes import decode_note

    try:
        decode_note(raw)
    except NoteInputError as exc:
        assert exc.code == "E002"
