"""The projection and medium-term financial plan: a form starts a run in the background, and the
page asks for it every second until it is done. Everyone signed in sees the runs (they are
aggregates: children in care at each 31 March, money per service line); analysts and above may
start one. A projection stores nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from carecast.config import Settings
from carecast.documents.projection import projection_json
from carecast.domain.accounts import Role
from carecast.services.accounts import WebSession
from carecast.services.projection import run_financial_plan
from carecast.web.jobs import Job, finished_panel, form_values, jobs_of
from carecast.web.pages import render
from carecast.web.run_form import DEFAULTS, RunRequest, read_run
from carecast.web.security import csrf_checked, require, settings_of

router = APIRouter()
KIND = "projection"
RUNS = Role.ANALYST  # the least role that may start a projection
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Runner = Annotated[WebSession | None, Depends(csrf_checked(require(RUNS)))]


def _project(settings: Settings, run: RunRequest) -> dict[str, Any]:
    projected, plan = run_financial_plan(
        settings, run.years, run.start, paths=run.paths, seed=run.seed
    )
    return projection_json(projected.council, projected.projection, plan)


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
        "values": values or (job.request["form"] if job else DEFAULTS),
        "problems": problems or {},
        "may_run": session.user.role.includes(RUNS),
        "runs_role": RUNS.value,
        "ahead": 0 if job is None else jobs_of(request).waiting_before(job),
    }
    return render(request, "projection.html", context, status)


@router.get("/projection")
def projection_page(request: Request, session: Viewer) -> Response:
    return _page(request, session, jobs_of(request).latest(KIND))


@router.post("/projection")
async def start_projection(request: Request, session: Runner) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    values = await form_values(request)
    problems: dict[str, list[str]] = {}
    run = read_run(values, problems)
    if run is None:
        return _page(request, session, None, values=values, problems=problems, status=422)
    settings = settings_of(request)
    shown = {"form": {k: values.get(k, "") for k in DEFAULTS}, "run": run.as_shown()}
    job = jobs_of(request).start(KIND, session.user.name, shown, lambda: _project(settings, run))
    return RedirectResponse(f"/projection/runs/{job.job_id}", status_code=303)


@router.get("/projection/runs/{job_id}")
def projection_run_page(request: Request, session: Viewer, job_id: str) -> Response:
    return _page(request, session, jobs_of(request).get(KIND, job_id))


@router.get("/projection/runs/{job_id}/result")
def projection_run_result(request: Request, _session: Viewer, job_id: str) -> Response:
    return finished_panel(request, KIND, job_id, "projection_run.html")
