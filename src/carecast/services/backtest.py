"""Backtesting a finished financial year: replay every close from what was known then.

Nothing is written: a backtest's forecasts are not the council's forecasts, so they never become
snapshots and the council's snapshot history stays exactly as the monthly closes left it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from carecast.config import Settings
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import Council
from carecast.errors import NotFound
from carecast.forecast.backtest import (
    Backtest,
    PeriodScore,
    actual_outturn,
    missing_ledger_periods,
    replay_period,
)
from carecast.forecast.intervals import Runner, serial
from carecast.forecast.outturn import forecast_outturn
from carecast.services.forecasting import close_date
from carecast.services.progress import Progress, quiet
from carecast.services.setup import council_transaction
from carecast.store.imports import list_batches
from carecast.store.state import load_state


def run_backtest(
    settings: Settings,
    financial_year: FinancialYear,
    progress: Progress = quiet,
    period_numbers: Iterable[int] = range(1, 13),
    runner: Runner = serial,
) -> tuple[Council, Backtest]:
    """Replay periods `period_numbers` of a finished year and score them against its outturn.

    The outturn is the year's ledger as known on the latest as-of date in the store; the year must
    have ledger actuals for all twelve periods by then (else NotFound). A period whose own ledger
    was not yet imported by its close cannot be replayed honestly and is listed as skipped.
    `runner` runs each replay's simulated paths (carecast/executors.py).
    """
    numbers = sorted(set(period_numbers))
    engine = partial(forecast_outturn, runner=runner)
    with council_transaction(settings) as (connection, council):
        batches = list_batches(connection, council)
        if not batches:
            raise NotFound("nothing has been imported yet, so there is no past year to backtest")
        latest = max(batch.as_of for batch in batches)
        final = load_state(connection, council, latest)
        missing = missing_ledger_periods(final.ledger, financial_year)
        if missing:
            shown = ", ".join(p.label for p in missing[:6]) + (" …" if len(missing) > 6 else "")
            raise NotFound(
                f"{financial_year} is not complete: by {latest:%d %B %Y} the ledger holds no "
                f"actuals for {len(missing)} of its 12 periods ({shown}); import them, or "
                "backtest a year that has ended"
            )
        actual = actual_outturn(final, financial_year)
        budget = {
            line.service_line: line.amount
            for line in final.budget
            if line.financial_year == financial_year.label
        }
        scores: list[PeriodScore] = []
        skipped: list[tuple[Period, str]] = []
        for done, number in enumerate(numbers, start=1):
            period = Period.of(financial_year, number)
            known_on = close_date(period)
            progress(f"Replaying {period} as known on {known_on:%d %b %Y}", done, len(numbers))
            state = load_state(connection, council, known_on)
            if not any(entry.period == period for entry in state.ledger):
                skipped.append(
                    (period, f"no ledger actuals for {period} had been imported by its close")
                )
                continue
            scores.append(replay_period(state, period, actual, engine))
    return council, Backtest(financial_year, actual, budget, tuple(scores), tuple(skipped))
