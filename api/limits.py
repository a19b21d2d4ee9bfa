"""Request body size limits, enforced before a route reads the body.

Every request body is bounded by one limit (``max_body_bytes``), except the routes given a
:class:`RouteLimit` of their own (the 835 uploads: ``api.remittances.upload_limits``),
which are refused in their own words. A person's browser gets a styled 413 page
(``api.web.access``); API clients get problem+json (type ``body-too-large``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import HTTP_SLUGS, problem_response
from api.web.access import error_page, refusal, wants_page


class BodyTooLargeError(StarletteHTTPException):
    """The body grew past the limit while it was read (no or a false Content-Length).

    An HTTP error, so a route reading its body passes it on to the app's HTTP error handler
    (FastAPI turns any other exception there into a 400); the middleware then answers in
    the app's place.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"The request body is larger than {max_bytes:,} bytes."


@dataclass(frozen=True)
class RouteLimit:
    """A body limit of its own for one route (method and exact path), and its refusal.

    ``title`` heads the page a person sees; ``message`` is that page's text and the problem
    detail an API client gets.
    """

    method: str
    path: str
    max_bytes: int
    title: str
    message: str


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit with 413, by Content-Length or while streaming.

    The limit is ``max_bytes``, or the :class:`RouteLimit` of the request's route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, routes: Iterable[RouteLimit] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.routes = {(route.method, route.path): route for route in routes}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.routes.get((scope["method"], scope["path"]))
        max_bytes = route.max_bytes if route is not None else self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await self._refuse(scope, receive, send, route)
                return
        seen = 0
        started = exceeded = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    exceeded = True
                    raise BodyTooLargeError(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's own answer to the cut body: this middleware's replaces it
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send, route)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, route: RouteLimit | None
    ) -> None:
        request = Request(scope, receive)
        response: Response
        if route is None:
            response = refusal(request, 413, _too_large(self.max_bytes), slug=HTTP_SLUGS[413])
        elif wants_page(request):
            response = error_page(request, 413, route.title, route.message)
        else:
            response = problem_response(request, 413, route.message, slug=HTTP_SLUGS[413])
        await response(scope, receive, send)
