"""Quality lead pages: upload an 835 remittance file, read the monthly denial report.

The upload is imported whole or not at all (``api.remittances``); its result and its
refusals are told in plain words, with the segment and loop where a file breaks the 5010
guide. A file over ``CHARTREADY_MAX_REMITTANCE_BYTES`` is refused before the route runs
(``api.remittances.upload_limits``). The report page shows the report the CLI writes as HTML
(``assistant.remittances.report.to_html``) inside the site's layout, with a month picker
and the CSV download.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from api.deps import DatabaseDep, SettingsDep, require_role, require_role_on_form
from api.remittances import (
    FileSummary,
    FormatProblem,
    file_summary,
    latest_month,
    locate,
    month_report,
    recent_files,
    too_large_message,
    upload_name,
)
from api.web.access import error_page
from api.web.rendering import render
from assistant.errors import NoRemittances, RemittanceFormatError
from assistant.remittances.importer import import_bytes
from assistant.remittances.report import DenialReport, previous_months, to_csv, to_html
from assistant.store import Database, RemittanceFile, SignedIn, month_name

logger = logging.getLogger("chartready.remittances")
router = APIRouter(tags=["pages"])
# The same people as the audits: quality leads and administrators.
ROLES = ("quality_lead", "admin")
Reviewer = Annotated[SignedIn, Depends(require_role(*ROLES))]
ReviewerForm = Annotated[SignedIn, Depends(require_role_on_form(*ROLES))]
# The navigation in base.html shows "Denials" to these roles.
OUTCOME_WORDS = (
    ("paid", "paid"),
    ("denied", "denied"),
    ("partially_paid", "partly paid"),
    ("patient_responsibility", "left to the patient"),
    ("reversed", "reversed by the payer"),
)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def summary_words(summary: FileSummary) -> str:
    """``12 claims, 30 lines: 24 paid, 4 denied, 2 partly paid; 3 lines did not match ...``."""
    outcomes = [
        f"{summary.outcomes[key]} {words}"
        for key, words in OUTCOME_WORDS
        if summary.outcomes.get(key)
    ]
    head = f"{_count(summary.claims, 'claim')}, {_count(summary.lines, 'line')}"
    if outcomes:
        head += ": " + ", ".join(outcomes)
    if not summary.lines:
        return head + "."
    if not summary.unmatched_lines:
        return head + "; every line matched a checked chart."
    return f"{head}; {_count(summary.unmatched_lines, 'line')} did not match a checked chart."


def problem_words(problem: FormatProblem, max_bytes: int) -> str:
    """Why a file was refused, for a person, with the segment and loop where it breaks.

    ``max_bytes`` is the upload limit, named when the file is over it.
    """
    if problem.kind == "not_text":
        return (
            "This file is not text (it may be a PDF, a spreadsheet, an image or a zip "
            "archive), so it cannot be an 835 remittance file."
        )
    if problem.kind == "too_large":
        return too_large_message(max_bytes)
    if problem.kind == "not_x12":
        return (
            "This is not an X12 835 remittance file: it does not begin with the ISA "
            f"interchange header (segment {problem.segment}, loop {problem.loop}, line 1)."
        )
    if problem.kind == "wrong_version":
        return (
            "This file is X12, but not an 835 remittance of version 005010X221A1, the only "
            f"kind ChartReady reads: segment {problem.segment} (element {problem.element}, "
            f"loop {problem.loop}) gives {problem.detail}."
        )
    return (
        "This 835 file breaks the 5010 rules at segment "
        f"{problem.segment} in loop {problem.loop}, line {problem.line}: {problem.detail}. "
        "Ask the payer or clearinghouse for a corrected file."
    )


def _stored_summary(database: Database, file_id: int, again: bool) -> FileSummary | None:
    with database.session() as session:
        row = session.get(RemittanceFile, file_id)
        if row is None:
            return None
        return file_summary(session, file_id, row.filename, again=again)


async def _import_page(
    request: Request,
    user: SignedIn,
    database: Database,
    *,
    summary: FileSummary | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The upload page with a result or a refusal, and the files imported last."""
    files = await run_in_threadpool(recent_files, database)
    context = {
        "summary": summary,
        "summary_words": summary_words(summary) if summary else None,
        "months": [(m, month_name(m)) for m in summary.months] if summary else [],
        "error": error,
        "files": files,
    }
    return render(
        request,
        "remittances.html",
        context,
        user=user,
        csrf=user.csrf_token,
        status_code=status_code,
    )


