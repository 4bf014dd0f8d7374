"""Running and reading forecasts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, ForecastSnapshot, SnapshotSummary
from carecast.errors import InvalidInput, Issue, NotFound, UsageError
from carecast.forecast.assumptions import Assumptions, AssumptionsError, parse_assumptions
from carecast.forecast.intervals import Runner, serial
from carecast.forecast.outturn import METHOD, forecast_outturn
from carecast.services.readiness import check_readiness, refuse_unready
from carecast.services.setup import council_transaction
from carecast.store.accounts import append_audit
from carecast.store.imports import list_batches
from carecast.store.snapshots import (
    latest_snapshot_id,
    list_snapshots,
    load_snapshot,
    save_snapshot,
    withdraw_snapshot,
)
from carecast.store.state import latest_ledger_period, load_state

FORECAST_METHOD = METHOD
# A monthly close runs in the days after month end: what was imported with an as-of date up to
# this many days after the period ended counts as known at that period's close.
CLOSE_WINDOW_DAYS = 15


def close_date(period: Period) -> date:
    """The knowledge date of a period's close."""
    return period.last_day + timedelta(days=CLOSE_WINDOW_DAYS)


def read_assumptions(path: Path) -> Assumptions:
    """An assumptions file (JSON, or YAML with PyYAML); problems become located issues."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(
            [Issue(str(path), None, None, "assumptions-unreadable", exc.strerror or str(exc))]
        ) from None
    try:
        return parse_assumptions(text, path.suffix)
    except AssumptionsError as exc:
        raise InvalidInput(
            [
                Issue(str(path), None, where or None, "assumptions-invalid", message)
                for where, message in exc.problems
            ]
        ) from None


def run_forecast(
    settings: Settings,
    period: Period | None = None,
    known_on: date | None = None,
    assumptions: Assumptions | None = None,
    *,
    allow_incomplete: bool = False,
    runner: Runner = serial,
    actor: tuple[str, str] | None = None,
) -> ForecastSnapshot:
    """Forecast the year's outturn at the end of `period` (default: latest with ledger data).

    The data the close stands on is checked first (services.readiness): a period beyond the data,
    or ledger periods missing without `allow_incomplete`, is refused and nothing is stored; flags
    are stored with the snapshot. `runner` runs the simulated paths (carecast/executors.py).
    With `actor` (who, from where: the web application), the run is written to the audit log in
    the snapshot's own transaction.

    The store is read in one transaction and closed; the engines run with no transaction open
    (a long forecast never holds the store); the snapshot is written in a second transaction."""
    with council_transaction(settings) as (connection, council):
        if period is None:
            period = latest_ledger_period(connection, council)
            if period is None:
                raise NotFound("no ledger actuals have been imported yet; import gl_actuals first")
        known_on = known_on or close_date(period)
        state = load_state(connection, council, known_on)
        batches = list_batches(connection, council)
    if not state.ledger and not state.commitments and not state.posts:
        raise NotFound(
            f"nothing was known by {known_on:%d %B %Y} for period {period}: import that "
            "period's extracts with an --as-of date on or before it"
        )
    flags = refuse_unready(
        check_readiness(state, period, batches, allow_incomplete=allow_incomplete)
    )
    forecast = forecast_outturn(state, period, assumptions=assumptions, runner=runner)
    with council_transaction(settings) as (connection, council):
        snapshot_id = save_snapshot(connection, council, forecast, FORECAST_METHOD, flags)
        if actor is not None:
            who, where = actor
            append_audit(
                connection,
                at=datetime.now(UTC),
                actor=who,
                source=where,
                action="forecast_run",
                subject=period.label,
                after={
                    "snapshot_id": snapshot_id,
                    "knowledge_date": known_on.isoformat(),
                    "forecast_outturn": str(forecast.forecast_outturn),
                    "flags": [f.code for f in flags],
                },
            )
        return load_snapshot(connection, council, snapshot_id)


def latest_forecast(settings: Settings, period: Period | None = None) -> ForecastSnapshot:
    with council_transaction(settings) as (connection, council):
        return load_snapshot(connection, council, latest_snapshot_id(connection, council, period))


def list_forecasts(settings: Settings) -> tuple[Council, list[SnapshotSummary]]:
    """Every stored snapshot, oldest first, withdrawn ones included and marked."""
    with council_transaction(settings) as (connection, council):
        return council, list_snapshots(connection, council)


def withdraw_forecast(settings: Settings, snapshot_id: int, reason: str) -> ForecastSnapshot:
    """Withdraw a snapshot: it is kept and listed, and never again a command's default."""
    reason = reason.strip()
    if not reason:
        raise UsageError(
            "--reason must say why the snapshot is withdrawn, e.g. --reason 'ledger for "
            "2018-08 was incomplete'"
        )
    with council_transaction(settings) as (connection, council):
        known = {s.snapshot_id for s in list_snapshots(connection, council)}
        if snapshot_id not in known:
            latest = ", ".join(str(i) for i in sorted(known)[-5:])
            hint = f" (the latest are {latest})" if latest else " (none has been stored)"
            raise NotFound(
                f"there is no forecast snapshot {snapshot_id} for {council.name}{hint}; "
                "'carecast snapshots' lists them; nothing was withdrawn"
            )
        return withdraw_snapshot(connection, council, snapshot_id, reason)
