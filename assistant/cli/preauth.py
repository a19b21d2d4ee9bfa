"""``chartready preauth``: a prior-authorization packet from a patient's notes."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import app, fail


class Side(StrEnum):
    left = "left"
    right = "right"
    bilateral = "bilateral"


class PacketFormat(StrEnum):
    json = "json"
    html = "html"
    pdf = "pdf"
    fhir = "fhir"


@app.command()
def preauth(
    notes: Annotated[list[Path], typer.Argument(help="note files or folders of one patient")],
    procedure: Annotated[str, typer.Option(help="planned procedure family, e.g. facet_rfa")],
    payer: Annotated[str, typer.Option(help="payer profile id")],
    levels: Annotated[str | None, typer.Option(help="planned levels, e.g. L4-L5,L5-S1")] = None,
    side: Annotated[Side | None, typer.Option(help="planned side")] = None,
    patient: Annotated[str | None, typer.Option(help="pseudonymous patient key")] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="JSON/CSV: file, date_of_service, patient, note_id")
    ] = None,
    output_format: Annotated[PacketFormat, typer.Option("--format")] = PacketFormat.json,
    out: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
) -> None:
    """Evaluate the payer's criteria for a planned procedure over all of a patient's notes.

    ``--format fhir`` writes a pre-populated FHIR QuestionnaireResponse; ``--format pdf``
    needs ``--out`` (a PDF is not written to a terminal).
    """
    if output_format is PacketFormat.pdf and out is None:
        raise fail("--format pdf needs --out FILE.pdf (a PDF is not written to the terminal)")
    from assistant.checks import load_registry
    from assistant.errors import ChartReadyError
    from assistant.preauth import (
        PlannedProcedure,
        build_packet,
        check_family,
        load_manifest,
        parse_levels,
        read_patient_notes,
    )
    from assistant.preauth.notes import note_files, select_files
    from assistant.preauth.outputs import packet_output

    try:
        registry = load_registry()
        check_family(procedure, registry)
        registry.payer(payer)
        planned = PlannedProcedure.model_validate(
            {
                "family": procedure,
                "levels": parse_levels(levels),
                "side": side.value if side else None,
                "payer": payer,
            }
        )
        rows = load_manifest(manifest) if manifest else None
        chosen = select_files(note_files(notes), rows, patient)
        packet = build_packet(planned, read_patient_notes(chosen, rows), registry, patient)
    except ChartReadyError as exc:
        raise fail(exc) from None
    template = ""
    if output_format is PacketFormat.html:
        from api.routes.preauth import packet_template  # the page the web and the API print

        template = packet_template()
    data = packet_output(packet, output_format.value, template)
    if out is None:
        typer.echo(data.decode("utf-8"))
        return
    try:
        if output_format is PacketFormat.pdf:
            out.write_bytes(data)
        else:
            out.write_text(data.decode("utf-8") + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror or exc})") from None
