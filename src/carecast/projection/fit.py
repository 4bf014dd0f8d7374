"""Fit a projection on what the store knew: placements → history → ending rates, moves, entries.

The history is the outturn forecast's (forecast/history.py: placements known on the start day,
open ones censored, 18th birthdays not counted as endings); the rates and the entry model are the
projection's own (transitions.py, entries.py) because a projection follows every child looked
after, placed with parents or for adoption included, not only costed placements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from carecast.domain.codes import PLACEMENT_LINES
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.forecast.history import (
    FloatArray,
    History,
    IntArray,
    build_history,
    known_placements,
)
from carecast.projection.entries import (
    TERMS,
    TREND_ERRORS,
    EntryFit,
    coverage_start,
    design,
    entry_rows,
    fit_entries,
    population_offset,
)
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.transitions import (
    ADULT_MONTHS,
    MONTH_DAYS,
    Transitions,
    care_start,
    fit_transitions,
)

NO_COST_NAME = "no_placement_cost"
CATEGORY_NAMES: tuple[str, ...] = (*(line.value for line in PLACEMENT_LINES), NO_COST_NAME)
ENTRANT_POOL_MONTHS = 24  # who enters is drawn from the entrants of the last two years
# A path's expected entries in a month stay within this many times the fitted months' average:
# the log-scale draws of a fast-wandering rate otherwise reach counts no council has seen.
ENTRY_CEILING = 5.0


@dataclass(frozen=True)
class ProjectionSettings:
    history_years: float = 3.0  # ending and move rates from the last N years of history
    entry_years: float = 3.0  # the entry model from the last N years of whole months


def _months(start: date, steps: int) -> list[Period]:
    first = Period.containing(start).next()
    periods = [first]
    while len(periods) < steps:
        periods.append(periods[-1].next())
    return periods


def _age_months(history: History, day: int | IntArray) -> FloatArray:
    """Each row's age in months on `day` (an ordinal, or one per row), from its 18th birthday."""
    age: FloatArray = ADULT_MONTHS - (history.adult - day) / MONTH_DAYS
    return age


def fit_projection(
    state: ActivityState,
    start: date,
    years: int,
    population: Mapping[int, float] | None,
    *,
    settings: ProjectionSettings | None = None,
    population_source: str | None = None,
    drift_prior: float | None = None,
) -> ProjectionModel:
    """The model of `years` × 12 months after `start` (a month end), from the episodes known then."""
    settings = settings or ProjectionSettings()
    history = build_history(known_placements(state.episodes, start), state.children, start)
    covered = coverage_start(history)
    transitions = fit_transitions(history, settings.history_years, covered)
    until = history.until
    live = np.flatnonzero(
        (history.start <= until) & (history.end > until) & (history.adult > until)
    )
    periods = _months(start, years * 12)
    fitted = fit_entries(
        history, Period.containing(start), settings.entry_years, population, drift_prior
    )
    entries = _entries(history, fitted, periods, population) if fitted is not None else None
    return ProjectionModel(
        start=start,
        month_ends=tuple(p.last_day for p in periods),
        transitions=transitions,
        category=history.line[live],
        age_months=_age_months(history, until)[live],
        duration_months=(until - history.start[live]) / MONTH_DAYS,
        care_months=(until - care_start(history)[live]) / MONTH_DAYS,
        entries=entries,
        assumptions={
            **_assumptions(start, years, settings, transitions, fitted, population_source),
            "looked_after_without_header": _without_header(state, start),
            "returns_cover_from": None if covered is None else covered.isoformat(),
        },
    )


def _without_header(state: ActivityState, start: date) -> int:
    """Children looked after on `start` whom the SSDA903 header does not list: with no date of
    birth they cannot age or turn 18, so they are left out of the projection (and counted)."""
    known = {child.child_id for child in state.children}
    return len({e.child_id for e in state.episodes if e.is_open_on(start)} - known)


