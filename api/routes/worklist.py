"""Coder worklist pages: import a batch, watch it being checked, review, query, override.

Items wait in the persisted ``WorklistQueue`` and are checked in the background by the app's
``check_queue`` loop (``assistant.store.worklist_queue``); the list is sorted by denial risk
x charge. Overriding a finding needs a reason and is kept with who and when; the item's
verdict, risk and place in the list are then recomputed without the overridden findings (the
result as checked stays stored and shown). ``WorklistRepository.override_labels`` exports
overrides for retraining. The list's filters and sort travel with the coder to an item and
back (:class:`ListView`); a change is confirmed on the page it redirects to (``?done=``). An
item that could not be checked is explained in plain words (``api.web.failures``) and can be
put back in the queue with "Retry". A note that repeats another stored note is marked
"possible clone" with the notes it matches (``assistant.batch.clones.worklist`` compares
them in the background; the flags are read from the store).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.deps import DatabaseDep, require_role, require_role_on_form
from api.fhir import note_from_document_reference
from api.problems import FhirInputError
from api.web.access import NotAllowed, error_page
from api.web.clones import copied_passage
from api.web.rendering import group_findings, highlight_segments, render, top_factors
from assistant.checks.claims import parse_claim
from assistant.pipeline import CheckResult, without_findings
from assistant.store import (
    REVIEW_STATUSES,
    BatchImportError,
    CloneRepository,
    Database,
    SignedIn,
    WorklistFilter,
    WorklistRepository,
    parse_batch,
)
from assistant.store.importing import ImportRow
from assistant.store.models import WorklistItem
from assistant.store.worklist_queue import WorklistQueue, summarise

logger = logging.getLogger("chartready.worklist")
router = APIRouter(prefix="/worklist", tags=["pages"])
VIEW_ROLES = ("coder", "quality_lead", "admin")
EDIT_ROLES = ("coder", "admin")
MAX_UPLOAD_BYTES = 20_000_000
# Who may open the worklist, and who may change it (a form post also needs its CSRF token).
Viewer = Annotated[SignedIn, Depends(require_role(*VIEW_ROLES))]
Staff = Annotated[SignedIn, Depends(require_role())]
Editor = Annotated[SignedIn, Depends(require_role(*EDIT_ROLES))]
EditorForm = Annotated[SignedIn, Depends(require_role_on_form(*EDIT_ROLES))]
STATUS_LABELS = {
    "to_review": "To review",
    "queried": "Queried",
    "fixed": "Fixed",
    "ready_to_bill": "Ready to bill",
}
# Items waiting for the coder ("queried" waits for the provider; "ready to bill" is done).
OPEN_STATUSES = ("to_review", "fixed")
OVERRIDE_DONE = (
    "Override recorded. The verdict and risk below are recomputed without the overridden "
    "finding; the result as checked is kept."
)
RETRY_DONE = "Queued to be checked again. Reload in a moment to see the result."
PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class ListView:
    """The queue's filters and sort, carried from the list to its items and back.

    Item links, the item's forms and their redirects keep it in the query string, so "Next
    item" follows the order the coder is working in and "← Worklist" returns to that list.
    """

    provider: str = ""
    family: str = ""
    payer: str = ""
    verdict: str = ""
    status: str = ""
    batch: int | None = None
    sort: str = "priority"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def page_number(self) -> int:
        """The page asked for, at least 1."""
        return max(self.page, 1)

    @property
    def page_size(self) -> int:
        """Items per page, between 1 and ``MAX_PER_PAGE``."""
        return min(max(self.per_page, 1), MAX_PER_PAGE)

    @property
    def filters(self) -> WorklistFilter:
        """The repository filter of this view (an empty value means any)."""
        return WorklistFilter(
            provider=self.provider or None,
            family=self.family or None,
            payer=self.payer or None,
            verdict=self.verdict or None,
            review_status=self.status or None,
            batch_id=self.batch,
        )

    def url(self, path: str, **extra: str) -> str:
        """``path`` with this view (defaults left out) and ``extra`` as its query string."""
        defaults = asdict(ListView())
        values = {k: v for k, v in asdict(self).items() if v not in ("", None, defaults[k])}
        query = urlencode({**values, **extra})
        return f"{path}?{query}" if query else path

    def changed(self, **changes: Any) -> ListView:
        """This view with ``changes`` (``batch=None`` drops the batch filter), on page 1.

        A link that changes the filter or the sort starts again at the first page; a page
        link passes ``page`` itself.
        """
        return replace(self, **{"page": 1, **changes})


View = Annotated[ListView, Depends()]


def _document_text(resource: dict[str, Any]) -> str:
    try:
        return note_from_document_reference(resource)[0]
    except FhirInputError as exc:
        raise ValueError(str(exc)) from None


def _list(database: Database, view: ListView) -> dict[str, Any]:
    with database.session() as session:
        repo = WorklistRepository(session)
        batches = repo.batches(limit=10)
        size = view.page_size
        offset = (view.page_number - 1) * size
        items = list(repo.queue(view.filters, view.sort, limit=size, offset=offset))
        return {
            "items": items,
            "clones": CloneRepository(session).matches_for([item.id for item in items]),
            "total": repo.count(view.filters),
            "first": offset + 1,
            "facets": repo.facets(),
            "batches": [(batch, repo.progress(batch.id)) for batch in batches],
            "batch": repo.get_batch(view.batch) if view.batch is not None else None,
        }


@router.get("", response_class=HTMLResponse)
async def worklist(request: Request, database: DatabaseDep, user: Viewer, view: View) -> Response:
    """The queue, highest risk x charge first, a page at a time, with filters and progress.

    The batch filter shows as a chip that removes it; page and sort links keep every filter.
    """
    data = await run_in_threadpool(_list, database, view)
    return render(
        request,
        "worklist.html",
        {
            **data,
            "filters": view.filters,
            "sort": view.sort,
            "view": view,
            "default_per_page": PER_PAGE,
            "statuses": STATUS_LABELS,
            "can_edit": user.role in EDIT_ROLES,
        },
        user=user,
        csrf=user.csrf_token,
    )


@router.get("/import", response_class=HTMLResponse)
async def import_form(request: Request, user: Editor) -> Response:
    """The batch upload form."""
    return render(request, "import.html", {"errors": []}, user=user, csrf=user.csrf_token)


def _import(database: Database, name: str, rows: list[ImportRow], user: SignedIn) -> int:
    with database.session() as session:
        return WorklistRepository(session).import_batch(name, rows, user.name).id


@router.post("/import", response_class=HTMLResponse)
async def import_batch(
    request: Request,
    database: DatabaseDep,
    user: EditorForm,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Validate and store a CSV/JSONL batch (all rows or none); checking starts at once."""
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    name = file.filename or "batch"
    try:
        if len(raw) > MAX_UPLOAD_BYTES:
            raise BatchImportError([f"the file is larger than {MAX_UPLOAD_BYTES} bytes"])
        media_type = file.content_type or ""
        rows = await run_in_threadpool(parse_batch, raw, name, _document_text, media_type)
    except BatchImportError as exc:
        # Counts and codes only: the problems may name note ids and payers.
        logger.info("worklist import refused: %d problems %s", len(exc.errors), exc.codes)
        return render(
            request,
            "import.html",
            {"errors": exc.errors[:50]},
            user=user,
            csrf=user.csrf_token,
            status_code=422,
        )
    batch_id = await run_in_threadpool(_import, database, name, rows, user)
    _wake_checker(request)
    return RedirectResponse(f"/worklist?batch={batch_id}", status_code=303)


