"""The prior-authorization packet as a PDF that a payer reviewer reads in two minutes.

Page one says what is asked for and whether it is ready; then one block per criterion
(status, the plain reason, each quote with its note, date and character span, the policy
cited); then what to close before submitting (fix and provider query) and where the notes
disagree. fpdf2's built-in Helvetica covers Latin-1 only, and embedding a Unicode font
would mean shipping a font file, so every text passes through :func:`latin1` first:
typographic quotes and dashes become ASCII, ``≥`` becomes ``>=``, accents outside Latin-1
are dropped and anything else becomes ``?``. No note text can make rendering fail.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from assistant.preauth.evaluate import CriterionResult
from assistant.preauth.items import Contradiction, EvidenceRef
from assistant.preauth.packet import Packet

STATUS_WORDS = {"met": "met", "not_met": "not met", "not_found": "not found"}
_STATUS_COLOURS = {"met": (17, 99, 41), "not_met": (130, 7, 30), "not_found": (154, 103, 0)}
_INK = (27, 31, 35)
_GREY = (87, 96, 106)
_FONT = "Helvetica"
# Characters notes and criteria often carry that have a plain ASCII reading.
_ASCII = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2260": "!=",
        "\u2248": "~",
        "\u2026": "...",
        "\u2022": "*",
        "\u2023": "*",
        "\u25cf": "*",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2191": "up",
        "\u2193": "down",
        "\u2713": "v",
        "\u2714": "v",
        "\u2717": "x",
        "\u2122": "(TM)",
        "\u20ac": "EUR",
        "\t": " ",
    }
)


def _latin1_char(char: str) -> str:
    """One character as Latin-1 text: kept, folded to its base letters, or ``?``."""
    code = ord(char)
    if char == "\n" or 0x20 <= code < 0x7F or 0xA0 <= code <= 0xFF:
        return char
    category = unicodedata.category(char)
    if category in ("Cc", "Zs", "Zl", "Zp"):
        return " "
    if category in ("Cf", "Mn", "Me"):  # zero-width and combining marks: nothing to show
        return ""
    folded = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if 0x20 <= ord(part) < 0x7F or 0xA0 <= ord(part) <= 0xFF
    )
    return folded or "?"


def latin1(text: str) -> str:
    """``text`` in characters the PDF core fonts can show (Latin-1, no control characters)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ASCII)
    return "".join(_latin1_char(char) for char in text)


