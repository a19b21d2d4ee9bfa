"""The ASGI app (``api.main:app``): routers, middleware, error handlers and warm-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.limits import BodySizeLimitMiddleware
from api.problems import Problem, install_problem_handlers
from api.requestid import RequestIdMiddleware, configure_logging
from api.routes import cds_hooks, checklists, checks, extract, health, pages
from api.runner import ReaderRunner, default_reader_processes
from api.settings import Settings, get_settings
from assistant import __version__
from assistant.store import Database

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
        runner: ReaderRunner = app.state.runner
        try:
            await runner.start(warm=settings.warm_up)
            logger.info("reader ready (%s)", runner.status())
            yield
        finally:
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
    app.state.runner = ReaderRunner(default_reader_processes() if processes is None else processes)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    for module in (extract, checks, checklists):
        app.include_router(module.router, responses=_ERROR_RESPONSES)
    app.include_router(cds_hooks.router, responses=_ERROR_RESPONSES)
    app.include_router(pages.router, include_in_schema=False)
    return app


app = create_app()
