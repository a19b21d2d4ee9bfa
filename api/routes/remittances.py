"""``POST /v1/remittances`` (import one X12 835) and ``GET /v1/denials`` (the monthly report).

Callers authenticate as on every other store-backed API route (an API key, or a JWT when
configured). A refused file is a problem+json answer with the importer's code
(``Errors.E901`` malformed, ``Errors.E902`` not an 835 of version 5010) and, as extension
members, the segment and loop that broke it; it leaves no row in the store
(``api.remittances``). A file over ``CHARTREADY_MAX_REMITTANCE_BYTES`` (20 MB by default;
other routes keep ``CHARTREADY_MAX_BODY_BYTES``) is refused with 413 before it is read.
Bodies and logs never quote the file's content.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, PrincipalDep, SettingsDep
from api.problems import PROBLEM_JSON, Problem, ProblemError
from api.remittances import FileSummary, import_835, locate, month_report, upload_name
from api.requestid import current_request_id
from assistant.errors import NoRemittances, RemittanceFormatError
from assistant.remittances.categories import load_table
from assistant.remittances.report import to_csv, to_dict
from assistant.store import month_bounds

router = APIRouter(prefix="/v1", tags=["remittances"])
RAW_TYPES = ("application/edi-x12", "text/plain")
MULTIPART = "multipart/form-data"
MONTH_PATTERN = r"^\d{4}-\d{2}$"
_BINARY = {"type": "string", "format": "binary"}
# ``application/edi-x12`` is accepted but described in words only: OpenAPI tools (the
# schemathesis suite among them) have no serializer for it and would skip or fail the route.
REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "One X12 835 (005010X221A1) file: the raw body as `application/edi-x12` or "
            "`text/plain`, or the multipart form field `file`."
        ),
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {"file": _BINARY},
                    "required": ["file"],
                }
            },
        },
    }
}


class RemittanceOutcomes(BaseModel):
    """Service lines of the file by outcome."""

    paid: int
    partially_paid: int
    denied: int
    patient_responsibility: int
    reversed: int


_IMPORT_EXAMPLE: dict[str, Any] = {
    "filename": "era-2024-01.835",
    "file_id": 7,
    "already_imported": False,
    "claims": 12,
    "lines": 13,
    "matched_claims": 9,
    "unmatched_claims": 3,
    "matched_lines": 10,
    "unmatched_lines": 3,
    "outcomes": {
        "paid": 3,
        "partially_paid": 0,
        "denied": 8,
        "patient_responsibility": 1,
        "reversed": 1,
    },
    "paid_cents": 164000,
    "denied_cents": 370000,
    "months": ["2024-01"],
    "category_table_version": 1,
}


class RemittanceImportPublic(BaseModel):
    """What one 835 file added: claims, lines by outcome, matches to checked charts, dollars.

    ``already_imported`` is true when the same file (by SHA-256) was imported before; the
    counts are then those of that import and nothing was added.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_IMPORT_EXAMPLE]})

    filename: str
    file_id: int
    already_imported: bool
    claims: int
    lines: int
    matched_claims: int = Field(description="Claims matched to a checked chart.")
    unmatched_claims: int
    matched_lines: int
    unmatched_lines: int = Field(description="Lines whose claim matched no checked chart.")
    outcomes: RemittanceOutcomes
    paid_cents: int = Field(description="Paid on the file's claims (reversals excluded).")
    denied_cents: int
    months: list[str] = Field(description="Months (YYYY-MM) of the lines' dates of service.")
    category_table_version: int


class RemittanceProblem(Problem):
    """A refused 835: the importer's code, and where the file breaks the 5010 guide."""

    segment: str | None = None
    loop: str | None = None
    line: int | None = None


_RATES = {
    "key": "all",
    "lines": 12,
    "denied_lines": 8,
    "denied_cents": 370000,
    "claims": 10,
    "first_pass_paid": 2,
    "denial_rate": 0.6667,
    "first_pass_rate": 0.2,
}
_DENIALS_EXAMPLE = {
    "month": "2024-01",
    "category_table_version": 1,
    "overall": _RATES,
    "by_payer": [{**_RATES, "key": "SYNTHETIC HEALTH PLAN"}],
    "by_provider": [{**_RATES, "key": "dr-a"}],
    "by_family": [{**_RATES, "key": "esi"}],
    "top_reasons": [
        {
            "reason": "CO-50",
            "category": "medical_necessity",
            "label": "Medical necessity",
            "lines": 1,
            "denied_cents": 50000,
        }
    ],
    "prevention": {
        "denied": 8,
        "flagged": 5,
        "flagged_overridden": 1,
        "not_flagged": 2,
        "unmatched": 1,
    },
    "trend": [{**_RATES, "key": "2024-01"}],
    "denied_lines": [
        {
            "claim_id": 3,
            "line_number": 1,
            "note_id": "SYN-0003",
            "payer": "SYNTHETIC HEALTH PLAN",
            "provider": "dr-a",
            "family": "esi",
            "date_of_service": "2024-01-10",
            "procedure": "64493",
            "modifiers": [],
            "kind": "original",
            "superseded": False,
            "outcome": "denied",
            "category": "medical_necessity",
            "reason": "CO-50",
            "billed_cents": 50000,
            "paid_cents": 0,
            "denied_cents": 50000,
            "match": "worklist",
            "flagged": True,
            "flagged_rules": ["ESI-003"],
            "overrides": [],
            "overridden": False,
        }
    ],
}
_DENIALS_SCHEMA = {
    "type": "object",
    "required": ["month", "overall", "top_reasons", "prevention", "denied_lines"],
}