@router.get("/remittances", response_class=HTMLResponse)
async def remittances_page(
    request: Request,
    database: DatabaseDep,
    user: Reviewer,
    imported: Annotated[int | None, Query(ge=1)] = None,
    again: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The 835 upload form, the result of the last upload, and the files imported last."""
    summary = None
    if imported is not None:
        summary = await run_in_threadpool(_stored_summary, database, imported, bool(again))
    return await _import_page(request, user, database, summary=summary)


@router.post("/remittances", response_class=HTMLResponse)
async def upload_remittance(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    user: ReviewerForm,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import one uploaded 835 (all of it or nothing), then show what it added."""
    name, limit = upload_name(file.filename), settings.max_remittance_bytes
    data = await file.read(limit + 1)
    try:
        imported = await run_in_threadpool(import_bytes, database, data, name, user.name, limit)
    except RemittanceFormatError as exc:
        problem = locate(exc)
        # The code and the place only: the file's name may be anything.
        logger.info("835 upload refused: %s %s/%s", exc.code, problem.segment, problem.loop)
        words = problem_words(problem, limit)
        return await _import_page(request, user, database, error=words, status_code=422)
    again = "&again=1" if imported.already_imported else ""
    return RedirectResponse(f"/remittances?imported={imported.file_id}{again}", status_code=303)


def _report(database: Database, month: str) -> DenialReport | None:
    try:
        return month_report(database, month)
    except NoRemittances:
        return None


def report_markup(report: DenialReport) -> Markup:
    """The body of the report's own HTML page (autoescaped there), for the site layout."""
    page = to_html(report)
    body = page.partition("<body>")[2].rpartition("</body>")[0]
    return Markup(body)  # to_html rendered it with autoescaping on


def _bad_month(request: Request, user: SignedIn, month: str) -> Response | None:
    """A page in words when ``month`` is not ``YYYY-MM``, else ``None``."""
    try:
        month_name(month)
    except ValueError:
        return error_page(
            request, 422, "Month not understood", "Pick a month as YYYY-MM, such as 2024-01.", user
        )
    return None


@router.get("/denials", response_class=HTMLResponse)
async def denials_page(
    request: Request,
    database: DatabaseDep,
    user: Reviewer,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    """The monthly denial report (latest month with data by default), with its CSV."""
    chosen = month or await run_in_threadpool(latest_month, database)
    chosen = chosen or previous_months(date.today().strftime("%Y-%m"), 2)[0]
    if (refused := _bad_month(request, user, chosen)) is not None:
        return refused
    report = await run_in_threadpool(_report, database, chosen)
    context = {
        "month": chosen,
        "month_label": month_name(chosen),
        "report_html": report_markup(report) if report else None,
    }
    return render(request, "denials.html", context, user=user, csrf=user.csrf_token)


@router.get("/denials/export.csv")
async def denials_csv(
    request: Request,
    database: DatabaseDep,
    user: Reviewer,
    month: Annotated[str, Query(max_length=7)],
) -> Response:
    """The month's denied lines as CSV (one row per line, as ``chartready denials report``)."""
    if (refused := _bad_month(request, user, month)) is not None:
        return refused
    report = await run_in_threadpool(_report, database, month)
    if report is None:
        message = f"No remittance lines with a date of service in {month_name(month)}."
        return error_page(request, 404, "Nothing to download", message, user)
    return Response(
        to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="denials-{month}.csv"',
            "Cache-Control": "no-store",
        },
    )
