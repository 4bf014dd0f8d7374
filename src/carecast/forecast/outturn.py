"""The activity-led outturn forecast: actuals to date + committed cost + demand allowance, by line.

- Placement lines: live placements from SSDA903 priced from their commitments to the planned end,
  18th birthday or year end (committed), and a demand allowance of expected arrivals, moves and
  step-ups/downs, less expected early endings, fitted on the episode history (placement_lines.py).
- Staffing: posts to contract end or year end, plus expected leavers and vacancy fills.
- Special guardianship and adoption allowances: cases to year end, joiners, early stops.
- Every other line: profiled from earlier years' ledger (other_lines.py).
The central forecast is the expected value (deterministic); p10/p90 come from simulated paths
(intervals.py) as the central forecast plus the paths' 10th/90th percentile deviation from their
mean. Management actions and risks are never netted off here (actions.py shows them apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast, ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import ActualsToDate, actuals_to_date
from carecast.forecast.allowances import TYPES, AllowanceModel, build_allowances
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.builders import (
    allowance_builds,
    commitment_builds,
    placement_builds,
    profiled_build,
    staffing_build,
)
from carecast.forecast.intervals import Simulation, simulate
from carecast.forecast.lines import COMMITTED, DEMAND, LineBuild
from carecast.forecast.other_lines import Profiled, complete_years, monthly_ledger, profile_line
from carecast.forecast.placement_lines import (
    UNMATCHED,
    PlacementModel,
    build_placement_model,
    fitted_assumptions,
)
from carecast.forecast.placement_timing import placement_timing
from carecast.forecast.staffing import StaffingModel, build_staffing
from carecast.forecast.window import Window

ZERO = Decimal(0)
METHOD = "activity-led v2"


@dataclass
class _Run:
    """What the engines produce for one forecast, gathered line by line."""

    state: ActivityState
    period: Period
    used: Assumptions
    window: Window
    actuals: ActualsToDate
    builds: dict[ServiceLine, LineBuild] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fitted: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, Any] = field(default_factory=dict)
    placements: PlacementModel | None = None
    staffing: StaffingModel | None = None
    allowances: AllowanceModel | None = None
    profiles: dict[ServiceLine, Profiled] = field(default_factory=dict)
    arrears_sd: dict[ServiceLine, float] = field(default_factory=dict)


def forecast_outturn(
    state: ActivityState,
    period: Period,
    *,
    assumptions: Assumptions | None = None,
    paths: int | None = None,
    seed: int | None = None,
) -> Forecast:
    """Forecast the financial year's outturn as at the end of `period` from what `state` knows.

    `paths` and `seed` override the interval assumptions (paths=0: no intervals, p10/p90 None).
    """
    given = assumptions or Assumptions()
    intervals = given.intervals.model_copy(
        update={k: v for k, v in (("paths", paths), ("seed", seed)) if v is not None}
    )
    used = given.model_copy(update={"intervals": intervals})
    actuals = actuals_to_date(state.ledger, state.cost_centres, period)
    run = _Run(state, period, used, Window.after(period), actuals)
    _run_placements(run)
    _run_staffing(run)
    _run_allowances(run)
    lines = _run_profiles(run)
    p10, p90, bands = simulate(
        Simulation(run.placements, run.staffing, run.allowances, run.profiles, run.arrears_sd),
        run.builds,
        used.intervals,
    )
    budget = {
        b.service_line: b.amount
        for b in state.budget
        if b.financial_year == period.financial_year.label
    }
    result = [_line(run, line, budget.get(line, ZERO), bands.get(line)) for line in lines]
    run.notes.extend(
        f"£{amount:,.2f} posted to cost centre {code}, which has no service line, is counted in "
        "other_costs: add it to cost_centres.csv."
        for code, amount in sorted(actuals.unmapped.items())
    )
    spent = sum((x.actual_to_date for x in result), ZERO)
    return Forecast(
        period=period,
        knowledge_date=state.known_on,
        lines=tuple(result),
        notes=tuple(run.notes),
        p10=None if p10 is None else spent + p10,
        p90=None if p90 is None else spent + p90,
        items=tuple(i for line in lines for i in run.builds[line].items),
        components=tuple(c for line in lines for c in run.builds[line].components),
        actions=tuple(a for a in state.actions if a.financial_year == period.financial_year.label),
        assumptions={
            "method": METHOD,
            "given": given.as_json(),
            "used": _merge(used.as_json(), run.fitted),
            "findings": run.findings,
        },
    )


def _line(
    run: _Run, line: ServiceLine, budget: Decimal, band: tuple[Decimal, Decimal] | None
) -> ForecastLine:
    build = run.builds[line]
    actual = _actual(run.actuals, line)
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


def _run_placements(run: _Run) -> None:
    state, window = run.state, run.window
    if not state.episodes:
        dobs = {c.child_id: c.dob for c in state.children}
        run.builds.update(commitment_builds(list(state.commitments), window, dobs))
        if state.commitments:
            run.notes.append(
                "No SSDA903 episodes: placement lines are open commitments only, with no demand "
                "allowance; import the episodes to forecast from activity."
            )
        return
    model = build_placement_model(state, run.period, run.used.placements)
    run.placements = model
    run.builds.update(placement_builds(model))
    run.fitted["placements"] = fitted_assumptions(model)
    run.notes.extend(_placement_notes(model))
    if window.days:
        timing = placement_timing(state, model, run.period, run.used.placements.ledger_timing)
        first, last = window.periods[:1], window.periods[-1:]
        for line, fitted in timing.items():
            build = run.builds[line]
            build.add_monthly(COMMITTED, "arrears", first, np.array([fitted.remaining.unposted]))
            timing_rest = fitted.remaining.window_posted - fitted.remaining.window_care
            build.add_monthly(DEMAND, "ledger_timing", last, np.array([timing_rest]))
            run.arrears_sd[line] = fitted.remaining.sd
        run.fitted["ledger_timing"] = {line.value: t.as_json() for line, t in timing.items()}
        run.findings["ledger_timing"] = {line.value: t.finding_json() for line, t in timing.items()}
        run.notes.extend(t.finding for t in timing.values() if t.matters)


def _run_staffing(run: _Run) -> None:
    if not run.state.posts:
        return
    posts = list(run.state.posts)
    days = run.period.financial_year.days
    model = build_staffing(posts, run.window, days, run.used.staffing)
    run.staffing = model
    run.builds[ServiceLine.STAFFING] = staffing_build(model, posts, run.window, days)
    run.fitted["staffing"] = {
        "leaver_rate_permanent": model.fit.leaver_rate["permanent"],
        "leaver_rate_agency": model.fit.leaver_rate["agency"],
        "agency_fill_share": model.fit.agency_fill_share,
        "agency_premium": model.fit.agency_premium,
        "end_dates_extended": model.fit.end_dates_extended,
    }


def _run_allowances(run: _Run) -> None:
    cases = [a for a in run.state.allowances if a.allowance_type in TYPES]
    if not cases:
        return
    model = build_allowances(cases, run.window, run.actuals.by_line, run.used.allowances)
    run.allowances = model
    run.builds.update(allowance_builds(model, cases, run.window))
    run.fitted["allowances"] = {
        "joiners_per_month": dict(model.fit.joiners_per_month),
        "joiner_weekly_amount": {k: repr(float(v)) for k, v in model.fit.joiner_weekly.items()},
        "early_end_rate": model.fit.early_end_rate,
    }


def _run_profiles(run: _Run) -> list[ServiceLine]:
    """Profile every line no engine drives; returns all the forecast's lines in order."""
    year = run.period.financial_year
    lines = {b for b, x in run.builds.items() if _active(x)}
    lines |= {b.service_line for b in run.state.budget if b.financial_year == year.label}
    lines |= set(run.actuals.by_line)
    if run.actuals.unmapped:
        lines.add(ServiceLine.OTHER_COSTS)
    monthly, seen = monthly_ledger(run.state.ledger, run.state.cost_centres)
    years = complete_years(seen, year, run.used.other_lines.profile_years)
    ordered = sorted(lines, key=list(ServiceLine).index)  # not the set's order: see intervals
    for line in ordered:
        if line in run.builds and _active(run.builds[line]):
            continue
        profiled = profile_line(
            monthly.get(line, {}),
            _actual(run.actuals, line),
            run.period,
            years,
            run.used.other_lines.method,
        )
        run.profiles[line] = profiled
        run.builds[line] = profiled_build(line, profiled, run.window.periods)
    return ordered