def _entries(
    history: History,
    fitted: EntryFit,
    periods: list[Period],
    population: Mapping[int, float] | None,
) -> Entries:
    rows = entry_rows(history)
    rows = rows[
        (history.adult[rows] > history.start[rows]) & (history.start[rows] <= history.until)
    ]
    recent = rows[history.start[rows] > history.until - round(ENTRANT_POOL_MONTHS * MONTH_DAYS)]
    rows = recent if len(recent) else rows  # none lately: whoever entered in the fitted years
    return Entries(
        beta=fitted.beta,
        covariance=fitted.covariance,
        dispersion=fitted.dispersion,
        design=design(fitted.reference, periods),
        offset=population_offset(population if fitted.per_population else None, periods),
        category=history.line[rows],
        age_months=_age_months(history, history.start)[rows],
        drift_sd=fitted.walk_sd,
        passing_sd=fitted.passing_sd,
        ceiling=ENTRY_CEILING * max(fitted.entries / fitted.months, 1.0),
    )


def _assumptions(  # noqa: PLR0917  (one call, every part of the model it describes)
    start: date,
    years: int,
    settings: ProjectionSettings,
    transitions: Transitions,
    fitted: EntryFit | None,
    population_source: str | None,
) -> dict[str, Any]:
    years_at_risk = np.maximum(transitions.exposure_months / 12, 1e-9)
    entries: dict[str, Any] = {"fitted": fitted is not None}
    if fitted is not None:
        entries |= {
            "months_fitted": fitted.months,
            "entries_counted": fitted.entries,
            "per": "10,000 children aged 0-17" if fitted.per_population else "month",
            "population": population_source,
            "coefficients": dict(
                zip(TERMS, (round(float(b), 5) for b in fitted.beta), strict=True)
            ),
            "standard_errors": dict(
                zip(
                    TERMS,
                    (round(float(s), 5) for s in np.sqrt(np.diag(fitted.covariance))),
                    strict=True,
                )
            ),
            "dispersion": round(fitted.dispersion, 3),
            "yearly_drift_sd": round(fitted.drift_sd, 4),
            "random_walk_sd": round(fitted.walk_sd, 4),
            "passing_year_sd": round(fitted.passing_sd, 4),
            "drift_measured_on_years": fitted.drift_years,
            "drift_measured_sd": round(fitted.drift_measured_sd, 4),
            "drift_from": fitted.drift_source,
            # measured and shown; coefficients' trend_per_year is what is carried on of it
            "trend_measured_per_year": round(fitted.trend_measured, 4),
            "trend_standard_error": round(fitted.trend_standard_error, 4),
            "trend": f"carried on only beyond {TREND_ERRORS:g} of its errors (the yearly drift's "
            "share in them), then shrunk by its uncertainty; else the level is held and wanders "
            "from year to year",
            # the level is read as a Kalman filter of the yearly drift weighs the months
            "level": "the local level: later months weigh more as the yearly drift's random walk "
            "outweighs the counts' chance and a passing year's noise",
        }
    return {
        "method": "stock-flow, monthly steps, Monte Carlo",
        "from": start.isoformat(),
        "years": years,
        "steps_months": years * 12,
        "history_years": settings.history_years,
        "entry_years": settings.entry_years,
        "entries": entries,
        "leaving_care_at": 18,
        # what each category's history shows, per child-year in it; the cells' rates (by age,
        # time in placement and time in care) lean on these where their own data are thin
        "yearly_rates_seen": {
            name: {
                "leave_care": round(float(transitions.leave_events[i] / years_at_risk[i]), 4),
                "move": round(float(transitions.move_events[i] / years_at_risk[i]), 4),
                "leave_events": int(transitions.leave_events[i]),
                "move_events": int(transitions.move_events[i]),
                "child_years": round(float(transitions.exposure_months[i] / 12), 1),
            }
            for i, name in enumerate(CATEGORY_NAMES)
        },
    }
