"""Adversarial notes and claims get a result or a clear coded error, never a crash."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable

import pytest

from assistant.checks.claims import parse_claim, parse_history
from assistant.checks.detectors import run_detector
from assistant.checks.registry import load_registry
from assistant.errors import ClaimInputError, NoteInputError
from assistant.facts import NoteFacts
from assistant.notes import MAX_NOTE_CHARS, decode_note, validate_note_text
from assistant.pipeline import check_note

PROCEDURE = (
    "PROCEDURE: Left L4-5 transforaminal epidural steroid injection under fluoroscopy.\n"
    "Consent was obtained. 80 mg triamcinolone injected. No complications.\n"
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"a" * 1_000_000, "the limit is 200,000"),
        (b"x" * 500_000, "the limit is 200,000"),
        (b"pain\x00score 7/10", "NUL"),
        (b"pain score \xff\xfe 7/10", "not valid UTF-8"),
        (b"   \n\t  ", "empty"),
    ],
    ids=["1MB", "one-500k-line", "nul", "invalid-utf8", "blank"],
)
def test_decode_note_rejects_with_coded_error(raw: bytes, message: str) -> None:
    with pytest.raises(NoteInputError, match=message) as info:
        decode_note(raw, "upload")
    assert info.value.code == "E002"
    assert "upload" in str(info.value)


def test_validate_note_text_accepts_exactly_the_limit() -> None:
    text = "L4-5 " * (MAX_NOTE_CHARS // 5)
    assert validate_note_text(text) is text
    with pytest.raises(NoteInputError):
        validate_note_text(text + "x")


@pytest.mark.parametrize(
    "text",
    [
        "\u202eL4-5 \u202cleft transforaminal epidural steroid injection. Pain 7/10.",
        "\u200fPROCEDURE:\u200f Right L5-S1 facet injection \u2067fluoroscopy\u2069.",
        "\ufeff\u0130\u0130 Exam: normal. Consent obtained.",  # lower() changes length
        "ﬃ" * 50 + " PROCEDURE: L4-5 ESI. 80 mg triamcinolone.",
        "\r\n".join(["PLAN:", "Bilateral L4-5, L5-S1 medial branch blocks."] * 50),
    ],
    ids=["rlo", "rlm-isolates", "length-changing-lower", "ligatures", "crlf"],
)
def test_read_and_check_survive_bidi_and_odd_unicode(
    read: Callable[[str], NoteFacts], text: str
) -> None:
    facts = read(text)
    for ev in facts.evidence:
        assert 0 <= ev.start <= ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.text
    result = check_note(text, facts=facts)
    for finding in result.findings:
        for ev in finding.evidence:
            assert 0 <= ev.start <= ev.end <= len(text)
            assert text[ev.start : ev.end] == ev.text or ev.text == ""


def _best_time(call: Callable[[], object], runs: int = 2) -> float:
    """Best CPU time of ``runs`` calls (CPU time: other jobs on the machine do not count).

    Each call starts after a full collection and runs with the collector paused: a
    collection's cost grows with everything the test session has loaded, not with the
    note, and one landing inside the larger call made the ratio flaky (3.6 once in many
    runs, 2.0-2.4 when measured alone). What is timed is the code's own work.
    """
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            call()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize(
    "unit",
    ["No complications. ", "Consent obtained. ", "L4-5 ", "epidural steroid "],
)
def test_detectors_linear_on_hit_dense_notes(unit: str) -> None:
    """Many hits in one note: the time ratio on doubling stays near 2, not 4."""
    detectors = list(load_registry().detectors.values())
    small = unit * (40_000 // len(unit))
    large = unit * (80_000 // len(unit))

    def run(text: str) -> Callable[[], object]:
        return lambda: [run_detector(d, text, None) for d in detectors]

    ratio = _best_time(run(large)) / _best_time(run(small))
    assert ratio < 3.5


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("L4-5 ", id="levels"),
        pytest.param("pain 7/10 ", id="scores"),
        pytest.param("Left L4-5 TFESI done at L5-S1 instead. ", id="level-corrections"),
        pytest.param("x" * 50_000 + "\n", id="long-lines"),
    ],
)
def test_read_note_linear_up_to_the_limit(read: Callable[[str], NoteFacts], unit: str) -> None:
    """The reader on 50 k vs 100 k characters of one repeated pattern (or long lines)."""
    small = (unit * (50_000 // len(unit) + 1))[:50_000]
    large = (unit * (100_000 // len(unit) + 1))[:100_000]

    def fresh(text: str, letters: str) -> Callable[[], object]:
        # spaCy caches the tokens of every chunk it has seen: a first character no other
        # run used keeps a 50 k-character chunk from being free the second time (which
        # made the small note look cheap and the ratio large).
        runs = iter(letters)
        return lambda: read(next(runs) + text[1:])

    # best of 5 CPU times, so a busy machine cannot fake a blow-up
    ratio = _best_time(fresh(large, "abcde"), 5) / _best_time(fresh(small, "vwxyz"), 5)
    assert ratio < 3.5


def _nested(depth: int) -> object:
    value: object = "M54.16"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"lines": [{"cpt": "64483", "icd10": _nested(200)}]}, "lines -> 0 -> icd10 -> 0"),
        ({"lines": [{"cpt": "64483", "units": "many"}]}, "lines -> 0 -> units"),
        ({"lines": []}, "lines"),
        ({"lines": [{"cpt": "6448"}]}, "lines -> 0 -> cpt"),
        ({"lines": [{"cpt": "64483", "icd10": ["M54.16", "banana"]}]}, "lines -> 0 -> icd10"),
        ({"lines": [{"cpt": "64483"}] * 20_000 + [{"cpt": 5}]}, "lines -> 20000 -> cpt"),
        ([1, 2, 3], ""),
        ("not a claim", ""),
    ],
    ids=["deep-nesting", "wrong-type", "no-lines", "short-cpt", "bad-icd", "huge", "list", "str"],
)
def test_parse_claim_malformed_gives_path_precise_error(data: object, path: str) -> None:
    with pytest.raises(ClaimInputError) as info:
        parse_claim(data)
    assert info.value.code == "E010"
    assert f"[{path}]" in str(info.value) or not path


def test_parse_claim_survives_deeply_nested_json_text() -> None:
    text = "[" * 100_000 + "]" * 100_000
    try:
        data = json.loads(text)
    except RecursionError:
        return  # the JSON decoder's own limit; callers see a decode failure, not a crash here
    with pytest.raises(ClaimInputError):
        parse_claim(data)


@pytest.mark.parametrize(
    "history",
    [{"procedures": [{"date_of_service": "yesterday"}]}, [{"relief_percent": 300}], 42],
)
def test_parse_history_malformed_gives_coded_error(history: object) -> None:
    with pytest.raises(ClaimInputError):
        parse_history(history)


@pytest.mark.parametrize(
    "line",
    [
        {"cpt": "99999", "icd10": ["Z99.89"]},
        {"cpt": "0001U", "icd10": ["A00.0"], "modifiers": ["ZZ"]},
        {"cpt": "J9999", "units": 99, "icd10": ["M54.16"] * 50},
    ],
    ids=["unknown-cpt", "lab-code", "unknown-hcpcs"],
)
def test_check_note_unknown_codes_give_findings_not_crashes(
    read: Callable[[str], NoteFacts], line: dict[str, object]
) -> None:
    claim = parse_claim({"lines": [line]})
    result = check_note(PROCEDURE, payer="medicare", claim=claim, facts=read(PROCEDURE))
    assert result.verdict
    assert json.loads(result.model_dump_json())["payer"] == "medicare"
