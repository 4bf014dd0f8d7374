"""Each engine fitted on what a close knows, as a value: its line builds and what it found.

`fit` (pipeline.py) calls these one after another and gathers their parts; nothing here keeps
state between calls, and nothing is changed after it is returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import ActualsToDate
from carecast.forecast.allowances import TYPES, AllowanceModel, build_allowances
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.builders import (
    allowance_builds,
    commitment_builds,
    placement_builds,
    profiled_build,
    staffing_build,
)
from carecast.forecast.history import LINES, FloatArray
from carecast.forecast.income import fit_income, placement_outlook
from carecast.forecast.lines import COMMITTED, DEMAND, LineBuild
from carecast.forecast.matching import AHEAD_PLACE
from carecast.forecast.other_lines import Profiled, complete_years, monthly_ledger, profile_line
from carecast.forecast.placement_lines import (
    UNMATCHED,
    PlacementModel,
    build_placement_model,
    fitted_assumptions,
)
from carecast.forecast.placement_timing import placement_timing
from carecast.forecast.staffing import StaffingModel, build_staffing
from carecast.forecast.staffing_ledger import establishment_drift, reversal_deficit
from carecast.forecast.window import Window

ZERO = Decimal(0)
MIN_NOISE_MONTHS = 4
NO_EVIDENCE_NOISE = 0.05  # fewer months than that: a month may stray 5%


@dataclass(frozen=True)
class Part:
    """One engine's fit: the builds of the lines it drives and what it found on the way."""

    builds: Mapping[ServiceLine, LineBuild] = field(default_factory=dict)
    fitted: Mapping[str, Any] = field(default_factory=dict)  # assumptions it filled in
    findings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    timing_sd: Mapping[ServiceLine, float] = field(default_factory=dict)
    level_sd: Mapping[ServiceLine, float] = field(default_factory=dict)
    # drawn with one shared normal for all the part's lines (their history's misses)
    shared_sd: Mapping[ServiceLine, float] = field(default_factory=dict)


def fit_placements(
    state: ActivityState, period: Period, window: Window, used: Assumptions
) -> tuple[Part, PlacementModel | None]:
    if not state.episodes:
        dobs = {c.child_id: c.dob for c in state.children}
        builds = commitment_builds(list(state.commitments), window, dobs)
        note = (
            "No SSDA903 episodes: placement lines are open commitments only, with no demand "
            "allowance; import the episodes to forecast from activity."
        )
        return Part(builds, notes=(note,) if state.commitments else ()), None
    model = build_placement_model(state, period, used.placements, window)
    builds = placement_builds(model)
    fitted: dict[str, Any] = {"placements": fitted_assumptions(model)}
    findings: dict[str, Any] = {"commitment_end_dates": model.end_dates.as_json()}
    notes = placement_notes(model)
    if model.end_dates_rolled:
        e = model.end_dates
        notes.append(
            f"Commitment end dates are rolled on here ({e.rolled} of {e.due} that fell due since "
            "the extract six months earlier were still running later): they are not taken as "
            "planned ends; ending rates decide instead."
        )
    timing_sd: dict[ServiceLine, float] = {}
    if window.days:
        timing = placement_timing(state, model, period, used.placements.ledger_timing)
        first, last = window.periods[:1], window.periods[-1:]
        for line, found in timing.items():
            build = builds[line]
            build.add_monthly(COMMITTED, "arrears", first, np.array([found.remaining.unposted]))
            rest = found.remaining.window_posted - found.remaining.window_care
            build.add_monthly(DEMAND, "ledger_timing", last, np.array([rest]))
            timing_sd[line] = found.remaining.sd
        fitted["ledger_timing"] = {line.value: t.as_json() for line, t in timing.items()}
        findings["ledger_timing"] = {line.value: t.finding_json() for line, t in timing.items()}
        notes += [t.finding for t in timing.values() if t.matters]
    return Part(builds, fitted, findings, tuple(notes), timing_sd), model