class _PacketPdf(FPDF):
    """US Letter pages whose footer names the packet and numbers the pages."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.footer_text = latin1(footer_text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, size=8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.footer_text} - page {self.page_no()} of {{nb}}", align="C")


def _write(
    pdf: FPDF,
    text: str,
    *,
    size: float = 10,
    style: str = "",
    colour: tuple[int, int, int] = _INK,
    indent: float = 0,
    height: float = 5,
) -> None:
    """A paragraph from the left margin (plus ``indent``), wrapped to the right margin."""
    pdf.set_font(_FONT, style=style, size=size)
    pdf.set_text_color(*colour)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, height, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    """A section heading, moved to the next page rather than left alone at the bottom."""
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    _write(pdf, text, size=13, style="B", height=7)
    pdf.set_draw_color(208, 215, 222)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _field(pdf: FPDF, label: str, value: str) -> None:
    """One ``label: value`` line of the header; a long value wraps beside its label."""
    pdf.set_font(_FONT, style="B", size=10)
    pdf.set_text_color(*_INK)
    pdf.cell(38, 5.5, latin1(label))
    pdf.set_font(_FONT, size=10)
    pdf.multi_cell(0, 5.5, latin1(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def readiness_words(packet: Packet) -> str:
    """``ready_to_submit`` in words, with the count of criteria met."""
    total = len(packet.criteria)
    met = sum(1 for result in packet.criteria if result.status == "met")
    if packet.ready_to_submit:
        return f"Ready to submit: all {total} criteria met."
    return (
        f"Not ready to submit: {met} of {total} criteria met; "
        f"{total - met} to close before submitting (listed at the end)."
    )


def _planned_date(packet: Packet) -> str:
    when = packet.planned_date.isoformat()
    return when if packet.procedure.date is not None else f"{when} (date of the latest note)"


def _notes_read(packet: Packet) -> str:
    notes = packet.timeline.notes
    listed = "; ".join(f"{note.note_id} ({note.date.isoformat()})" for note in notes)
    return f"{len(notes)}: {listed}" if notes else "none"


def _header(pdf: FPDF, packet: Packet, generated: dt.date) -> None:
    """Title, what is asked for, and the verdict in words."""
    _write(pdf, "Prior authorization packet", size=17, style="B", height=8)
    _write(pdf, packet.procedure_label, size=12, style="B", height=6)
    pdf.ln(2)
    procedure = packet.procedure
    _field(pdf, "Patient key", packet.patient or "not given")
    _field(pdf, "Procedure", packet.procedure_label)
    _field(pdf, "Levels", ", ".join(procedure.levels) or "not given")
    _field(pdf, "Side", procedure.side or "not given")
    _field(pdf, "Payer", f"{packet.payer_title} ({procedure.payer})")
    _field(pdf, "Planned date", _planned_date(packet))
    _field(pdf, "Generated", generated.isoformat())
    _field(pdf, "Notes read", _notes_read(packet))
    _field(pdf, "Criteria", f"version {packet.criteria_version}")
    pdf.ln(2)
    colour = _STATUS_COLOURS["met" if packet.ready_to_submit else "not_met"]
    _write(pdf, readiness_words(packet), size=12, style="B", colour=colour, height=7)


def _evidence(pdf: FPDF, refs: Sequence[EvidenceRef]) -> None:
    for ref in refs:
        _write(pdf, f'"{ref.quote}"', style="I", indent=6)
        where = f"{ref.note_id}, {ref.date.isoformat()}, characters {ref.start}-{ref.end}"
        _write(pdf, where, size=8, colour=_GREY, indent=10, height=4)


def _criterion(pdf: FPDF, result: CriterionResult) -> None:
    """One criterion: id and message, status, the reason, each quote, the policy cited."""
    if pdf.will_page_break(22):
        pdf.add_page()
    pdf.ln(1.5)
    _write(pdf, f"{result.id}  {result.message}", size=11, style="B", height=6)
    status = STATUS_WORDS[result.status]
    _write(pdf, f"Status: {status}", style="B", colour=_STATUS_COLOURS[result.status], indent=3)
    _write(pdf, result.detail, indent=3)
    _evidence(pdf, result.evidence)
    source = result.source
    cited = ", ".join(part for part in (source.policy, source.section, source.url) if part)
    _write(pdf, f"Source: {cited}", size=8, colour=_GREY, indent=3, height=4)


def _gaps(pdf: FPDF, gaps: Sequence[CriterionResult]) -> None:
    """What to close before submitting: each gap's fix and its provider query."""
    _heading(pdf, "To close before submitting")
    for result in gaps:
        if pdf.will_page_break(18):
            pdf.add_page()
        status = STATUS_WORDS[result.status]
        _write(pdf, f"{result.id}  {result.message} ({status})", style="B", height=5.5)
        if result.fix:
            _write(pdf, f"Fix: {result.fix}", indent=3)
        if result.query:
            _write(pdf, f"Provider query: {result.query}", indent=3)
        pdf.ln(1.5)


def _contradictions(pdf: FPDF, contradictions: Sequence[Contradiction]) -> None:
    """Values the notes state differently, side by side (the reviewer will see both)."""
    _heading(pdf, "Notes that disagree")
    for item in contradictions:
        topic = f"{item.topic} - {item.subject}".replace("_", " ")
        _write(pdf, topic, style="B")
        for stated in item.values:
            ref = stated.evidence
            line = f'{stated.value}: "{ref.quote}" ({ref.note_id}, {ref.date.isoformat()})'
            _write(pdf, line, indent=3)
        pdf.ln(1)


def render_pdf(packet: Packet, generated: dt.date | None = None) -> bytes:
    """The packet as a PDF document (``generated``: the date printed, default today)."""
    pdf = _PacketPdf(f"Prior authorization packet: {packet.procedure_label}")
    pdf.set_title(latin1(f"Prior authorization packet: {packet.procedure_label}"))
    pdf.set_creator("ChartReady")
    pdf.set_margins(left=18, top=16, right=18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    _header(pdf, packet, generated or dt.date.today())
    _heading(pdf, "Criteria")
    for result in packet.criteria:
        _criterion(pdf, result)
    gaps = [result for result in packet.criteria if result.status != "met"]
    if gaps:
        _gaps(pdf, gaps)
    if packet.timeline.contradictions:
        _contradictions(pdf, packet.timeline.contradictions)
    return bytes(pdf.output())
