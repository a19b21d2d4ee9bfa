"""Request ids: one per request, on every response (``X-Request-ID``) and every log line."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: ContextVar[str | None] = ContextVar("chartready_request_id", default=None)
access_logger = logging.getLogger("chartready.access")


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return _request_id.get()


def accept_or_mint(incoming: str | None) -> str:
    """Reuse a caller's id when it is safe to echo and log, else mint a new one."""
    if incoming and _SAFE.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI middleware: sets the id, echoes it and writes one access line (no bodies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", []):
            if name == HEADER.encode():
                incoming = value.decode("latin-1")
                break
        request_id = accept_or_mint(incoming)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        status_sent = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
                status_sent = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER.encode()]
                headers.append((HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Answer here, inside the request id's context; log the type only (no PHI).
            logging.getLogger("chartready.api").error(
                "unhandled %s on %s %s", type(exc).__name__, scope.get("method"), scope.get("path")
            )
            if status_sent:
                raise
            await _internal_error(scope, receive, send_with_id)
        finally:
            access_logger.info(
                "%s %s %d %.1fms",
                scope.get("method", "-"),
                scope.get("path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
            )
            _request_id.reset(token)


async def _internal_error(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.requests import Request

    from api.problems import internal_error

    response = internal_error(Request(scope, receive))
    await response(scope, receive, send)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or ``-``) to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Give ChartReady loggers a handler whose lines carry the request id (idempotent)."""
    root = logging.getLogger("chartready")
    if any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def uvicorn_log_config(level: str = "info") -> dict[str, object]:
    """A ``logging.config`` dict for uvicorn whose lines (its own and ours) carry the id."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "chartready",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    logger = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"chartready": {"format": LOG_FORMAT}},
        "handlers": {"default": handler},
        "loggers": {"uvicorn": logger, "chartready": logger},
    }
