"""``POST /v1/preauth``: a prior-authorization packet from a patient's notes.

The packet comes as JSON (default), a FHIR QuestionnaireResponse (``fhir``), a printable
HTML page (``html``) or a PDF (``pdf``), chosen by the ``format`` query parameter or body
field. The request is checked in full before a note is read; the notes are then read and
judged in a reader process. Refusals are problem+json with the error's code
(``Errors.E101`` family, ``Errors.E011`` payer, ``Errors.E104``/``Errors.E105`` dates and
notes, ``Errors.E106`` levels, ``Errors.E002`` a note's text). Nothing is stored and no
note text is logged.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import Field

from api.deps import PrincipalDep, RunnerDep
from api.examples import load_example
from api.problems import ProblemError
from api.runner import PipelineRunner
from api.web.rendering import API_DIR
from assistant.checks import load_registry
from assistant.errors import PreauthInputError, UnknownPayerError
from assistant.preauth import Packet
from assistant.preauth.outputs import MEDIA_TYPES, OutputFormat, download_name, packet_output
from assistant.preauth.request import NoteLabel, PacketRequest, api_label, packet_of, prepare

logger = logging.getLogger("chartready.preauth")
router = APIRouter(prefix="/v1", tags=["preauth"])
TEMPLATE = "preauth_packet.html"
EXAMPLE = "preauth"


class PreauthRequest(PacketRequest):
    """A patient's notes, the procedure to authorize, and the output wanted."""

    format: OutputFormat | None = Field(
        default=None,
        description="json (default), fhir, html or pdf; the query parameter wins over this.",
    )


@cache
def packet_template() -> str:
    """The printable packet page's Jinja2 source: one file for the API, the page and the CLI."""
    return (API_DIR / "templates" / TEMPLATE).read_text(encoding="utf-8")


async def make_packet(
    request: PacketRequest, runner: PipelineRunner, label: NoteLabel = api_label
) -> Packet:
    """Check ``request`` here, then read its notes and judge the criteria in a reader.

    Raises:
        ChartReadyError: the request is refused (coded), or the reader is unavailable (Errors.E503).
    """
    prepared = prepare(request, load_registry(), label)
    weight = sum(len(text) for _, _, text in prepared.notes)
    return await runner.run(packet_of, prepared, weight=weight)


def packet_response(
    packet: Packet, output_format: OutputFormat, data: bytes, *, download: bool
) -> Response:
    """The packet's bytes with their media type; ``download`` names a file to save."""
    headers = {"Cache-Control": "no-store"}
    if download:
        headers["Content-Disposition"] = (
            f'attachment; filename="{download_name(packet, output_format)}"'
        )
    return Response(data, media_type=MEDIA_TYPES[output_format], headers=headers)


def _openapi_responses() -> dict[int | str, dict[str, Any]]:
    stored = load_example(EXAMPLE)
    examples = {EXAMPLE: {"summary": stored["summary"], "value": stored["response"]}}
    return {
        200: {
            "description": "The packet in the format asked for.",
            "content": {
                "application/json": {"examples": examples},
                "application/fhir+json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


@router.post("/preauth", response_model=Packet, responses=_openapi_responses())
async def create_preauth(
    body: Annotated[
        PreauthRequest,
        Body(
            openapi_examples={
                EXAMPLE: {
                    "summary": load_example(EXAMPLE)["summary"],
                    "value": load_example(EXAMPLE)["request"],
                }
            }
        ),
    ],
    runner: RunnerDep,
    _caller: PrincipalDep,
    output_format: Annotated[
        OutputFormat | None, Query(alias="format", description="json, fhir, html or pdf")
    ] = None,
) -> Response:
    """Judge the payer's criteria for a planned procedure over all of a patient's notes.

    Every criterion is met, not met or not found, with the quotes (note, date, character
    span) that prove it; ``ready_to_submit`` is true when all are met. Gaps carry the fix
    and a compliant provider query.
    """
    chosen: OutputFormat = output_format or body.format or "json"
    try:
        packet = await make_packet(body, runner)
    except (PreauthInputError, UnknownPayerError) as exc:
        slug = "unknown-payer" if isinstance(exc, UnknownPayerError) else "preauth-input"
        raise ProblemError(422, str(exc), code=exc.code, slug=slug) from None
    data = await run_in_threadpool(packet_output, packet, chosen, packet_template())
    logger.info(
        "preauth packet: %d notes, %s, %d criteria, ready=%s, format %s",
        len(packet.timeline.notes),
        packet.procedure.family,
        len(packet.criteria),
        packet.ready_to_submit,
        chosen,
    )
    return packet_response(packet, chosen, data, download=chosen == "pdf")