def public(summary: FileSummary) -> RemittanceImportPublic:
    """The API shape of an import summary."""
    return RemittanceImportPublic(
        filename=summary.filename,
        file_id=summary.file_id,
        already_imported=summary.already_imported,
        claims=summary.claims,
        lines=summary.lines,
        matched_claims=summary.matched_claims,
        unmatched_claims=summary.unmatched_claims,
        matched_lines=summary.matched_lines,
        unmatched_lines=summary.unmatched_lines,
        outcomes=RemittanceOutcomes(**summary.outcomes),
        paid_cents=summary.paid_cents,
        denied_cents=summary.denied_cents,
        months=list(summary.months),
        category_table_version=load_table().version,
    )


def format_problem(request: Request, exc: RemittanceFormatError) -> JSONResponse:
    """422 problem+json for a refused file, with its code, segment, loop and line."""
    where = locate(exc)
    problem = RemittanceProblem(
        type="https://chartready.invalid/problems/remittance-format",
        title="Unprocessable Entity",
        status=422,
        detail=str(exc),
        instance=request.url.path,
        code=exc.code,
        request_id=current_request_id(),
        segment=where.segment,
        loop=where.loop,
        line=where.line,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True), status_code=422, media_type=PROBLEM_JSON
    )


async def read_upload(request: Request, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and name, from a raw body or the multipart form field ``file``."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media in RAW_TYPES:
        return await request.body(), upload_name(filename)
    if media != MULTIPART:
        accepted = ", ".join((*RAW_TYPES, MULTIPART))
        raise ProblemError(415, f"Send the 835 file as {accepted}.", slug="unsupported-media-type")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ProblemError(
                422, "Send the 835 file in the form field 'file'.", slug="remittance-upload"
            )
        return await upload.read(), upload_name(filename or upload.filename)


@router.post(
    "/remittances",
    status_code=201,
    response_model=RemittanceImportPublic,
    openapi_extra=REQUEST_BODY,
    responses={
        200: {"model": RemittanceImportPublic, "description": "Imported before; nothing added."},
        413: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": "The file is larger than CHARTREADY_MAX_REMITTANCE_BYTES (20 MB).",
        },
        415: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Not an upload."},
        422: {
            "model": RemittanceProblem,
            "content": {PROBLEM_JSON: {}},
            "description": "Not an 835 of version 005010X221A1, or malformed.",
        },
    },
)
async def import_remittance(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    caller: PrincipalDep,
    filename: Annotated[
        str | None, Query(max_length=255, description="The file's name, for a raw body.")
    ] = None,
) -> RemittanceImportPublic | JSONResponse:
    """Validate and import one 835 file, all of it or nothing; a repeated file is skipped."""
    data, name = await read_upload(request, filename)
    user, limit = f"api:{caller.name}", settings.max_remittance_bytes
    try:
        summary = await run_in_threadpool(import_835, database, data, name, user, limit)
    except RemittanceFormatError as exc:
        return format_problem(request, exc)
    if summary.already_imported:
        response.status_code = 200
    return public(summary)


def _month(month: str) -> str:
    try:
        month_bounds(month)
    except ValueError:
        raise ProblemError(
            422, f"The month must be YYYY-MM (a real month), got {month!r}.", slug="validation"
        ) from None
    return month


@router.get(
    "/denials",
    response_class=Response,
    responses={
        200: {
            "description": "The report: JSON, or CSV with one row per denied line.",
            "content": {
                "application/json": {"schema": _DENIALS_SCHEMA, "example": _DENIALS_EXAMPLE},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        404: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Empty month."},
    },
)
async def denial_report(
    database: DatabaseDep,
    _caller: PrincipalDep,
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="Dates of service, YYYY-MM.")],
    fmt: Annotated[
        Literal["json", "csv"], Query(alias="format", description="Output format.")
    ] = "json",
) -> Response:
    """Denial and first-pass rates, top reasons, and what ChartReady flagged before billing."""
    try:
        report = await run_in_threadpool(month_report, database, _month(month))
    except NoRemittances as exc:
        raise ProblemError(404, str(exc), code=exc.code, slug="no-remittances") from None
    if fmt == "csv":
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="denials-{month}.csv"'},
        )
    return JSONResponse(to_dict(report))
