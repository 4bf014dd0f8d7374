"""The forecast as one explicit pipeline: fit → sample → assemble.

- `fit(state, period, assumptions, horizon=…)` runs every engine on what the close knew and
  returns `FittedModels`: frozen, picklable, holding each line's build-up, the models the paths
  are drawn from and the assumptions as used. Nothing is fitted again after this.
- `sample(models, paths, seed, runner)` draws the simulated paths in blocks whose random streams
  are spawned per engine and block from one `SeedSequence` (intervals.py), so the result does not
  depend on how the blocks are split or who runs them.
- `assemble(models, sampled)` turns both into the `Forecast`: actuals + committed + demand per
  line, and P10/P90 from the paths.
The horizon is a parameter (default: the financial year's end), not a property of the engines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast, ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import ActualsToDate, actuals_to_date
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.calibration import MAX_YEARS, calibrate
from carecast.forecast.engine_parts import (
    Part,
    fit_allowances_part,
    fit_placements,
    fit_profiles,
    fit_staffing_part,
    forecast_lines,
    line_actual,
)
from carecast.forecast.history import FloatArray
from carecast.forecast.intervals import Runner, Simulation, bands, sample, serial
from carecast.forecast.lines import LineBuild
from carecast.forecast.other_lines import complete_years, monthly_ledger
from carecast.forecast.window import Window

ZERO = Decimal(0)
METHOD = "activity-led v3"
Sampled = Mapping[ServiceLine, FloatArray]


@dataclass(frozen=True)
class FittedModels:
    """Everything the engines fitted at one close, and nothing that changes afterwards."""

    period: Period
    knowledge_date: date
    window: Window
    actuals: ActualsToDate
    budget: Mapping[ServiceLine, Decimal]
    lines: tuple[ServiceLine, ...]
    builds: Mapping[ServiceLine, LineBuild]
    simulation: Simulation
    actions: tuple[Action, ...]
    notes: tuple[str, ...]
    assumptions: Mapping[str, Any]  # method, given, used (fitted values filled in), findings
    paths: int
    seed: int


def fit(
    state: ActivityState,
    period: Period,
    assumptions: Assumptions | None = None,
    *,
    horizon: date | None = None,
    paths: int | None = None,
    seed: int | None = None,
) -> FittedModels:
    """Fit every engine on what `state` knew at the close of `period`, to `horizon`."""
    year = period.financial_year
    horizon = horizon or year.last_day
    if not period.last_day <= horizon <= year.last_day:
        raise ValueError(
            f"the outturn forecast's horizon must lie between the close ({period.last_day}) and "
            f"the year's end ({year.last_day}); {horizon} does not"
        )
    given = assumptions or Assumptions()
    intervals = given.intervals.model_copy(
        update={k: v for k, v in (("paths", paths), ("seed", seed)) if v is not None}
    )
    used = given.model_copy(update={"intervals": intervals})
    window = Window(period.last_day + timedelta(days=1), horizon)
    actuals = actuals_to_date(state.ledger, state.cost_centres, period)
    placements, placement_model = fit_placements(state, period, window, used)
    if placement_model is not None and window.days:
        placements = _checked_on_history(state, period, used, placements)
    staffing, staffing_model = fit_staffing_part(state, period, window, used)
    allowances, allowance_model = fit_allowances_part(state, window, actuals, used)
    driven = {**placements.builds, **staffing.builds, **allowances.builds}
    lines = forecast_lines(state, period, actuals, driven)
    profiled, profiles = fit_profiles(
        state, period, window, actuals, used, lines, driven, placement_model
    )
    parts = (placements, staffing, allowances, profiled)
    builds = {**driven, **profiled.builds}
    notes = [note for part in parts for note in part.notes]
    notes += [
        f"£{amount:,.2f} posted to cost centre {code}, which has no service line, is counted in "
        "other_costs: add it to cost_centres.csv."
        for code, amount in sorted(actuals.unmapped.items())
    ]
    fitted = {key: value for part in parts for key, value in part.fitted.items()}
    return FittedModels(
        period=period,
        knowledge_date=state.known_on,
        window=window,
        actuals=actuals,
        budget={b.service_line: b.amount for b in state.budget if b.financial_year == year.label},
        lines=lines,
        builds=builds,
        simulation=Simulation(
            placement_model,
            staffing_model,
            allowance_model,
            profiles,
            {line: sd for part in parts for line, sd in part.timing_sd.items()},
            {line: sd for part in parts for line, sd in part.level_sd.items()},
            placements.shared_sd,
        ),
        actions=tuple(a for a in state.actions if a.financial_year == year.label),
        notes=tuple(notes),
        assumptions={
            "method": METHOD,
            "given": given.as_json(),
            "used": _merge(used.as_json(), fitted),
            "findings": {key: value for part in parts for key, value in part.findings.items()},
        },
        paths=intervals.paths,
        seed=intervals.seed,
    )


def _checked_on_history(
    state: ActivityState, period: Period, used: Assumptions, part: Part
) -> Part:
    """The placement part with the least spread its history replays call for (calibration.py);
    unchanged where no earlier complete year can be replayed."""
    if not used.placements.check_on_history:
        return part
    _, seen = monthly_ledger(state.ledger, state.cost_centres)
    years = complete_years(seen, period.financial_year, MAX_YEARS)
    rolled = part.fitted["placements"]["commitment_end_dates_rolled"]
    replay = used.model_copy(
        update={
            "placements": used.placements.model_copy(
                update={"commitment_end_dates_rolled": rolled, "ledger_timing": None}
            )
        }
    )

    def placement_total(earlier_state: ActivityState, earlier: Period) -> Decimal:
        earlier_part, _ = fit_placements(earlier_state, earlier, Window.after(earlier), replay)
        actuals = actuals_to_date(earlier_state.ledger, earlier_state.cost_centres, earlier)
        return sum(
            (
                actuals.by_line.get(line, ZERO) + build.committed + build.demand
                for line, build in earlier_part.builds.items()
            ),
            ZERO,
        )

    calibration = calibrate(state, period, years, placement_total)
    if not calibration.residuals:
        return part
    actuals = actuals_to_date(state.ledger, state.cost_centres, period)
    outturn = {
        line: float(actuals.by_line.get(line, ZERO) + build.committed + build.demand)
        for line, build in part.builds.items()
    }
    total = sum(outturn.values())
    if total <= 0:
        return part
    shared = {line: calibration.spread * value for line, value in outturn.items()}
    findings = {**part.findings, "history_check": calibration.as_json()}
    notes = (
        *part.notes,
        f"Placements: replaying this close in {len(calibration.residuals)} earlier year(s) "
        f"missed their outturn by {_pct(calibration.residuals)}; the interval of the placement "
        f"lines is at least ±{calibration.spread:.1%} of their outturn wide.",
    )
    return replace(part, findings=findings, notes=notes, shared_sd=shared)


def _pct(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:+.1%}" for v in values)


def sample_paths(models: FittedModels, runner: Runner = serial) -> Sampled | None:
    """The simulated remaining cost of every line on each path; None when no paths are wanted."""
    if models.paths == 0:
        return None
    return sample(models.simulation, models.paths, models.seed, runner)


def assemble(models: FittedModels, sampled: Sampled | None) -> Forecast:
    """The forecast from the fitted models and (when paths ran) their samples."""
    total_band: tuple[Decimal, Decimal] | None = None
    line_bands: dict[ServiceLine, tuple[Decimal, Decimal]] = {}
    if sampled is not None:
        p10, p90, line_bands = bands(models.builds, sampled, models.paths)
        total_band = (p10, p90)
    lines = [
        _line(models, line, models.budget.get(line, ZERO), line_bands.get(line))
        for line in models.lines
    ]
    spent = sum((x.actual_to_date for x in lines), ZERO)
    return Forecast(
        period=models.period,
        knowledge_date=models.knowledge_date,
        lines=tuple(lines),
        notes=models.notes,
        p10=None if total_band is None else spent + total_band[0],
        p90=None if total_band is None else spent + total_band[1],
        items=tuple(i for line in models.lines for i in models.builds[line].items),
        components=tuple(c for line in models.lines for c in models.builds[line].components),
        actions=models.actions,
        assumptions=dict(models.assumptions),
    )


def _line(
    models: FittedModels, line: ServiceLine, budget: Decimal, band: tuple[Decimal, Decimal] | None
) -> ForecastLine:
    build = models.builds[line]
    actual = line_actual(models.actuals, line)
    return ForecastLine(
        service_line=line,
        budget=budget,
        actual_to_date=actual,
        committed=build.committed,
        demand_allowance=build.demand,
        forecast_outturn=actual + build.committed + build.demand,
        method=build.method,
        p10=None if band is None else actual + band[0],
        p90=None if band is None else actual + band[1],
        children=build.children,
        average_weekly_cost=build.average_weekly_cost,
    )


def _merge(base: dict[str, Any], fitted: Mapping[str, Any]) -> dict[str, Any]:
    """The assumptions as used: every None a fitted value filled in."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for section, values in fitted.items():
        if section == "ledger_timing":
            if merged["placements"].get("ledger_timing") is None:
                merged["placements"]["ledger_timing"] = values
            continue
        for key, value in values.items():
            if merged[section].get(key) is None:
                merged[section][key] = value
    return merged


__all__ = ["METHOD", "FittedModels", "Part", "assemble", "fit", "sample_paths"]
