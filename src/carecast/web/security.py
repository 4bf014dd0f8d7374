"""Who is asking: the session cookie, role checks and CSRF tokens, as FastAPI dependencies.

The session cookie holds a random token (the store keeps only its hash); it is HTTP-only,
SameSite=Strict and, unless `cookie_secure` is off for plain-HTTP localhost, Secure. Every form
carries a CSRF token: the session's own once signed in, and before that (the sign-in form) a
random token also set in a cookie of its own, which the form must repeat.

A program reads `/api` with `Authorization: Bearer <token>` (services/api_tokens.py) instead of a
cookie, with its user's role; a token opens nothing outside `/api`, and no form (it carries no
CSRF token), so a token that leaks can read what its user may read and change nothing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.errors import AccessDenied, NotSignedIn, RequestRefused
from carecast.services.accounts import WebSession, current_session
from carecast.services.api_tokens import token_session

SESSION_COOKIE = "carecast_session"
LOGIN_CSRF_COOKIE = "carecast_login_csrf"
CSRF_FIELD = "csrf_token"
API_PREFIX = "/api/"
CSRF_REFUSED = (
    "This form could not be accepted: its security token is missing or out of date. "
    "Reload the page and try again."
)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def source_of(request: Request) -> str:
    """Where a request came from, for the audit log."""
    host = request.client.host if request.client else "unknown"
    return f"web from {host}"


def set_cookie(response: Response, settings: Settings, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def forget_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, httponly=True, secure=settings.cookie_secure, samesite="strict", path="/"
    )


def optional_session(request: Request) -> WebSession | None:
    """The signed-in session, or None; an idle session ends here (NotSignedIn says so)."""
    if hasattr(request.state, "session"):
        found: WebSession | None = request.state.session
        return found
    token = request.cookies.get(SESSION_COOKIE)
    bearer = _bearer(request)
    if bearer is not None and not token:
        session = token_session(settings_of(request), bearer)
        if session is None:
            raise NotSignedIn(
                "The API token is not known, has been revoked or belongs to a disabled user. "
                "Ask an administrator for a new one ('carecast user token-add')."
            )
    else:
        session = None if not token else current_session(settings_of(request), token)
    request.state.session = session
    return session


def _bearer(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header on an `/api` request, else None."""
    if not request.url.path.startswith(API_PREFIX):
        return None
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return (credentials.strip() or None) if scheme.lower() == "bearer" else None


def signed_in(request: Request) -> WebSession:
    session = optional_session(request)
    if session is None:
        raise NotSignedIn("Sign in to see this page.")
    return session


def require(role: Role) -> Callable[[Request], WebSession]:
    """A dependency: the signed-in session, refused unless its role includes `role`."""

    def dependency(request: Request) -> WebSession:
        session = signed_in(request)
        if not session.user.role.includes(role):
            raise AccessDenied(
                f"Your role ({session.user.role.value}) does not allow this page; it needs "
                f"{role.value} or above. Ask an administrator if you need it."
            )
        return session

    dependency.__name__ = f"require_{role.value}"
    return dependency


def login_csrf_token(request: Request) -> str:
    """The sign-in form's token: the one its cookie holds, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


def csrf_checked(
    session_dependency: Callable[[Request], WebSession | None],
) -> Callable[[Request], Awaitable[WebSession | None]]:
    """A dependency for every POST: the form's token must match the session's (or, with no
    session, the sign-in cookie's); refused otherwise."""

    async def dependency(request: Request) -> WebSession | None:
        form = await request.form()
        given = form.get(CSRF_FIELD)
        session = session_dependency(request)
        expected = (
            session.csrf_token if session is not None else request.cookies.get(LOGIN_CSRF_COOKIE)
        )
        if not isinstance(given, str) or not _same(given, expected):
            raise RequestRefused(CSRF_REFUSED)
        return session

    return dependency
