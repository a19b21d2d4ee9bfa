"""The ASGI app (``api.main:app``): routers, middleware, error handlers and the lifespan.

The lifespan opens the store, starts the reader processes and runs the worklist loop
(:func:`assistant.store.check_queue`) on the event loop, its checks in the reader processes,
compares new worklist notes for clones (:func:`assistant.batch.clones.worklist.scan_forever`),
and deletes expired web sessions and old failed sign-ins on a schedule
(``housekeeping_seconds``), with stored checks and worklist notes past ``retention_days``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.authorizations import review_with_authorizations
from api.limits import BodySizeLimitMiddleware
from api.problems import Problem, install_problem_handlers
from api.remittances import upload_limits
from api.requestid import RequestIdMiddleware, configure_logging
from api.routes import (
    cds_hooks,
    checklists,
    checks,
    extract,
    health,
    pages,
    preauth,
    preauth_pages,
    remittances,
)
from api.runner import PipelineRunner, default_reader_processes
from api.settings import Settings, get_settings
from api.web.access import install_access_handlers
from assistant import __version__
from assistant.batch.clones.worklist import scan_forever
from assistant.pipeline import check_note_json
from assistant.store import (
    Database,
    WorklistItem,
    WorklistQueue,
    check_queue,
    housekeeping_forever,
    worklist_check_args,
)

logger = logging.getLogger("chartready.api")

_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": text}
    for status, text in (
        (401, "Missing, unknown or revoked credentials."),
        (413, "The request body is too large."),
        (422, "Invalid input (problem+json, or FHIR OperationOutcome for FHIR input)."),
    )
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        database.create_tables()
        app.state.database = database
        runner: PipelineRunner = app.state.runner
        queue = WorklistQueue(database)
        wake = asyncio.Event()
        app.state.worklist_wake = wake
        clone_wake = asyncio.Event()
        app.state.clone_wake = clone_wake

        async def check(item: WorklistItem) -> dict[str, Any]:
            args = worklist_check_args(item)
            result = await runner.run(check_note_json, *args, weight=len(item.note_text))
            # A patient's stored authorization is compared here, beside the store, so the
            # checks engine never reads it.
            return await asyncio.to_thread(review_with_authorizations, database, item, result)

        worklist: asyncio.Task[int] | None = None
        purge: asyncio.Task[None] | None = None
        clones: asyncio.Task[None] | None = None
        try:
            await runner.start(warm=settings.warm_up)
            logger.info("reader ready (%s)", runner.status())
            await asyncio.to_thread(queue.recover)
            worklist = asyncio.create_task(check_queue(queue, check, wake=wake))
            clones = asyncio.create_task(scan_forever(database, wake=clone_wake))
            purge = asyncio.create_task(
                housekeeping_forever(
                    database, settings.housekeeping_seconds, settings.retention_days
                )
            )
            yield
        finally:
            for task in (worklist, purge, clones):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await runner.close()
            database.dispose()

    app = FastAPI(
        title="ChartReady",
        version=__version__,
        summary="Documentation readiness for interventional pain management notes.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    processes = settings.reader_processes
    app.state.runner = PipelineRunner(
        default_reader_processes() if processes is None else processes
    )
    install_problem_handlers(app)
    install_access_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        routes=upload_limits(settings.max_remittance_bytes),  # 835 files run to megabytes
    )
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    for module in (extract, checks, checklists, remittances, preauth):
        app.include_router(module.router, responses=_ERROR_RESPONSES)
    app.include_router(cds_hooks.router, responses=_ERROR_RESPONSES)
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(preauth_pages.router, include_in_schema=False)
    return app


app = create_app()
