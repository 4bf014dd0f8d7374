"""The track record: every stored forecast of a financial year against the latest one (once the
year's March close is stored, the outturn as closed), so that the committee can see how far each
month's forecast was from where the year ended up. Aggregates, for everyone signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from carecast.domain.accounts import Role
from carecast.domain.periods import FinancialYear
from carecast.errors import UsageError
from carecast.services.accounts import WebSession
from carecast.services.forecasting import list_forecasts
from carecast.web.pages import render
from carecast.web.security import require, settings_of

router = APIRouter()
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
YEAR = r"^\d{4}-\d{2}$"


def _year(text: str | None) -> FinancialYear | None:
    if not text:
        return None
    try:
        return FinancialYear.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@router.get("/track-record")
def track_record_page(
    request: Request,
    _session: Viewer,
    year: Annotated[str | None, Query(pattern=YEAR)] = None,
) -> Response:
    council, snapshots = list_forecasts(settings_of(request))
    years = sorted({s.period.financial_year for s in snapshots}, key=str, reverse=True)
    chosen = _year(year) or (years[0] if years else None)
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
    }
    return render(request, "track_record.html", context, 200 if shown or not year else 404)
