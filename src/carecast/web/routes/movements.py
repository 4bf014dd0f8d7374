"""Why the forecast moved: the latest snapshot of one period against the latest of an earlier
one in the same year, driver by driver and line by line (they add up to the change to the penny).
Aggregates for everyone signed in; the placements, posts and cases behind each movement for
analysts and above."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from carecast.domain.accounts import Role
from carecast.errors import NotFound, UsageError
from carecast.services.accounts import WebSession
from carecast.services.forecasting import list_forecasts
from carecast.services.movements import explain
from carecast.web.errors import code_of, status_of
from carecast.web.pages import render
from carecast.web.routes.forecasts import PERIOD, period_of
from carecast.web.security import require, settings_of

router = APIRouter()
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]


@router.get("/movements")
def movements_page(
    request: Request,
    session: Viewer,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
    since: Annotated[str | None, Query(pattern=PERIOD)] = None,
) -> Response:
    from carecast.reports.terminal import DRIVER_TITLES  # the CLI's words for each driver

    settings = settings_of(request)
    council, snapshots = list_forecasts(settings)
    periods = sorted({s.period for s in snapshots if s.withdrawal is None}, reverse=True)
    context = {
        "council": council,
        "periods": periods,
        "period": period or "",
        "since": since or "",
        "titles": DRIVER_TITLES,
        "role": session.user.role,
        "result": None,
        "refusal": None,
    }
    status = 200
    try:
        previous, current, result = explain(settings, period_of(period), period_of(since))
    except (NotFound, UsageError) as refused:
        # Shown on the page, the pickers above it, so that another pair can be chosen.
        status = status_of(refused)
        context["refusal"] = {"code": code_of(refused), "message": " ".join(refused.lines())}
    else:
        context.update(previous=previous, current=current, result=result)
    return render(request, "movements.html", context, status)
