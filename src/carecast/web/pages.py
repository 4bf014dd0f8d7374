"""Rendering a page: the template, the signed-in user and the CSRF token every form carries."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from carecast.web.security import (
    LOGIN_CSRF_COOKIE,
    login_csrf_token,
    set_cookie,
    settings_of,
)


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _session_or_none(request: Request) -> Any:
    return getattr(request.state, "session", None)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    session = _session_or_none(request)
    values = {
        "session": session,
        "user": None if session is None else session.user,
        "csrf_token": None if session is None else session.csrf_token,
        **(context or {}),
    }
    return templates_of(request).TemplateResponse(request, template, values, status_code=status)


def render_login(
    request: Request, message: str | None = None, status: int = 200, name: str = ""
) -> Response:
    """The sign-in form, with a fresh CSRF token in its own cookie and in the form."""
    token = login_csrf_token(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = (
        request.query_params.get("next")
        or getattr(request.state, "login_next", None)  # a refused sign-in keeps where it led
        or (here if request.method == "GET" and request.url.path != "/login" else "")
    )
    response = templates_of(request).TemplateResponse(
        request,
        "login.html",
        {
            "session": None,
            "user": None,
            "csrf_token": token,
            "message": message,
            "name": name,
            "next": safe_next(target),
        },
        status_code=status,
    )
    set_cookie(response, settings_of(request), LOGIN_CSRF_COOKIE, token)
    return response


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render_error(request: Request, status: int, code: str, message: str) -> Response:
    if request.headers.get("hx-request") == "true":
        # htmx swaps no error into the page: have the browser load the address as a whole page,
        # which shows the error (or the sign-in form) as any other page would.
        return Response(status_code=status, headers={"HX-Redirect": str(request.url)})
    if status == 401:
        return render_login(request, message, status, name=getattr(request.state, "login_name", ""))
    context = {"status": status, "code": code, "message": message}
    return render(request, "error.html", context, status)
