"""The one place where failures become HTTP responses: a page for browsers, JSON under /api.

Every failure has the same shape, `{"error": {"status": 404, "code": "not_found", "message": …}}`
in JSON, and the same three parts on the error page. Status codes are decided here and nowhere
else. An unexpected exception is logged by its type and stack only: its message may quote data (a
child's identifier among them), and nothing of the data is written to the application log.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carecast.errors import (
    AccessDenied,
    CarecastError,
    NotFound,
    NotSignedIn,
    RequestRefused,
    SignInRefused,
    StoreBusy,
    StoreNotReady,
    UsageError,
)

LOG = logging.getLogger("carecast.web")

# Most specific first: the first class an error is an instance of decides its status.
STATUS: tuple[tuple[type[CarecastError], int], ...] = (
    (SignInRefused, 401),
    (NotSignedIn, 401),
    (AccessDenied, 403),
    (RequestRefused, 403),
    (NotFound, 404),
    (StoreNotReady, 503),
    (StoreBusy, 503),
    (UsageError, 400),
    (CarecastError, 422),
)
HTTP_MESSAGES = {
    404: "There is no such page.",
    405: "This page cannot be used that way.",
}
UNEXPECTED = "Something went wrong on the server. It has been logged; nothing was changed."


def route_of(request: Request) -> str:
    """The matched route's template (`/snapshots/{snapshot_id}`), never the URL itself: a URL may
    carry an identifier, and the application log holds none."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "(no route)"


def status_of(error: CarecastError) -> int:
    return next(status for cls, status in STATUS if isinstance(error, cls))


def code_of(error: Exception) -> str:
    """A stable code from the class name: NotSignedIn → not_signed_in."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def wants_json(request: Request) -> bool:
    if request.url.path == "/api" or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def respond(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(status, code, message), status_code=status)
    from carecast.web.pages import render_error

    return render_error(request, status, code, message)


async def _carecast_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CarecastError)
    status = status_of(error)
    LOG.info("%s %s refused: %s (%d)", request.method, route_of(request), code_of(error), status)
    return respond(request, status, code_of(error), " ".join(error.lines()))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = HTTP_MESSAGES.get(error.status_code, str(error.detail))
    return respond(request, error.status_code, f"http_{error.status_code}", message)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}"
        for e in error.errors()
    )
    return respond(request, 422, "invalid_request", f"The request is not valid: {problems}.")


async def _unexpected(request: Request, error: Exception) -> Response:
    stack = "".join(traceback.format_tb(error.__traceback__))
    LOG.error(
        "%s %s failed with %s (message withheld: it may quote data)\n%s",
        request.method,
        route_of(request),
        type(error).__name__,
        stack,
    )
    return respond(request, 500, "server_error", UNEXPECTED)


class ContainUnexpected:
    """Answer an unexpected exception here, and let it go no further: Starlette's outermost
    handler would answer it too, but then re-raise it for the server, whose log would print its
    message. A plain ASGI middleware: Starlette's `@app.middleware` costs each request a task and
    a stream (0.4 ms of CPU)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # every failure gets the one shape
            response = await _unexpected(Request(scope), error)
            if not started:  # else the browser has its status already: the log has the failure
                await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CarecastError, _carecast_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(ContainUnexpected)