def _wake_checker(request: Request) -> None:
    """Have the background checker and clone scan look now rather than at their next poll."""
    for name in ("worklist_wake", "clone_wake"):
        wake: asyncio.Event | None = getattr(request.app.state, name, None)
        if wake is not None:
            wake.set()


def _progress(database: Database, batch_id: int) -> dict[str, Any]:
    with database.session() as session:
        progress = WorklistRepository(session).progress(batch_id)
    return {
        "batch_id": batch_id,
        "total": progress.total,
        "done": progress.done,
        "failed": progress.failed,
        "finished": progress.finished,
    }


@router.get("/batches/{batch_id}/progress", dependencies=[Depends(require_role(*VIEW_ROLES))])
async def batch_progress(database: DatabaseDep, batch_id: int) -> Response:
    """How many items of a batch are checked (polled by the page script)."""
    return JSONResponse(await run_in_threadpool(_progress, database, batch_id))


def next_open(items: Sequence[WorklistItem], current: int) -> WorklistItem | None:
    """The first open item (``OPEN_STATUSES``) after ``current`` in the list's order.

    When ``current`` has left the list (its new status no longer matches the filter), the
    search starts from the top.
    """
    ids = [item.id for item in items]
    start = ids.index(current) + 1 if current in ids else 0
    return next((item for item in items[start:] if item.review_status in OPEN_STATUSES), None)


