"""The scenario builder: a form of levers, read into a `Scenario` (each problem beside its field,
nothing run or stored), run beside the baseline in the background and saved with its result; and
the saved runs, each shown as it was stored. Everyone signed in reads them (they are aggregates);
running one is a change, for the finance role and above."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from carecast.config import Settings
from carecast.documents.projection import scenario_json
from carecast.domain.accounts import Role
from carecast.errors import InvalidInput
from carecast.projection.scenario_file import Scenario, describe
from carecast.services.accounts import WebSession
from carecast.services.scenarios import run_scenario_groups, stored_run, stored_runs
from carecast.web.jobs import Job, finished_panel, form_values, jobs_of
from carecast.web.pages import render
from carecast.web.run_form import DEFAULTS, RunRequest, read_run
from carecast.web.scenario_form import LEVERS, place_issues, read_form
from carecast.web.security import csrf_checked, require, settings_of, source_of

router = APIRouter(prefix="/scenarios")
KIND = "scenario"
RUNS = Role.FINANCE  # running a scenario saves it: a change
SOURCE = "web form"  # where a scenario came from, as a stored run records it
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Runner = Annotated[WebSession | None, Depends(csrf_checked(require(RUNS)))]
LABELS = {
    "name": "Name",
    "description": "Description",
    "levers": "Levers",
    "years": "Years ahead",
    "from": "From the end of",
    "paths": "Simulated paths",
    "seed": "Seed",
    **{
        lever.field_id(spec.key): f"{lever.title}: {spec.label}"
        for lever in LEVERS
        for spec in lever.fields
    },
}
FORM_DEFAULTS = {
    **DEFAULTS,
    **{f"{lever.kind}.{spec.key}": spec.default for lever in LEVERS for spec in lever.fields},
}


def _run(
    settings: Settings, run: RunRequest, scenario: Scenario, actor: tuple[str, str]
) -> dict[str, Any]:
    outcome = run_scenario_groups(
        settings,
        run.years,
        [[(SOURCE, scenario)]],
        run.start,
        paths=run.paths,
        seed=run.seed,
        save=True,
        actor=actor,
    )
    projected = outcome.run
    shown = scenario_json(
        projected.council, projected.projection, outcome.baseline, outcome.results[0], outcome.rates
    )
    return {"result": shown, "saved": outcome.saved[0] if outcome.saved else None}


def _saved(settings: Settings) -> list[dict[str, Any]]:
    """The latest run of each name, newest first, with how many runs of that name are kept."""
    latest: dict[str, dict[str, Any]] = {}
    for record in stored_runs(settings):
        runs = latest.get(record.name, {}).get("runs", 0) + 1
        latest[record.name] = {"record": record, "runs": runs}
    return sorted(latest.values(), key=lambda x: x["record"].run_id, reverse=True)


def _page(
    request: Request,
    session: WebSession,
    job: Job | None,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    form = values or (job.request["form"] if job else FORM_DEFAULTS)
    issues: list[tuple[str, str, str]] = []
    if job is not None and isinstance(job.error, InvalidInput):
        issues = place_issues(job.error.issues, job.request["kinds"])
    context = {
        "job": job,
        "values": form,
        "problems": problems or {},
        "labels": LABELS,
        "levers": LEVERS,
        "issues": issues,
        "saved": _saved(settings_of(request)),
        "may_run": session.user.role.includes(RUNS),
        "runs_role": RUNS.value,
        "ahead": 0 if job is None else jobs_of(request).waiting_before(job),
    }
    return render(request, "scenarios.html", context, status)


@router.get("")
def scenarios_page(request: Request, session: Viewer) -> Response:
    return _page(request, session, jobs_of(request).latest(KIND))


@router.post("")
async def start_scenario(request: Request, session: Runner) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    values = await form_values(request)
    reading = read_form(values)
    run = read_run(values, reading.problems)
    if run is None or reading.scenario is None:
        return _page(request, session, None, values=values, problems=reading.problems, status=422)
    scenario = reading.scenario
    settings = settings_of(request)
    shown = {
        "form": {key: value for key, value in values.items() if key != "csrf_token"},
        "run": run.as_shown(),
        "kinds": reading.kinds,
        "levers": [describe(lever) for lever in scenario.levers],
    }
    actor = (session.user.name, source_of(request))
    job = jobs_of(request).start(
        KIND, session.user.name, shown, lambda: _run(settings, run, scenario, actor)
    )
    return RedirectResponse(f"/scenarios/runs/{job.job_id}", status_code=303)


@router.get("/runs/{job_id}")
def scenario_run_page(request: Request, session: Viewer, job_id: str) -> Response:
    return _page(request, session, jobs_of(request).get(KIND, job_id))


@router.get("/runs/{job_id}/result")
def scenario_run_result(request: Request, _session: Viewer, job_id: str) -> Response:
    return finished_panel(request, KIND, job_id, "scenario_run.html", _placed_issues)


def _placed_issues(job: Job) -> dict[str, Any]:
    """A refused scenario's problems, each beside the lever it is about."""
    if isinstance(job.error, InvalidInput):
        return {"issues": place_issues(job.error.issues, job.request["kinds"])}
    return {"issues": []}


@router.get("/saved/{name}")
def saved_scenario_page(request: Request, _session: Viewer, name: str) -> Response:
    record = stored_run(settings_of(request), name)
    return render(request, "scenario_saved.html", {"record": record})
