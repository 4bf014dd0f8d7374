"""Explaining a forecast's movement since the previous snapshot, and reconciling ledger and activity."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastSnapshot
from carecast.errors import NotFound, UsageError
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.movements import Movements, explain_movements
from carecast.forecast.outturn import forecast_outturn
from carecast.forecast.reconcile import Reconciliation, reconcile
from carecast.services.forecasting import close_date
from carecast.services.readiness import beyond_data, refuse_unready
from carecast.services.setup import council_transaction
from carecast.store.imports import list_batches
from carecast.store.snapshots import latest_snapshot_id, load_snapshot, previous_snapshot_id
from carecast.store.state import latest_ledger_period, load_state


def explain(
    settings: Settings, period: Period | None = None, since: Period | None = None
) -> tuple[ForecastSnapshot, ForecastSnapshot, Movements]:
    """The latest snapshot for `period` against the latest for `since` (default: the latest
    snapshot of an earlier period of the same year; `since` = `period`: the run before the latest),
    split into drivers that add up exactly."""
    with council_transaction(settings) as (connection, council):
        current = load_snapshot(
            connection, council, latest_snapshot_id(connection, council, period)
        )
        now = current.forecast.period
        if since is None:
            earlier = previous_snapshot_id(connection, council, now)
            if earlier is None:
                raise NotFound(
                    f"there is no forecast for a period of {now.financial_year} before {now} to "
                    "compare with; run 'carecast forecast' for an earlier period first"
                )
        elif since == now:
            earlier = previous_snapshot_id(connection, council, now, before=current.snapshot_id)
            if earlier is None:
                raise NotFound(f"{now} has been forecast only once: nothing to compare with")
        else:
            if since > now or since.financial_year != now.financial_year:
                raise UsageError(
                    f"--since {since} must be a period of {now.financial_year} up to {now}"
                )
            earlier = latest_snapshot_id(connection, council, since)
        previous = load_snapshot(connection, council, earlier)
        counterfactual = _counterfactual(connection, council, previous, current)
    try:
        movements = explain_movements(previous.forecast, current.forecast, counterfactual)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return previous, current, movements


def _counterfactual(
    connection: sa.Connection,
    council: Council,
    previous: ForecastSnapshot,
    current: ForecastSnapshot,
) -> Forecast | None:
    """The current data under the previous assumptions, when the assumptions changed."""
    given_then = previous.forecast.assumptions.get("given")
    given_now = current.forecast.assumptions.get("given")
    if given_then is None or given_then == given_now:
        return None
    state = load_state(connection, council, current.forecast.knowledge_date)
    earlier = Assumptions.model_validate(given_then)
    return forecast_outturn(state, current.forecast.period, assumptions=earlier, paths=0)


def reconciliation(
    settings: Settings, period: Period | None = None, known_on: date | None = None
) -> tuple[Council, Reconciliation]:
    """Ledger against activity at a period's close (default: the latest with ledger data); a
    period beyond the data is refused, as the forecast refuses it."""
    with council_transaction(settings) as (connection, council):
        if period is None:
            period = latest_ledger_period(connection, council)
            if period is None:
                raise NotFound("no ledger actuals have been imported yet; import gl_actuals first")
        state = load_state(connection, council, known_on or close_date(period))
        beyond = beyond_data(state, period, list_batches(connection, council))
        refuse_unready([] if beyond is None else [beyond])
        return council, reconcile(state, period)
