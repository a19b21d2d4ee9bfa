"""One packet, four outputs: JSON, printable HTML, PDF, and a FHIR QuestionnaireResponse.

The CLI, the API and the web page all write a packet through :func:`packet_output`, so the
same packet reads the same everywhere. The HTML page's Jinja2 source is passed in by the
caller (it lives with the web templates, which this package never imports).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal, get_args

from assistant.preauth.fhir import questionnaire_response
from assistant.preauth.packet import Packet, render_html
from assistant.preauth.pdf import render_pdf

OutputFormat = Literal["json", "html", "pdf", "fhir"]
FORMATS: tuple[str, ...] = get_args(OutputFormat)
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "fhir": "application/fhir+json",
}
_SUFFIXES = {"json": "json", "html": "html", "pdf": "pdf", "fhir": "fhir.json"}


def packet_output(
    packet: Packet, output_format: OutputFormat, template: str, today: dt.date | None = None
) -> bytes:
    """The packet in ``output_format`` (text formats as UTF-8); ``today`` dates the PDF."""
    if output_format == "pdf":
        return render_pdf(packet, today)
    if output_format == "html":
        return render_html(packet, template).encode("utf-8")
    data = packet.to_json_dict() if output_format == "json" else questionnaire_response(packet)
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def download_name(packet: Packet, output_format: OutputFormat) -> str:
    """A file name for the download (family and planned date only: never a patient key)."""
    stem = f"preauth-{packet.procedure.family}-{packet.planned_date.isoformat()}"
    return f"{stem}.{_SUFFIXES[output_format]}"