def fit_staffing_part(
    state: ActivityState, period: Period, window: Window, used: Assumptions
) -> tuple[Part, StaffingModel | None]:
    if not state.posts:
        return Part(), None
    posts = list(state.posts)
    days = period.financial_year.days
    earlier = (state.earlier_posts, state.earlier_posts_on) if state.earlier_posts_on else None
    model = build_staffing(posts, window, days, used.staffing, earlier)
    fitted: dict[str, dict[str, Any]] = {
        "staffing": {
            "leaver_rate_permanent": model.fit.leaver_rate["permanent"],
            "leaver_rate_agency": model.fit.leaver_rate["agency"],
            "agency_fill_share": model.fit.agency_fill_share,
            "agency_premium": model.fit.agency_premium,
            "end_dates_extended": model.fit.end_dates_extended,
            "months_to_fill_vacancy": 12 / model.fit.fill_rate,
        }
    }
    build = staffing_build(model, posts, window, days)
    monthly, _ = monthly_ledger(state.ledger, state.cost_centres)
    posted = monthly.get(ServiceLine.STAFFING, {})
    # what the establishment of today cannot see: last year's accrual reversed in period 1. The
    # drift of the filled establishment's cost since the extract six months before is reported,
    # and carried on only when the assumptions say so: with vacancies priced and filled as the
    # extracts show, carrying it on counted the same fills twice (on the independent councils the
    # staffing line's median P3 error was 1.55% with it, 1.20% without).
    deficit = reversal_deficit(posted, period) if window.days else 0.0
    seen = establishment_drift(state.earlier_posts, state.earlier_posts_on, posts, period.last_day)
    drift = replace(seen, yearly=used.staffing.establishment_drift or 0.0)
    expected = (model.holder + model.newcomer).sum(axis=0)
    drifted = expected * (drift.factors(window.days) - 1)
    if window.days:
        build.add_monthly(COMMITTED, "arrears", window.periods[:1], np.array([deficit]))
    if drift.yearly:
        build.add_daily(DEMAND, "establishment_drift", window, drifted)
    fitted["staffing"]["establishment_drift"] = drift.yearly
    findings = {
        "staffing_ledger": {
            "reversal_deficit": round(deficit, 2),
            "establishment_cost_then": round(seen.cost_then, 2),
            "establishment_cost_now": round(seen.cost_now, 2),
            "drift_a_year_seen": round(seen.yearly, 4),
            "drift_a_year_applied": round(drift.yearly, 4),
        }
    }
    noise = monthly_noise(posted, period)
    remaining = float(expected.sum())
    months = max(len(window.periods), 1)
    level = {ServiceLine.STAFFING: noise * remaining / months * math.sqrt(months)}
    return Part({ServiceLine.STAFFING: build}, fitted, findings, level_sd=level), model


def monthly_noise(posted: Mapping[Period, float], period: Period) -> float:
    """Relative spread of one month's postings: half the spread of month-on-month changes over
    the last twelve months to `period` (periods 1 and 12 left out: year-end entries)."""
    months, month = [], period
    for _ in range(12):
        if month.number not in (1, 12) and month in posted:
            months.append(posted[month])
        month = month.previous()
    values = np.array(months[::-1])
    if len(values) < MIN_NOISE_MONTHS or values.mean() <= 0:
        return NO_EVIDENCE_NOISE
    return float(np.std(np.diff(values) / values.mean(), ddof=1) / math.sqrt(2))


def fit_allowances_part(
    state: ActivityState, window: Window, actuals: ActualsToDate, used: Assumptions
) -> tuple[Part, AllowanceModel | None]:
    cases = [a for a in state.allowances if a.allowance_type in TYPES]
    if not cases:
        return Part(), None
    model = build_allowances(cases, window, actuals.by_line, used.allowances)
    fitted = {
        "allowances": {
            "joiners_per_month": dict(model.fit.joiners_per_month),
            "joiner_weekly_amount": {k: repr(float(v)) for k, v in model.fit.joiner_weekly.items()},
            "early_end_rate": model.fit.early_end_rate,
        }
    }
    return Part(allowance_builds(model, cases, window), fitted), model


def forecast_lines(
    state: ActivityState,
    period: Period,
    actuals: ActualsToDate,
    driven: Mapping[ServiceLine, LineBuild],
) -> tuple[ServiceLine, ...]:
    """Every line the forecast shows, in ServiceLine's order (not a set's: see intervals)."""
    year = period.financial_year
    lines = {line for line, build in driven.items() if active(build)}
    lines |= {b.service_line for b in state.budget if b.financial_year == year.label}
    lines |= set(actuals.by_line)
    if actuals.unmapped:
        lines.add(ServiceLine.OTHER_COSTS)
    return tuple(sorted(lines, key=list(ServiceLine).index))