def done_message(done: str, item: WorklistItem) -> str | None:
    """The confirmation of a change just saved (``?done=`` on the redirect), else ``None``."""
    if done == "status":
        return f"Status changed to {STATUS_LABELS.get(item.review_status, item.review_status)}."
    if done == "override":
        return OVERRIDE_DONE
    if done == "retry":
        return RETRY_DONE
    return None


def _saved_by(database: Database, item_id: int, user: str) -> bool:
    with database.session() as session:
        repo = WorklistRepository(session)
        item = repo.get(item_id)
        return item is not None and repo.saved_by(item, user)


async def item_reader(request: Request, database: DatabaseDep, user: Staff) -> SignedIn:
    """Worklist staff; or another signed-in user opening an item they saved themselves.

    A provider may open the checks they saved from the pre-sign page. Decided from the raw
    address before it is validated, so a refusal never depends on what was asked for.
    """
    if user.role in VIEW_ROLES:
        return user
    raw = str(request.path_params.get("item_id", ""))
    if not raw.isdigit() or not await run_in_threadpool(_saved_by, database, int(raw), user.name):
        raise NotAllowed(user, f"Your role ({user.role}) cannot open this page.")
    return user


ItemReader = Annotated[SignedIn, Depends(item_reader)]


def _item(
    database: Database, item_id: int, view: ListView, user: SignedIn
) -> dict[str, Any] | None:
    """The item page's data; ``None`` when there is no such item.

    Staff outside the worklist roles (opening what they saved) get no "next item": they
    have no list to work in.
    """
    with database.session() as session:
        repo = WorklistRepository(session)
        item = repo.get(item_id)
        in_worklist = user.role in VIEW_ROLES
        if item is None:
            return None
        following = next_open(repo.queue(view.filters, view.sort), item.id) if in_worklist else None
        # Clone flags name other providers' notes: for worklist staff only.
        found = CloneRepository(session).matches_for([item.id]) if in_worklist else {}
        clones = found.get(item.id, [])
        return {
            "item": item,
            "clones": [(match, copied_passage(match, item.note_text)) for match in clones],
            "overrides": list(repo.overrides_for([item.id])),
            "next_item": following,
            "in_worklist": in_worklist,
        }


