"""How the ledger and the activity reconcile at a close: open commitments with no live placement,
live placements with no commitment, commitments on another line than their placement, and each
cost centre's spend to date against what the activity implies. Counts and totals for everyone
signed in; the children behind them for analysts and above."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from carecast.domain.accounts import Role
from carecast.domain.codes import ServiceLine
from carecast.errors import CarecastError
from carecast.reports.reconciliation_counts import EVERY_COUNT, published_counts
from carecast.services.accounts import WebSession
from carecast.services.forecasting import list_forecasts
from carecast.services.movements import reconciliation
from carecast.web.errors import code_of, status_of
from carecast.web.pages import render
from carecast.web.routes.forecasts import PERIOD, period_of
from carecast.web.security import require, settings_of

router = APIRouter()
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]


@router.get("/reconciliation")
def reconciliation_page(
    request: Request,
    session: Viewer,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
) -> Response:
    settings = settings_of(request)
    council, snapshots = list_forecasts(settings)
    periods = sorted({s.period for s in snapshots if s.withdrawal is None}, reverse=True)
    context = {
        "council": council,
        "periods": periods,
        "period": period or "",
        "role": session.user.role,
        "result": None,
        "refusal": None,
    }
    status = 200
    try:
        _, result = reconciliation(settings, period_of(period))
    except CarecastError as refused:
        # No ledger yet, a period beyond the data, a month that is no month: said on the page,
        # the picker above it, so that another period can be chosen.
        status = status_of(refused)
        context["refusal"] = {"code": code_of(refused), "message": " ".join(refused.lines())}
    else:
        counts = result.counts_by_line()
        # viewers see aggregates as `report --public` publishes them: small counts withheld
        published = (
            EVERY_COUNT if session.user.role.sees_children else published_counts(result, counts)
        )
        context.update(
            result=result,
            counts=counts,
            published=published,
            under_weekly=sum((u.priced_weekly for u in result.under_reported), Decimal(0)),
            lines=[line for line in ServiceLine if any(c[line] for c in counts.values())],
        )
    return render(request, "reconciliation.html", context, status)
