"""Clone detection: normalisation, sections, flags with evidence, injected-clone quality."""

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from batch_inputs import corpus_rows, write_csv
from typer.testing import CliRunner

from assistant.batch.clones.detect import detect_clones
from assistant.batch.clones.evaluate import clone_free_sources, inject, score
from assistant.batch.clones.report import CloneNote
from assistant.batch.clones.text import default_settings, sections, words
from assistant.cli import app

SETTINGS = default_settings()
EXAM = (
    "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
    "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
    "Straight leg raise is negative. Strength is five of five in both legs and sensation "
    "is intact to light touch. Reflexes are symmetric at the knees and ankles.\n"
)


def _visit(name: str, day: str, side: str, score_text: str, history: str) -> str:
    return (
        f"PATIENT: {name}\nDATE: {day}\n"
        f"HISTORY OF PRESENT ILLNESS: Mr. {name.split()[1]} returns with {side} low back pain "
        f"rated {score_text}. {history}\n{EXAM}"
        "ASSESSMENT AND PLAN: Lumbar facet arthropathy. Continue home exercise and "
        "meloxicam; return in four weeks or sooner if worse.\n"
    )


def test_words_hide_names_dates_numbers_and_sides_but_keep_offsets() -> None:
    one = _visit("John Smith", "03/04/2025", "left", "7/10", "The pain began after a fall.")
    two = _visit("Ahmed Haddad", "11/12/2024", "right", "4/10", "The pain began after a fall.")
    assert [w.norm for w in words(one, SETTINGS)] == [w.norm for w in words(two, SETTINGS)]
    for word in words(one, SETTINGS):
        assert one[word.start : word.end].lower() == word.norm or word.norm.startswith("<")


def test_sections_follow_the_reader_section_rules() -> None:
    text = _visit("John Smith", "2025-03-04", "left", "7/10", "It began after a fall.")
    found = [(s.name, text[s.start : s.start + 9]) for s in sections(text)]
    assert [name for name, _ in found] == [
        "history_of_present_illness",
        "physical_exam",
        "observation_and_plan",
    ]


def _notes() -> list[CloneNote]:
    history = "She has tried physical therapy for six weeks without relief of the pain."
    return [
        CloneNote(
            "v1",
            _visit("John Smith", "2025-02-03", "left", "7/10", history),
            "dr-a",
            "p1",
            dt.date(2025, 2, 3),
        ),
        CloneNote(
            "v2",
            _visit("John Smith", "2025-03-03", "left", "6/10", history),
            "dr-a",
            "p1",
            dt.date(2025, 3, 3),
        ),
        CloneNote(
            "other",
            "HISTORY OF PRESENT ILLNESS: Neck pain radiating to the right arm for a year, "
            "numbness in the thumb and index finger, worse when looking up.\n" + EXAM,
            "dr-b",
            "p2",
            dt.date(2025, 3, 9),
        ),
    ]


def test_a_copied_forward_visit_is_flagged_with_sections_and_evidence() -> None:
    notes = _notes()
    report = detect_clones(notes, SETTINGS)
    flags = {flag.note_id: flag for flag in report.flags}
    (match,) = [m for m in flags["v2"].matches if m.note_id == "v1"]
    assert match.similarity == 1.0
    assert match.earlier is True
    assert match.same_provider is True
    assert "physical_exam" in match.identical_sections
    text = notes[1].text
    assert all(0 <= span.start < span.end <= len(text) for span in match.evidence)
    (span,) = match.evidence  # the whole note, first word to last
    assert (span.start, text[span.end - 6 : span.end]) == (0, " worse")
    # The unrelated note shares only the exam (a copied exam across patients).
    exam_only = flags["other"].matches
    assert {m.note_id for m in exam_only} == {"v1", "v2"}
    assert all(m.similarity < SETTINGS.note.threshold for m in exam_only)
    assert all(m.identical_sections == ["physical_exam"] for m in exam_only)


def test_provider_summary_counts_sections_identical_to_an_earlier_note() -> None:
    report = detect_clones(_notes(), SETTINGS)
    shares = {(s.provider, s.month, s.section): s for s in report.summary}
    march_exam = shares[("dr-a", "2025-03", "physical_exam")]
    assert (march_exam.notes, march_exam.identical_to_earlier, march_exam.share) == (1, 1, 1.0)
    assert shares[("dr-a", "2025-02", "physical_exam")].identical_to_earlier == 0


@pytest.fixture(scope="module")
def injected() -> Any:
    rows = corpus_rows(400)
    notes = [CloneNote(row["note_id"], row["text"]) for row in rows]
    sources = random.Random(3).sample(clone_free_sources(notes, SETTINGS), 60)
    return inject(notes, sources)


def test_injected_clones_are_found_with_the_issue_targets(injected: Any) -> None:
    scores = score(injected, detect_clones(injected.notes, SETTINGS).flags, SETTINGS)
    assert scores.precision >= 0.95
    assert scores.recall >= 0.90


@pytest.mark.usefixtures("spark")
def test_spark_flags_what_the_embedded_detector_flags(injected: Any, tmp_path: Path) -> None:
    from assistant.batch.clones.spark import detect_clones_spark

    rows = [{"note_id": n.note_id, "text": n.text} for n in injected.notes]
    source = write_csv(tmp_path / "notes.csv", rows)
    on_spark = detect_clones_spark(str(source), SETTINGS, "local[2]")
    embedded = detect_clones(injected.notes, SETTINGS)
    assert on_spark.flags == embedded.flags
    assert on_spark.notes == embedded.notes == len(rows)


def test_clones_command_writes_one_flag_a_line(tmp_path: Path) -> None:
    rows = [
        {
            "note_id": n.note_id,
            "text": n.text,
            "provider": n.provider,
            "date_of_service": n.date_of_service.isoformat() if n.date_of_service else "",
        }
        for n in _notes()
    ]
    source = write_csv(tmp_path / "notes.csv", rows)
    out, summary = tmp_path / "clones.jsonl", tmp_path / "summary.json"
    result = CliRunner().invoke(
        app, ["clones", str(source), "--out", str(out), "--summary", str(summary)]
    )
    assert result.exit_code == 0, result.output
    flags = [json.loads(line) for line in out.read_text().splitlines()]
    assert {flag["note_id"] for flag in flags} == {"v1", "v2", "other"}
    assert json.loads(summary.read_text())[0]["provider"] == "dr-a"
