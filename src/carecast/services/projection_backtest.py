"""`carecast project --backtest`: replay the projection from earlier 31 Marches and score it.

Each replay fits on the history cut back to its 31 March (projection/backtest.py's
`as_known_on`), with the population estimates published by then, and is compared with the
months the latest extract shows after it. Each is run twice: with the bands as fitted, and with
them calibrated on the earlier replays' misses that were on record by its own start — so the
calibrated coverage is out of sample, never fitted on the outcome it is scored on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council
from carecast.domain.state import ActivityState
from carecast.errors import NotFound, UsageError
from carecast.forecast.history import build_history, known_placements
from carecast.projection.backtest import (
    BandCalibration,
    Replay,
    Residual,
    as_known_on,
    observed_counts,
    score,
    widen,
)
from carecast.projection.cost_backtest import CostReplay, ledger_placements, score_costs
from carecast.projection.cost_fit import fit_costs
from carecast.projection.entries import (
    MIN_MONTHS,
    coverage_start,
    months_between,
)
from carecast.projection.fit import fit_projection
from carecast.projection.model import ProjectionModel
from carecast.projection.mtfp import activity_of
from carecast.projection.population import carried_on
from carecast.projection.simulate import BlockRunner, Paths, serial, simulate
from carecast.services.benchmark import reference_files
from carecast.services.projection import (
    council_population,
    england_drift,
    last_month_end,
    load_history,
)
from carecast.services.setup import council_transaction
from carecast.store.state import load_state

MAX_YEARS = 3  # a replay is scored up to 36 months ahead
PUBLISHED_AFTER_MONTHS = 12  # a mid-year population estimate is out about a year later


@dataclass(frozen=True)
class ProjectionBacktest:
    council: Council
    data_until: date  # the latest extract's date: outcomes are known to its last month end
    replays: tuple[Replay, ...]  # bands as fitted
    calibrated: tuple[Replay, ...]  # bands calibrated on earlier replays known by each start
    calibration: BandCalibration  # every replay's residuals: what a projection today would use
    costs: tuple[CostReplay, ...] = ()  # placements priced against the ledger, per replay


def available_starts(state: ActivityState, last: date) -> tuple[list[int], date | None]:
    """Years Y whose 31 March can be replayed (12+ months of returns before it and 12+ months of
    outcomes after it), and when the returns begin."""
    first = _coverage(state, last)
    end = last_month_end(last)
    years = []
    if first is not None:
        for year in range(first.year, end.year + 1):
            start = Period.containing(date(year, 3, 31))
            before = months_between(Period.containing(first), start) + 1
            after = months_between(start, Period.containing(end))
            if before >= MIN_MONTHS and after >= MIN_MONTHS:
                years.append(year)
    return years, first


def _coverage(state: ActivityState, last: date) -> date | None:
    return coverage_start(
        build_history(known_placements(state.episodes, last), state.children, last)
    )


def _refuse(years: Sequence[int], possible: list[int], first: date | None, last: date) -> None:
    where = (
        "no child is seen leaving a placement in it"
        if first is None
        else f"the returns run from {first:%d %B %Y} to {last:%d %B %Y}"
    )
    if not possible:
        raise NotFound(
            "a projection backtest needs a 31 March with 12 whole months of SSDA903 returns "
            f"before it and 12 months of outcomes after it, and {where}: import more years of "
            "returns; nothing was backtested"
        )
    wrong = [y for y in years if y not in possible]
    if wrong:
        raise UsageError(
            f"--from-years {','.join(map(str, wrong))}: {where}, so only 31 March of "
            f"{', '.join(map(str, possible))} can be replayed; nothing was backtested"
        )


def _population_then(population: Mapping[int, float], day: date) -> dict[int, float]:
    """The mid-year estimates published by `day` (mid-Y is out about a year after mid-Y)."""
    return {
        year: value
        for year, value in population.items()
        if months_between(Period(year, 6), Period.containing(day)) >= PUBLISHED_AFTER_MONTHS
    }


def run_projection_backtest(
    settings: Settings,
    years: Sequence[int] | None = None,
    *,
    paths: int = 500,
    seed: int = 20180401,
    runner: BlockRunner = serial,
) -> ProjectionBacktest:
    """Replay the projection from 31 March of `years` (default: every year that can be);
    `runner` runs the simulated paths (carecast/executors.py)."""
    if not 1 <= paths <= 100_000:
        raise UsageError(f"--paths {paths}: give 1 to 100,000 paths; nothing was backtested")
    council, state, last = load_history(settings)
    possible, first = available_starts(state, last)
    _refuse(years or [], possible, first, last)
    chosen = sorted(set(years)) if years else possible
    end = last_month_end(last)
    files = reference_files(settings)
    population, _source = council_population(files, council.la_code)
    prior = england_drift(files)
    replays: list[Replay] = []
    calibrated: list[Replay] = []
    residuals: list[Residual] = []
    costs: list[CostReplay] = []
    actual = ledger_placements(state.ledger, state.cost_centres)
    for year in chosen:
        start = date(year, 3, 31)
        horizon = min(
            MAX_YEARS * 12, months_between(Period.containing(start), Period.containing(end))
        )
        model = fit_projection(
            as_known_on(state, start),
            start,
            -(-horizon // 12),
            carried_on(_population_then(population, start), year + MAX_YEARS + 1) or None,
            drift_prior=None if prior is None else prior[0],
        )
        observed = observed_counts(state, last, model.month_ends[:horizon])
        simulated = simulate(model, paths, seed, runner)
        replay = score(model, simulated, observed)
        costs.append(_costs(settings, start, model, simulated, actual))
        factor = BandCalibration(tuple(residuals)).known_on(start).factor
        wide = widen(model, factor)
        replays.append(replay)
        calibrated.append(score(wide, simulate(wide, paths, seed, runner), observed, factor))
        residuals.extend(replay.residuals())
    return ProjectionBacktest(
        council,
        last,
        tuple(replays),
        tuple(calibrated),
        BandCalibration(tuple(residuals)),
        tuple(costs),
    )


def _costs(
    settings: Settings, start: date, model: ProjectionModel, paths: Paths, actual: dict[str, float]
) -> CostReplay:
    """The replay's paths priced from what the store knew on `start`: the commitments,
    establishment, allowances and ledger imported by then, as a projection made that day would."""
    with council_transaction(settings) as (connection, council):
        then = load_state(connection, council, start)
    cost = fit_costs(then, start, len(model.category))
    return score_costs(cost, model.month_ends, activity_of(paths), actual)
