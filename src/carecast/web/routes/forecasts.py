"""The dashboard of a snapshot, the snapshots list, and a placement line's placements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from carecast.domain.accounts import Role
from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.errors import UsageError
from carecast.services.accounts import WebSession
from carecast.services.dashboard import Dashboard, dashboard, line_placements
from carecast.services.forecasting import list_forecasts
from carecast.services.setup import memo_of
from carecast.web.charts import VEGA_BUNDLE, dashboard_charts
from carecast.web.page_cache import shared_page
from carecast.web.pages import render
from carecast.web.security import require, settings_of

router = APIRouter()
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Analyst = Annotated[WebSession, Depends(require(Role.ANALYST))]
PERIOD = r"^\d{4}-\d{2}$"


def period_of(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@router.get("/")
def home(_session: Viewer) -> Response:
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    session: Viewer,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
) -> Response:
    asked = period_of(period)
    return shared_page(
        request,
        session,
        ("dashboard", asked),
        lambda: _dashboard(request, session, dashboard(settings_of(request), asked)),
    )


@router.get("/snapshots/{snapshot_id}")
def snapshot_page(request: Request, session: Viewer, snapshot_id: int) -> Response:
    return shared_page(
        request,
        session,
        ("snapshot", snapshot_id),
        lambda: _dashboard(
            request, session, dashboard(settings_of(request), snapshot_id=snapshot_id)
        ),
    )


def _dashboard(request: Request, session: WebSession, board: Dashboard) -> Response:
    charts = dashboard_charts(board, memo_of(settings_of(request)))
    context = {"board": board, "charts": charts, "role": session.user.role, "vega": VEGA_BUNDLE}
    return render(request, "dashboard.html", context)


@router.get("/snapshots")
def snapshots_page(request: Request, _session: Viewer) -> Response:
    council, found = list_forecasts(settings_of(request))
    return render(
        request, "snapshots.html", {"council": council, "snapshots": list(reversed(found))}
    )


@router.get("/snapshots/{snapshot_id}/lines/{line}")
def placements_page(
    request: Request, session: Analyst, snapshot_id: int, line: ServiceLine
) -> Response:
    return shared_page(
        request,
        session,
        ("placements", snapshot_id, line),
        lambda: render(
            request,
            "placements.html",
            {"found": line_placements(settings_of(request), snapshot_id, line)},
        ),
    )
