"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from carecast.errors import NotSignedIn
from carecast.services.accounts import WebSession, sign_in, sign_out
from carecast.web.pages import render_login, safe_next
from carecast.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_checked,
    forget_cookie,
    optional_session,
    set_cookie,
    settings_of,
    signed_in,
    source_of,
)

router = APIRouter()


def _no_session(_request: Request) -> WebSession | None:
    return None


@router.get("/login")
def login_form(request: Request) -> Response:
    try:
        session = optional_session(request)
    except NotSignedIn as ended:
        return render_login(request, ended.message)
    if session is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return render_login(request)


@router.post("/login", dependencies=[Depends(csrf_checked(_no_session))])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next_page: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    request.state.login_name = name
    request.state.login_next = next_page
    settings = settings_of(request)
    signed = sign_in(settings, name.strip(), password, source=source_of(request))
    response = RedirectResponse(safe_next(next_page), status_code=303)
    set_cookie(response, settings, SESSION_COOKIE, signed.token)
    forget_cookie(response, settings, LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, _session: Annotated[WebSession | None, Depends(csrf_checked(signed_in))]
) -> Response:
    settings = settings_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sign_out(settings, token, source=source_of(request))
    response = RedirectResponse("/login", status_code=303)
    forget_cookie(response, settings, SESSION_COOKIE)
    return response
