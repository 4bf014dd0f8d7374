"""Rendering a page: the template, the signed-in user and the CSRF token every form carries."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from carecast.errors import CarecastError
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
    target = request.query_params.get("next") or (
        request.url.path if request.method == "GET" and request.url.path != "/login" else ""
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
    if status == 401:
        name = getattr(request.state, "login_name", "")
        return render_login(request, message, status, name=name)
    try:
        return render(
            request, "error.html", {"status": status, "code": code, "message": message}, status
        )
    except CarecastError:
        # the session itself could not be read: show the page without it
        request.state.session = None
        return render(
            request, "error.html", {"status": status, "code": code, "message": message}, status
        )
