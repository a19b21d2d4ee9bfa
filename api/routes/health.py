"""Liveness and readiness probes (unauthenticated)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import DatabaseDep, RunnerDep
from api.problems import ProblemError
from api.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthPublic)
async def healthz() -> HealthPublic:
    """The process is up (it may still be warming up)."""
    return HealthPublic(status="ok")


def _ping(database: DatabaseDep) -> None:
    with database.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get(
    "/readyz",
    response_model=HealthPublic,
    responses={503: {"description": "Still warming up or the store is unreachable."}},
)
async def readyz(runner: RunnerDep, database: DatabaseDep) -> HealthPublic:
    """Ready to serve: the reader is warm and the store answers."""
    if not runner.ready:
        raise ProblemError(503, "The reader is warming up.", slug="not-ready")
    if not runner.serving:
        raise ProblemError(
            503, "No reader process is up; replacements are starting.", slug="not-ready"
        )
    try:
        await run_in_threadpool(_ping, database)
    except SQLAlchemyError:
        raise ProblemError(503, "The store does not answer.", slug="not-ready") from None
    return HealthPublic(
        status="ready", checks={"reader": "warm", "readers": runner.status(), "store": "ok"}
    )
