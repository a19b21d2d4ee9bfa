"""``POST /v1/checks`` and ``POST /v1/checks/batch``: check notes before they are signed.

A request with a ``patient_key`` is also compared with the patient's stored prior
authorizations (:func:`api.service.check_request`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from api.deps import DatabaseDep, PrincipalDep, RunnerDep, SettingsDep
from api.examples import request_examples, response_examples
from api.notes import note_text
from api.problems import PROBLEM_BASE, FhirInputError, Problem, ProblemError
from api.requestid import current_request_id
from api.schemas import (
    BatchItemPublic,
    CheckBatchPublic,
    CheckBatchRequest,
    CheckPublic,
    CheckRequest,
)
from api.service import check_request
from assistant.errors import NoteInputError

router = APIRouter(prefix="/v1/checks", tags=["checks"])


@router.post("", response_model=CheckPublic, responses=response_examples("check", "check_fhir"))
async def create_check(
    body: Annotated[CheckRequest, Body(openapi_examples=request_examples("check", "check_fhir"))],
    runner: RunnerDep,
    database: DatabaseDep,
    caller: PrincipalDep,
) -> CheckPublic:
    """Check one note (text or FHIR DocumentReference) for a payer; store only if asked.

    With ``patient_key``, the note is also compared with the patient's stored prior
    authorizations, and each mismatch is a finding (verdict and risk recomputed).
    """
    text, note_id = note_text(body)
    return await check_request(
        body,
        text,
        note_id,
        runner=runner,
        database=database,
        principal=caller,
        request_id=current_request_id(),
    )


def _item_problem(request: Request, status: int, detail: str, code: str | None) -> Problem:
    return Problem(
        type=PROBLEM_BASE + "batch-item",
        title="Unprocessable Entity" if status == 422 else "Error",
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        request_id=current_request_id(),
    )


@router.post("/batch", response_model=CheckBatchPublic, responses=response_examples("check_batch"))
async def create_checks(
    request: Request,
    body: Annotated[CheckBatchRequest, Body(openapi_examples=request_examples("check_batch"))],
    settings: SettingsDep,
    runner: RunnerDep,
    database: DatabaseDep,
    caller: PrincipalDep,
) -> CheckBatchPublic:
    """Check up to the server's batch limit of notes; each item succeeds or fails alone."""
    if len(body.items) > settings.max_batch:
        raise ProblemError(
            422,
            f"The batch has {len(body.items)} items; the limit is {settings.max_batch}.",
            slug="batch-too-large",
        )
    items: list[BatchItemPublic] = []
    for index, item in enumerate(body.items):
        try:
            text, note_id = note_text(item)
            result = await check_request(
                item,
                text,
                note_id,
                runner=runner,
                database=database,
                principal=caller,
                request_id=current_request_id(),
            )
        except NoteInputError as exc:
            problem = _item_problem(request, 422, str(exc), exc.code)
            items.append(BatchItemPublic(index=index, error=problem))
        except FhirInputError as exc:
            problem = _item_problem(request, 422, str(exc), None)
            items.append(BatchItemPublic(index=index, error=problem))
        except ProblemError as exc:
            problem = _item_problem(request, exc.status, exc.detail, exc.code)
            items.append(BatchItemPublic(index=index, error=problem))
        else:
            items.append(BatchItemPublic(index=index, result=result))
    return CheckBatchPublic(items=items, count=len(items))
