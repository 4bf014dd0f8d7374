"""The monthly close from the browser: finance forecasts a period's outturn (as `carecast
forecast --period` does) in the background, and the new snapshot becomes the dashboard's.

The close's readiness is checked first by the same service as the command line: a period beyond
the data, or ledger periods missing without "forecast anyway", is refused with its reasons and
nothing is stored. Every stored forecast is written to the audit log with who ran it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.errors import UsageError
from carecast.services.accounts import WebSession
from carecast.services.forecasting import run_forecast
from carecast.web.jobs import Job, finished_panel, form_values, jobs_of
from carecast.web.pages import render
from carecast.web.routes.forecasts import period_of
from carecast.web.security import csrf_checked, require, settings_of, source_of

router = APIRouter()
KIND = "close"
CLOSES = Role.FINANCE  # the least role that may store a forecast
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Closer = Annotated[WebSession | None, Depends(csrf_checked(require(CLOSES)))]


def _close(
    settings: Settings, period: Period | None, allow_incomplete: bool, actor: tuple[str, str]
) -> dict[str, Any]:
    snapshot = run_forecast(settings, period, allow_incomplete=allow_incomplete, actor=actor)
    forecast = snapshot.forecast
    return {
        "snapshot_id": snapshot.snapshot_id,
        "period": forecast.period.label,
        "knowledge_date": forecast.knowledge_date,
        "budget": forecast.budget,
        "forecast_outturn": forecast.forecast_outturn,
        "variance": forecast.variance,
        "flags": [f.message for f in snapshot.readiness],
    }


def _page(
    request: Request,
    session: WebSession,
    job: Job | None,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "job": job,
        "values": values or (job.request["form"] if job else {}),
        "problems": problems or {},
        "may_close": session.user.role.includes(CLOSES),
        "closes_role": CLOSES.value,
        "ahead": 0 if job is None else jobs_of(request).waiting_before(job),
    }
    return render(request, "close.html", context, status)


@router.get("/close")
def close_page(request: Request, session: Viewer) -> Response:
    return _page(request, session, jobs_of(request).latest(KIND))


@router.post("/close")
async def start_close(request: Request, session: Closer) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    values = await form_values(request)
    form = {
        "period": values.get("period", "").strip(),
        "allow_incomplete": values.get("allow_incomplete", ""),
    }
    try:
        period = period_of(form["period"])
    except UsageError as refused:
        problems = {"period": [" ".join(refused.lines())]}
        return _page(request, session, None, values=form, problems=problems, status=422)
    settings = settings_of(request)
    allow = form["allow_incomplete"] == "yes"
    actor = (session.user.name, source_of(request))
    job = jobs_of(request).start(
        KIND, session.user.name, {"form": form}, lambda: _close(settings, period, allow, actor)
    )
    return RedirectResponse(f"/close/runs/{job.job_id}", status_code=303)


@router.get("/close/runs/{job_id}")
def close_run_page(request: Request, session: Viewer, job_id: str) -> Response:
    return _page(request, session, jobs_of(request).get(KIND, job_id))


@router.get("/close/runs/{job_id}/result")
def close_run_result(request: Request, _session: Viewer, job_id: str) -> Response:
    return finished_panel(request, KIND, job_id, "close_run.html")
