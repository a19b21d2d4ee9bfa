"""``POST /v1/extract``: documented facts of one note, with evidence offsets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from api.deps import PrincipalDep, RunnerDep
from api.examples import request_examples, response_examples
from api.notes import note_text
from api.schemas import ExtractPublic, ExtractRequest

router = APIRouter(prefix="/v1", tags=["extract"])


@router.post(
    "/extract",
    response_model=ExtractPublic,
    response_model_by_alias=True,
    responses=response_examples("extract"),
)
async def extract(
    body: Annotated[ExtractRequest, Body(openapi_examples=request_examples("extract"))],
    runner: RunnerDep,
    _caller: PrincipalDep,
) -> ExtractPublic:
    """Read one note (text or FHIR DocumentReference) and return note-facts/v1 with evidence."""
    text, note_id = note_text(body)
    facts = await runner.read(text, note_id)
    return ExtractPublic(facts=facts, reader_version=facts.reader_version or "unknown")