def fit_profiles(  # noqa: PLR0917 - the close's parts, each used once
    state: ActivityState,
    period: Period,
    window: Window,
    actuals: ActualsToDate,
    used: Assumptions,
    lines: tuple[ServiceLine, ...],
    driven: Mapping[ServiceLine, LineBuild],
    placements: PlacementModel | None = None,
) -> tuple[Part, dict[ServiceLine, Profiled]]:
    """Profile every line of `lines` that no engine drives, from earlier years' ledger; income
    from the contributions the placements earn where its ledger shows quarterly invoices."""
    monthly, seen = monthly_ledger(state.ledger, state.cost_centres)
    years = complete_years(seen, period.financial_year, used.other_lines.profile_years)
    builds: dict[ServiceLine, LineBuild] = {}
    profiles: dict[ServiceLine, Profiled] = {}
    findings: dict[str, Any] = {}
    notes: list[str] = []
    for line in lines:
        if line in driven and active(driven[line]):
            continue
        income = None
        if line is ServiceLine.INCOME and used.other_lines.method == "profile":
            # contributions follow the commitments that earn them, a grant last year's amount:
            # a profile of earlier years' shape misses a year whose contributions grew
            outlook = placement_outlook(expected_by_line(placements)) if placements else None
            income = fit_income(
                state.ledger, state.cost_centres, state.commitments, period, years, outlook=outlook
            )
        if income is not None:
            profiled = income.profiled
            findings["income"] = income.as_json()
            notes.append(income.finding)
        else:
            profiled = profile_line(
                monthly.get(line, {}),
                line_actual(actuals, line),
                period,
                years,
                used.other_lines.method,
            )
        profiles[line] = profiled
        builds[line] = profiled_build(line, profiled, window.periods)
    return Part(builds, findings=findings, notes=tuple(notes)), profiles


def expected_by_line(model: PlacementModel) -> dict[ServiceLine, FloatArray]:
    """Each placement line's expected daily cost over the window: the stock that stays, moves,
    step-ups and arrivals."""
    e = model.expected
    return {
        line: e.stay[i] + e.moves[i] + e.steps[i] + e.arrivals[i] for i, line in enumerate(LINES)
    }


def active(build: LineBuild) -> bool:
    return bool(build.items or build.components)


def line_actual(actuals: ActualsToDate, line: ServiceLine) -> Decimal:
    actual = actuals.by_line.get(line, ZERO)
    if line is ServiceLine.OTHER_COSTS:
        # Spend on unmapped cost centres still counts; it is reported so the mapping can be fixed.
        actual += sum(actuals.unmapped.values(), ZERO)
    return actual


def placement_notes(model: PlacementModel) -> list[str]:
    notes = []
    unmatched = [m for m in model.matching.matches if m.commitment is None]
    if unmatched:
        notes.append(
            f"{len(unmatched)} live placement(s) have no open commitment (under-reporting): costed "
            f"at their line's recent average and flagged '{UNMATCHED}'; see 'carecast reconcile'."
        )
    ahead = [m for m in model.matching.matches if m.placement.place == AHEAD_PLACE]
    over = model.matching.over_commitments
    if over or ahead:
        weekly = sum((c.net_weekly_cost for c in over), ZERO)
        note = (
            f"{len(over) + len(ahead)} open commitment(s) have no live SSDA903 placement behind "
            "them (see 'carecast reconcile')"
        )
        if ahead:
            note += (
                f"; {len(ahead)} of them, begun in the last two months for children with no "
                "placement ended since, count as placements the return has still to record "
                f"(flagged '{AHEAD_PLACE}')"
            )
        if over:
            note += f"; {len(over)} (£{weekly:,.2f} a week) are over-commitments, left out"
        notes.append(note + ".")
    if model.arrival_fit is None:
        notes.append(
            "Less than a year of episode history: no arrivals are expected (the demand allowance "
            "holds early endings and moves only)."
        )
    return notes
