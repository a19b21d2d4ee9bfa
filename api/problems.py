"""RFC 9457 problem details (``application/problem+json``) and FHIR OperationOutcome errors.

Every error body carries the request id. Bodies never echo request input: validation errors
keep the location and message of each error but drop pydantic's ``input`` (it may be a note).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.requestid import current_request_id
from assistant.errors import ChartReadyError, Errors, NoteInputError, ReaderUnavailable

PROBLEM_JSON = "application/problem+json"
FHIR_JSON = "application/fhir+json"
PROBLEM_BASE = "https://chartready.invalid/problems/"
logger = logging.getLogger("chartready.api")


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, with ChartReady's stable ``code`` and the request id."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = Field(
        default=None, description="Stable ChartReady error code (catalogue: assistant/errors.py)"
    )
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.slug = slug
        self.headers = headers


def fhir_issue(diagnostics: str, expression: str, code: str = "invalid") -> OperationOutcomeIssue:
    """An error issue: what is wrong (never quoting the input) and where (FHIRPath-like)."""
    return OperationOutcomeIssue(
        severity="error", code=code, diagnostics=diagnostics, expression=[expression]
    )


class FhirInputError(Exception):
    """A FHIR resource in the request cannot be used; answered as an OperationOutcome."""

    def __init__(self, issues: list[OperationOutcomeIssue], status: int = 422) -> None:
        super().__init__("; ".join(issue.diagnostics or "" for issue in issues))
        self.issues = issues
        self.status = status


def operation_outcome(issues: list[OperationOutcomeIssue]) -> dict[str, Any]:
    """A FHIR R4 OperationOutcome resource for ``issues`` (R4B's model: the same resource)."""
    return OperationOutcome(issue=issues).model_dump(mode="json", exclude_none=True)


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    code: str | None = None,
    slug: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response for ``status``; ``slug`` names a documented problem type."""
    problem = Problem(
        type=PROBLEM_BASE + slug if slug else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        request_id=current_request_id(),
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def internal_error(request: Request) -> JSONResponse:
    """The 500 problem for an unexpected exception (``Errors.E000``); details are only logged."""
    return problem_response(request, 500, Errors.E000.format(), code=Errors.E000.code)


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    return [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            msg=str(error.get("msg", "invalid")),
            type=str(error.get("type", "value_error")),
        )
        for error in exc.errors()
    ]


def _is_fhir_error(errors: list[FieldError]) -> bool:
    return bool(errors) and all("document_reference" in error.loc for error in errors)


async def on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if _is_fhir_error(errors):
        issues = [
            fhir_issue(
                error.msg,
                ".".join(str(p) for p in error.loc if p not in ("body",)),
                "structure",
            )
            for error in errors
        ]
        return _outcome_response(issues, 422)
    return problem_response(
        request, 422, "The request does not match the schema.", slug="validation", errors=errors
    )


def _outcome_response(issues: list[OperationOutcomeIssue], status: int) -> JSONResponse:
    return JSONResponse(operation_outcome(issues), status_code=status, media_type=FHIR_JSON)


async def _on_fhir(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FhirInputError)
    return _outcome_response(exc.issues, exc.status)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request, exc.status, exc.detail, code=exc.code, slug=exc.slug, headers=exc.headers
    )


async def _on_note_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NoteInputError)
    return problem_response(request, 422, str(exc), code=exc.code, slug="note-input")


async def _on_reader_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReaderUnavailable)
    logger.warning("reader unavailable on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        503,
        f"{exc}. The check was not completed.",
        code=exc.code,
        slug="reader-unavailable",
        headers={"Retry-After": "5"},
    )


async def _on_chartready(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChartReadyError)
    logger.error("chartready error %s: %s", exc.code, type(exc).__name__)
    return problem_response(request, 500, Errors.E000.format(), code=exc.code)


# Documented problem types of plain HTTP errors (each status here means one thing).
HTTP_SLUGS = {413: "body-too-large"}


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    detail = exc.detail if isinstance(exc.detail, str) else None
    slug = HTTP_SLUGS.get(exc.status_code)
    return problem_response(request, exc.status_code, detail, slug=slug, headers=headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The exception type only: messages and tracebacks may quote note text.
    logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return internal_error(request)


def install_problem_handlers(app: FastAPI) -> None:
    """Register every error handler on ``app``."""
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(FhirInputError, _on_fhir)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(NoteInputError, _on_note_input)
    app.add_exception_handler(ReaderUnavailable, _on_reader_unavailable)
    app.add_exception_handler(ChartReadyError, _on_chartready)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, _on_unexpected)
