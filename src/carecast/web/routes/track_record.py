"""The track record: every stored forecast of a financial year against the latest one (once the
year's March close is stored, the outturn as closed), so that the committee can see how far each
month's forecast was from where the year ended up; and, for a finished year, the backtest (every
close replayed from what was known then, scored against the outturn beside three simple
baselines), run in the background. Aggregates, for everyone signed in; analysts and above start a
backtest, which stores nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import FinancialYear
from carecast.errors import UsageError
from carecast.forecast.backtest import BASELINES, interval_coverage
from carecast.services.accounts import WebSession
from carecast.services.backtest import run_backtest
from carecast.services.forecasting import list_forecasts
from carecast.web.jobs import Job, finished_panel, form_values, jobs_of
from carecast.web.pages import render
from carecast.web.security import csrf_checked, require, settings_of

router = APIRouter(prefix="/track-record")
KIND = "backtest"
RUNS = Role.ANALYST  # the least role that may start a backtest
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Runner = Annotated[WebSession | None, Depends(csrf_checked(require(RUNS)))]
YEAR = r"^\d{4}-\d{2}$"
BASELINE_NAMES = {
    "commitments_only": "Commitments only",
    "straight_line": "Straight line",
    "budget": "Budget",
}


def _year(text: str | None) -> FinancialYear | None:
    if not text:
        return None
    try:
        return FinancialYear.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _backtest(settings: Settings, year: FinancialYear) -> dict[str, Any]:
    council, result = run_backtest(settings, year)
    held, scored = interval_coverage([result])
    return {"council": council.name, "backtest": result, "held": held, "scored": scored}


def _page(
    request: Request, session: WebSession, year: FinancialYear | None, job: Job | None = None
) -> Response:
    council, snapshots = list_forecasts(settings_of(request))
    years = sorted({s.period.financial_year for s in snapshots}, key=str, reverse=True)
    chosen = year or (years[0] if years else None)
    shown = [s for s in snapshots if s.period.financial_year == chosen]
    standing = [s for s in shown if s.withdrawal is None]
    # The latest forecast of the year's latest period: what every earlier one is measured by.
    latest = max(standing, key=lambda s: (s.period, s.snapshot_id)) if standing else None
    context = {
        "council": council,
        "years": years,
        "chosen": chosen,
        "snapshots": shown,
        "latest": latest,
        "closed": latest is not None and latest.period.number == 12,
        "job": job,
        "may_run": session.user.role.includes(RUNS),
        "runs_role": RUNS.value,
        "baselines": BASELINES,
        "baseline_names": BASELINE_NAMES,
        "ahead": 0 if job is None else jobs_of(request).waiting_before(job),
    }
    return render(request, "track_record.html", context)


@router.get("")
def track_record_page(
    request: Request, session: Viewer, year: Annotated[str | None, Query(pattern=YEAR)] = None
) -> Response:
    return _page(request, session, _year(year))


@router.post("/backtests")
async def start_backtest(request: Request, session: Runner) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    year = _year((await form_values(request)).get("year", "").strip() or None)
    if year is None:
        raise UsageError("choose the financial year to backtest, like 2018-19")
    settings = settings_of(request)
    shown = {"year": year.label}
    job = jobs_of(request).start(KIND, session.user.name, shown, lambda: _backtest(settings, year))
    return RedirectResponse(f"/track-record/backtests/{job.job_id}", status_code=303)


@router.get("/backtests/{job_id}")
def backtest_page(request: Request, session: Viewer, job_id: str) -> Response:
    job = jobs_of(request).get(KIND, job_id)
    return _page(request, session, FinancialYear.parse(job.request["year"]), job)


@router.get("/backtests/{job_id}/result")
def backtest_result(request: Request, _session: Viewer, job_id: str) -> Response:
    names = {"baselines": BASELINES, "baseline_names": BASELINE_NAMES}
    return finished_panel(request, KIND, job_id, "backtest_run.html", lambda _job: names)