def _active(build: LineBuild) -> bool:
    return bool(build.items or build.components)


def _actual(actuals: ActualsToDate, line: ServiceLine) -> Decimal:
    actual = actuals.by_line.get(line, ZERO)
    if line is ServiceLine.OTHER_COSTS:
        # Spend on unmapped cost centres still counts; it is reported so the mapping can be fixed.
        actual += sum(actuals.unmapped.values(), ZERO)
    return actual


def _merge(base: dict[str, Any], fitted: dict[str, Any]) -> dict[str, Any]:
    """The assumptions as used: every None a fitted value filled in."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    timing = fitted.pop("ledger_timing", None)
    if timing and merged["placements"].get("ledger_timing") is None:
        merged["placements"]["ledger_timing"] = timing
    for section, values in fitted.items():
        for key, value in values.items():
            if merged[section].get(key) is None:
                merged[section][key] = value
    return merged


def _placement_notes(model: PlacementModel) -> list[str]:
    notes = []
    unmatched = [m for m in model.matching.matches if m.commitment is None]
    if unmatched:
        notes.append(
            f"{len(unmatched)} live placement(s) have no open commitment (under-reporting): costed "
            f"at their line's recent average and flagged '{UNMATCHED}'; see 'carecast reconcile'."
        )
    over = model.matching.over_commitments
    if over:
        weekly = sum((c.net_weekly_cost for c in over), ZERO)
        notes.append(
            f"{len(over)} open commitment(s) (£{weekly:,.2f} a week) have no live placement behind "
            "them (over-commitments) and are left out; see 'carecast reconcile'."
        )
    if model.arrival_fit is None:
        notes.append(
            "Less than a year of episode history: no arrivals are expected (the demand allowance "
            "holds early endings and moves only)."
        )
    return notes