@router.get("/items/{item_id}", response_class=HTMLResponse)
async def item_page(
    request: Request,
    database: DatabaseDep,
    user: ItemReader,
    item_id: int,
    view: View,
    done: Annotated[str, Query(max_length=20)] = "",
    error: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """One item: the note with evidence highlighted, findings, status, overrides, next item.

    Worklist staff open any item; a provider opens the checks they saved.
    """
    data = await run_in_threadpool(_item, database, item_id, view, user)
    if data is None:
        return _no_such_item(request)
    item = data["item"]
    result = item.result or {}
    findings = result.get("findings", [])
    overridden = {o.rule_id for o in data["overrides"]}
    after = await run_in_threadpool(after_overrides, item, overridden)
    checked = after or (CheckResult.model_validate(result) if result else None)
    shown = checked.to_json_dict() if checked is not None else result
    return render(
        request,
        "item.html",
        {
            **data,
            "segments": highlight_segments(
                item.note_text, (result.get("facts") or {}).get("evidence", [])
            ),
            "groups": group_findings(findings),
            "factors": top_factors(checked.risk, checked.findings) if checked else [],
            "shown": shown,
            "overridden": overridden,
            "statuses": STATUS_LABELS,
            "can_edit": user.role in EDIT_ROLES,
            "error": error,
            "done": done_message(done, item),
            "view": view,
        },
        user=user,
        csrf=user.csrf_token,
    )


def _set_status(database: Database, item_id: int, status: str) -> bool:
    with database.session() as session:
        repo = WorklistRepository(session)
        item = repo.get(item_id)
        if item is None:
            return False
        repo.set_review_status(item, status)
        return True


@router.post("/items/{item_id}/status", dependencies=[Depends(require_role_on_form(*EDIT_ROLES))])
async def set_status(
    request: Request,
    database: DatabaseDep,
    item_id: int,
    view: View,
    status: Annotated[str, Form(max_length=20)],
) -> Response:
    """Move an item to to-review, queried, fixed or ready-to-bill; the page confirms it."""
    if status not in REVIEW_STATUSES:
        return error_page(request, 422, "Unknown status", f"{status!r} is not a review status.")
    if not await run_in_threadpool(_set_status, database, item_id, status):
        return _no_such_item(request)
    return RedirectResponse(view.url(f"/worklist/items/{item_id}", done="status"), 303)


def _no_such_item(request: Request) -> Response:
    return error_page(
        request,
        404,
        "No such item",
        "There is no worklist item with this number. Go back to the worklist.",
    )


def after_overrides(item: WorklistItem, overridden: set[str]) -> CheckResult | None:
    """The item's check without its overridden findings (``None`` when nothing is overridden)."""
    if not overridden or not item.result:
        return None
    claim = parse_claim(item.claim, f"item {item.id} claim") if item.claim else None
    return without_findings(CheckResult.model_validate(item.result), overridden, claim)


def _override(database: Database, item_id: int, rule_id: str, reason: str, user: str) -> str:
    with database.session() as session:
        repo = WorklistRepository(session)
        item = repo.get(item_id)
        if item is None:
            return "missing"
        try:
            repo.add_override(item, rule_id, reason, user)
        except ValueError as exc:
            return str(exc)
        overridden = {o.rule_id for o in repo.overrides_for([item.id])}
        after = after_overrides(item, overridden)
        if after is not None:
            repo.set_columns(item, summarise(after.to_json_dict(), item.charge_total))
        return ""


@router.post("/items/{item_id}/overrides")
async def add_override(
    request: Request,
    database: DatabaseDep,
    user: EditorForm,
    item_id: int,
    view: View,
    rule_id: Annotated[str, Form(max_length=50)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Override one finding; a reason is required and who/when/why is recorded."""
    problem = await run_in_threadpool(_override, database, item_id, rule_id, reason, user.name)
    if problem == "missing":
        return _no_such_item(request)
    page = f"/worklist/items/{item_id}"
    if problem:
        return RedirectResponse(view.url(page, error=problem[:300]), status_code=303)
    return RedirectResponse(view.url(page, done="override") + "#overrides", status_code=303)


def _retry(database: Database, item_id: int) -> str:
    """Re-queue a failed item: ``""`` when done, ``"missing"``, or why it was not."""
    if WorklistQueue(database).retry(item_id):
        return ""
    with database.session() as session:
        if WorklistRepository(session).get(item_id) is None:
            return "missing"
    return "Only a note that could not be checked can be retried."


@router.post("/items/{item_id}/retry", dependencies=[Depends(require_role_on_form(*EDIT_ROLES))])
async def retry_item(request: Request, database: DatabaseDep, item_id: int, view: View) -> Response:
    """Put an item that could not be checked back in the queue and wake the checker."""
    problem = await run_in_threadpool(_retry, database, item_id)
    if problem == "missing":
        return _no_such_item(request)
    page = f"/worklist/items/{item_id}"
    if problem:
        return RedirectResponse(view.url(page, error=problem), status_code=303)
    _wake_checker(request)
    return RedirectResponse(view.url(page, done="retry"), status_code=303)
