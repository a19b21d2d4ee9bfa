"""The packet as a PDF: what a payer reviewer reads, checked through the PDF's own text."""

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from assistant.checks import load_registry
from assistant.cli import app
from assistant.preauth import Packet, PlannedProcedure, build_packet, dated_notes
from assistant.preauth.pdf import STATUS_WORDS, latin1, render_pdf

CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: He reports right leg pain shooting to the foot for 4 months.
He did 8 weeks of physical therapy without relief. Ibuprofen did not help.
Pain is 8/10 on the NRS. He cannot sit for more than 20 minutes.
IMAGING: MRI on 02/02/2024 shows a right L4-L5 disc protrusion contacting the right L5 root.
PHYSICAL EXAMINATION: Straight leg raise is positive on the right.
ASSESSMENT: Right L5 radiculopathy (M54.16).
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""
SHORT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: He reports low back pain for 10 days.
He did physical therapy for 1 week.
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""
# Typographic punctuation, symbols, other scripts, emoji, zero-width and control characters.
ODD = (
    "NEW PATIENT CONSULTATION\n"
    "HISTORY OF PRESENT ILLNESS: Right leg pain \u2014 \u201csevere\u201d \u2265 4 months "
    "(\u65e5\u672c\u8a9e, \u0416, \u0142, \U0001f600, e\u0301, \u200bzero\u00a0width).\r\n"
    "He did 8 weeks of physical therapy without relief.\x0b Pain is 8/10 \u2013 constant.\n"
    "PLAN: Right L4-L5 transforaminal epidural steroid injection.\n"
)
GENERATED = dt.date(2024, 3, 2)


def _packet(*notes: tuple[str, dt.date, str]) -> Packet:
    planned = PlannedProcedure.model_validate(
        {"family": "esi", "levels": ["L4-L5"], "side": "right", "payer": "medicare"}
    )
    return build_packet(planned, dated_notes(list(notes)), load_registry(), patient="P-001")


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """The text with line breaks as spaces (a long line wraps where the page ends)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def met() -> Packet:
    return _packet(("consult", dt.date(2024, 2, 10), CONSULT))


@pytest.fixture(scope="module")
def unmet() -> Packet:
    return _packet(("short", dt.date(2024, 2, 12), SHORT))


def test_pdf_of_a_ready_packet_has_the_header_and_every_criterion(met: Packet) -> None:
    assert met.ready_to_submit
    text = _text(render_pdf(met, GENERATED))
    flat = _flat(text)
    for expected in (
        "Prior authorization packet",
        "Patient key P-001",
        "Procedure Epidural steroid injection, right, L4-L5",
        "Levels L4-L5",
        "Side right",
        "Payer Medicare FFS (LCD baseline) (medicare)",
        "Planned date 2024-02-10 (date of the latest note)",
        "Generated 2024-03-02",
        "Notes read 1: consult (2024-02-10)",
        f"Ready to submit: all {len(met.criteria)} criteria met.",
    ):
        assert expected in flat, expected
    for result in met.criteria:
        assert f"{result.id} {result.message}" in flat
        for ref in result.evidence:
            assert f'"{ref.quote}"' in flat
            where = f"{ref.note_id}, {ref.date.isoformat()}, characters {ref.start}-{ref.end}"
            assert where in flat
        assert result.source.policy in flat
    assert flat.count("Status: met") == len(met.criteria)
    assert "To close before submitting" not in flat


def test_pdf_of_an_unready_packet_lists_the_gaps_with_fix_and_query(unmet: Packet) -> None:
    assert not unmet.ready_to_submit
    flat = _flat(_text(render_pdf(unmet, GENERATED)))
    gaps = [r for r in unmet.criteria if r.status != "met"]
    met = len(unmet.criteria) - len(gaps)
    assert f"Not ready to submit: {met} of {len(unmet.criteria)} criteria met" in flat
    gap_section = flat.split("To close before submitting", 1)[1]
    for result in gaps:
        assert f"Status: {STATUS_WORDS[result.status]}" in flat
        assert f"{result.id} {result.message} ({STATUS_WORDS[result.status]})" in gap_section
        assert result.fix and result.query
        assert _flat(f"Fix: {latin1(result.fix)}") in gap_section
        assert _flat(f"Provider query: {latin1(result.query)}") in gap_section
    imaging = next(r for r in unmet.criteria if r.id == "PA-013")
    assert imaging.status == "not_found" and "Status: not found" in flat


def test_odd_unicode_in_a_note_renders_in_latin1() -> None:
    packet = _packet(("odd", dt.date(2024, 5, 1), ODD))
    quoted = [ref.quote for result in packet.criteria for ref in result.evidence]
    assert any("\u201csevere\u201d" in quote for quote in quoted)  # the PDF shows this quote
    flat = _flat(_text(render_pdf(packet)))
    assert '"severe" >= 4 months' in flat
    assert "Right leg pain - " in flat


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u201cquoted\u201d \u2018it\u2019s\u2019", "\"quoted\" 'it's'"),
        ("50 \u2013 80 %, \u2265 3 \u2264 5 \u2026", "50 - 80 %, >= 3 <= 5 ..."),
        ("caf\u00e9 na\u00efve \u00b5g \u00bd", "caf\u00e9 na\u00efve \u00b5g \u00bd"),  # Latin-1
        ("e\u0301 \u0141\u00f3d\u017a \ufb01 \uff21", "e ?\u00f3dz fi A"),
        ("\u65e5\U0001f600\u0416", "???"),
        ("a\u200bb\x00c\x0bd\u2028e\tf\r\ng", "ab c d e f\ng"),
        ("\ud800 lone surrogate", "? lone surrogate"),
    ],
)
def test_latin1_keeps_latin1_and_replaces_the_rest(raw: str, shown: str) -> None:
    assert latin1(raw) == shown
    latin1(raw).encode("latin-1")  # never raises


def test_pdf_never_fails_on_any_character(met: Packet) -> None:
    everything = "".join(chr(code) for code in range(0x20, 0x3000))
    odd = met.model_copy(update={"patient": everything, "procedure_label": everything})
    assert _text(render_pdf(odd)).startswith("Prior authorization packet")


def test_cli_pdf_needs_out_and_writes_the_file(tmp_path: Path) -> None:
    note = tmp_path / "consult.txt"
    note.write_text("Date of service: 2024-02-10\n" + CONSULT, encoding="utf-8")
    args = ["preauth", str(note), "--procedure", "esi", "--payer", "medicare", "--format", "pdf"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "--format pdf needs --out" in refused.stderr
    out = tmp_path / "packet.pdf"
    result = CliRunner().invoke(app, [*args, "--levels", "L4-L5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Ready to submit" in _flat(_text(out.read_bytes()))
