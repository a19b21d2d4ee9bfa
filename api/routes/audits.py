"""Quality lead pages: draw a monthly mini-audit, read its report, charts and CSV.

The sample is stratified by provider and drawn from a recorded seed
(``assistant.audit.sampling``), so the same audit can be re-drawn and checked later. The
copied-documentation shares (every note of the month) have their chart and CSV beside the
sample's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import DatabaseDep, SettingsDep, require_role, require_role_on_form
from api.web.access import error_page
from api.web.rendering import render
from assistant.audit import AuditReport, build_report, new_seed, run_audit
from assistant.audit.charts import CHART_KINDS, render_chart
from assistant.audit.export import clones_csv, sample_csv, summary_csv
from assistant.batch.clones.text import default_settings
from assistant.errors import NothingToAudit
from assistant.store import Database, SignedIn, WorklistRepository, month_bounds

router = APIRouter(prefix="/audits", tags=["pages"])
ROLES = ("quality_lead", "admin")
# Who may open the audits (a form post also needs its CSRF token).
Auditor = Annotated[SignedIn, Depends(require_role(*ROLES))]
AuditorForm = Annotated[SignedIn, Depends(require_role_on_form(*ROLES))]
MAX_PER_PROVIDER = 200
# ``?table=`` of the CSV export: sampled notes, provider/family summary, copied documentation.
CSV_TABLES: dict[str, Callable[[AuditReport], str]] = {
    "sample": sample_csv,
    "summary": summary_csv,
    "clones": clones_csv,
}


def _previous_month(today: date) -> str:
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _audits(database: Database) -> list[Any]:
    with database.session() as session:
        return list(WorklistRepository(session).audits())


@router.get("", response_class=HTMLResponse)
async def audits_page(request: Request, database: DatabaseDep, user: Auditor) -> Response:
    """Past audits and the form to draw a new one."""
    audits = await run_in_threadpool(_audits, database)
    context = {
        "audits": audits,
        "errors": [],
        "form": {"month": _previous_month(date.today()), "per_provider": "10", "seed": ""},
    }
    return render(request, "audits.html", context, user=user, csrf=user.csrf_token)


def _create(database: Database, month: str, per_provider: int, seed: int, user: str) -> int | str:
    """The new audit's id, or why none was drawn (a month with no checked notes)."""
    with database.session() as session:
        try:
            return run_audit(WorklistRepository(session), month, per_provider, seed, user).id
        except NothingToAudit as exc:
            return str(exc)


@router.post("", response_class=HTMLResponse)
async def create_audit(
    request: Request,
    database: DatabaseDep,
    user: AuditorForm,
    month: Annotated[str, Form(max_length=7)],
    per_provider: Annotated[str, Form(max_length=5)],
    seed: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Draw the stratified sample for a month; a blank seed draws a new one (recorded)."""
    errors = []
    try:
        month_bounds(month)
    except ValueError as exc:
        errors.append(str(exc))
    size = int(per_provider) if per_provider.isdigit() else 0
    if not 1 <= size <= MAX_PER_PROVIDER:
        errors.append(f"the sample size per provider must be 1 to {MAX_PER_PROVIDER}")
    if seed and not (seed.isdigit() and int(seed) < 2**31):
        errors.append("the seed must be a whole number below 2147483648")
    if not errors:
        chosen_seed = int(seed) if seed else new_seed()
        created = await run_in_threadpool(_create, database, month, size, chosen_seed, user.name)
        if isinstance(created, int):
            return RedirectResponse(f"/audits/{created}", status_code=303)
        errors.append(created)
    audits = await run_in_threadpool(_audits, database)
    context = {
        "audits": audits,
        "errors": errors,
        "form": {"month": month, "per_provider": per_provider, "seed": seed},
    }
    return render(request, "audits.html", context, user=user, csrf=user.csrf_token, status_code=422)


def _report(database: Database, audit_id: int) -> AuditReport | None:
    with database.session() as session:
        repo = WorklistRepository(session)
        audit = repo.get_audit(audit_id)
        return build_report(repo, audit) if audit is not None else None


def _no_such_audit() -> Response:
    return Response("No such audit.", status_code=404, media_type="text/plain")


def _no_audit_page(request: Request) -> Response:
    return error_page(request, 404, "No such audit", "There is no audit with this number.")


@router.get("/{audit_id}", response_class=HTMLResponse)
async def audit_report(
    request: Request, database: DatabaseDep, settings: SettingsDep, user: Auditor, audit_id: int
) -> Response:
    """The printable report: per provider and family, trend, overrides, charts.

    On paper it is headed with the clinic, the month and when the sample was drawn.
    """
    report = await run_in_threadpool(_report, database, audit_id)
    if report is None:
        return _no_audit_page(request)
    return render(
        request,
        "audit.html",
        {
            "report": report,
            "chart_kinds": CHART_KINDS,
            "clinic": settings.clinic_name,
            "clone_window_days": default_settings().window_days,
        },
        user=user,
        csrf=user.csrf_token,
    )


@router.get("/{audit_id}/charts/{kind}.{fmt}", dependencies=[Depends(require_role(*ROLES))])
async def audit_chart(database: DatabaseDep, audit_id: int, kind: str, fmt: str) -> Response:
    """One chart of the report as PNG or SVG."""
    if kind not in CHART_KINDS or fmt not in ("png", "svg"):
        return Response("Unknown chart.", status_code=404, media_type="text/plain")
    report = await run_in_threadpool(_report, database, audit_id)
    if report is None:
        return _no_such_audit()
    body = await run_in_threadpool(render_chart, report, kind, fmt)  # type: ignore[arg-type]
    media = "image/png" if fmt == "png" else "image/svg+xml"
    return Response(body, media_type=media, headers={"Cache-Control": "no-store"})


@router.get("/{audit_id}/export.csv", dependencies=[Depends(require_role(*ROLES))])
async def audit_csv(database: DatabaseDep, audit_id: int, table: str = "sample") -> Response:
    """The sample (default), the per provider/family summary or the clone shares as CSV."""
    report = await run_in_threadpool(_report, database, audit_id)
    if report is None:
        return _no_such_audit()
    kind = table if table in CSV_TABLES else "sample"
    body = CSV_TABLES[kind](report)
    filename = f"audit-{report.audit_id}-{report.month}-{kind}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
