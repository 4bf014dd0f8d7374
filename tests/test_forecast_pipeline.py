"""The forecast is fit → sample → assemble: a frozen, picklable fit; paths drawn from it alone."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.finance import Post
from carecast.domain.periods import Period
from carecast.forecast.outturn import forecast_outturn
from carecast.forecast.pipeline import assemble, fit, sample_paths
from tests.forecast_fixtures import synthetic_state

P6 = Period.parse("2018-09")


def test_the_three_steps_give_the_one_call_forecast() -> None:
    state = synthetic_state(5)
    models = fit(state, P6, paths=300, seed=3)
    assert assemble(models, sample_paths(models)) == forecast_outturn(state, P6, paths=300, seed=3)


def test_the_fit_is_frozen_and_travels_whole() -> None:
    """What a worker receives (pickled) samples and assembles to the very same forecast."""
    models = fit(synthetic_state(5), P6, paths=200, seed=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        models.paths = 10  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(models))
    assert assemble(copy, sample_paths(copy)) == assemble(models, sample_paths(models))


def test_the_horizon_is_a_parameter_within_the_year() -> None:
    """To 31 December the window has 92 days and less is left to spend than to 31 March."""
    state = synthetic_state(5)
    to_december = fit(state, P6, horizon=date(2018, 12, 31), paths=0)
    to_march = fit(state, P6, paths=0)
    assert to_december.window.days == 92
    assert to_march.window.days == 182
    remaining = assemble(to_december, None).forecast_outturn
    assert remaining < assemble(to_march, None).forecast_outturn
    with pytest.raises(ValueError, match="horizon"):
        fit(state, P6, horizon=date(2019, 6, 30))


def test_no_paths_no_samples() -> None:
    models = fit(synthetic_state(5), P6, paths=0)
    assert sample_paths(models) is None
    assert assemble(models, None).p10 is None


def test_the_last_close_of_the_year_forecasts_with_nothing_left_to_run() -> None:
    """At period 12 the window is empty: every engine, staffing included, adds nothing and the
    forecast is the year's ledger (a backtest replays P12 too)."""
    staff = Post("P1", "Team", "Social Worker", Decimal(1), "agency", Decimal(60_000), None, None)
    state = dataclasses.replace(synthetic_state(5), posts=(staff,))
    forecast = forecast_outturn(state, Period.parse("2019-03"), paths=50)
    assert all(line.committed == line.demand_allowance == 0 for line in forecast.lines)
    assert forecast.forecast_outturn == sum(line.actual_to_date for line in forecast.lines)
