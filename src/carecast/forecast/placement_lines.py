"""The placement lines' forecast: live placements priced from commitments, plus the demand allowance.

Steps: the episode history as known at the close → fitted ending rates, moves and arrivals; live
placements matched to commitments for their price (unmatched ones at the line's recent average,
flagged); expected daily costs to year end (stock.py), summed into months per driver. Everything
the simulation needs is kept in `PlacementModel` so that the paths use the very same inputs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastItem
from carecast.domain.state import ActivityState
from carecast.forecast.arrivals import ArrivalFit, fit_arrivals
from carecast.forecast.assumptions import PlacementAssumptions
from carecast.forecast.end_dates import EndDateEvidence, commitment_end_dates
from carecast.forecast.hazards import Hazards, fit_hazards
from carecast.forecast.history import (
    AGE_LIMITS,
    LINE_INDEX,
    LINES,
    FloatArray,
    IntArray,
    birthday_ordinal,
    build_history,
    known_placements,
)
from carecast.forecast.lines import pence
from carecast.forecast.matching import (
    AHEAD_PLACE,
    Matching,
    commitments_ahead_of_ssda903,
    match_placements,
)
from carecast.forecast.pricing import LinePrices, line_prices
from carecast.forecast.stock import (
    Current,
    Expected,
    arrival_occupancy,
    entrant_profile,
    expected_costs,
    occupancy,
    prepare_current,
)
from carecast.forecast.window import Window, uplift_factors

FAR_FUTURE = date(9999, 12, 31).toordinal()
UNMATCHED = "no_commitment"


@dataclass(frozen=True)
class PlacementModel:
    window: Window
    current: Current
    hazards: Hazards
    occ: FloatArray  # (age bands, lines, lines, days) from stock.occupancy
    arrival_occ: FloatArray  # (lines, lines, days)
    arrival_fit: ArrivalFit | None
    daily_arrivals: FloatArray  # (lines, days)
    monthly_arrivals: FloatArray  # (months, lines)
    prices: LinePrices
    new_price: FloatArray
    new_factors: FloatArray
    entrants: dict[int, tuple[IntArray, IntArray]]
    expected: Expected
    matching: Matching
    moves: bool
    placements: tuple[Placement, ...]  # as known at the close
    end_dates: EndDateEvidence
    end_dates_rolled: bool


def _uplifts(
    assumptions: PlacementAssumptions,
) -> dict[ServiceLine, list[tuple[date, float]]]:
    table: dict[ServiceLine, list[tuple[date, float]]] = {line: [] for line in LINES}
    for uplift in assumptions.uplifts:
        for line in uplift.service_lines or LINES:
            table[line].append((uplift.date, uplift.pct))
    return table


def _daily(window: Window, monthly: FloatArray) -> FloatArray:
    """Monthly arrivals (months, lines) spread evenly over each month's days: (lines, days)."""
    index = window.month_of_day
    lengths = np.bincount(index, minlength=monthly.shape[0]).astype(float)
    return (monthly[index] / lengths[index][:, None]).T  # type: ignore[no-any-return]


def build_placement_model(
    state: ActivityState,
    period: Period,
    assumptions: PlacementAssumptions,
    window: Window | None = None,
) -> PlacementModel:
    """Everything known at the close of `period`, as a model of the days of `window` (default:
    the rest of the financial year)."""
    close = period.last_day
    window = window or Window.after(period)
    placements = known_placements(state.episodes, close)
    history = build_history(placements, state.children, close)
    hazards = fit_hazards(history, assumptions.history_years, assumptions.early_ending_factor)
    uplifts = _uplifts(assumptions)
    prices = line_prices(
        state.commitments,
        close,
        assumptions.price_history_days,
        uplifts,
        overrides=assumptions.new_placement_weekly_cost,
        placements=placements,
        earlier=state.earlier_commitments,
        trends=assumptions.new_placement_price_trend,
    )
    matching = commitments_ahead_of_ssda903(
        match_placements(placements, state.commitments, close), placements, close
    )
    dobs = {child.child_id: child.dob for child in state.children}
    for match in matching.matches:
        # a child not in the SSDA903 header yet is taken as 12, the middle of the 10–15 band
        dobs.setdefault(match.placement.child_id, date(close.year - 12, close.month, 1))
    rows = [m for m in matching.matches if m.placement.child_id in dobs]
    keys = tuple(m.placement.child_id for m in rows)
    line = np.array([LINE_INDEX[m.line] for m in rows], dtype=np.int64)
    price = np.array(
        [
            float(m.commitment.net_weekly_cost)
            if m.commitment is not None
            else prices.weekly[m.line]
            for m in rows
        ]
    )
    # a commitment's price was set when it started; an unmatched placement is priced today
    factors = np.array(
        [
            uplift_factors(
                window, m.commitment.start if m.commitment is not None else close, uplifts[m.line]
            )
            for m in rows
        ]
    ).reshape(len(rows), window.days)
    evidence = commitment_end_dates(
        state.earlier_commitments, state.commitments, state.earlier_commitments_on or close, close
    )
    rolled = evidence.rolled_on
    if assumptions.commitment_end_dates_rolled is not None:
        rolled = assumptions.commitment_end_dates_rolled
    # where end dates are rolled on while the placement lasts, a commitment's END_DATE is no
    # planned end: the ending rates decide when the placement ends
    planned = np.array(
        [
            m.commitment.end.toordinal()
            if m.commitment is not None and m.commitment.end is not None and not rolled
            else FAR_FUTURE
            for m in rows
        ],
        dtype=np.int64,
    )
    start = np.array([m.placement.start.toordinal() for m in rows], dtype=np.int64)
    adult = np.array([birthday_ordinal(dobs[k], 18) for k in keys], dtype=np.int64)
    bounds = np.array(
        [[birthday_ordinal(dobs[k], y) for y in AGE_LIMITS] for k in keys], dtype=np.int64
    ).reshape(len(keys), len(AGE_LIMITS))
    current = prepare_current(
        window,
        hazards,
        keys=keys,
        line=line,
        price=price,
        factors=factors,
        start=start,
        planned_last=planned,
        adult=adult,
        age_bounds=bounds,
    )
    months = window.periods
    fit = fit_arrivals(
        history,
        period,
        assumptions.history_years,
        trend=assumptions.arrival_trend,
        seasonality=assumptions.arrival_seasonality,
    )
    monthly = fit.monthly(months) if fit is not None else np.zeros((len(months), len(LINES)))
    if assumptions.arrivals_by_month is not None:
        for service_line, by_month in assumptions.arrivals_by_month.items():
            for index, month in enumerate(months):
                if month.label in by_month:
                    monthly[index, LINE_INDEX[service_line]] = by_month[month.label]
    if assumptions.arrivals_per_month is not None:
        for service_line, value in assumptions.arrivals_per_month.items():
            monthly[:, LINE_INDEX[service_line]] = value
    daily = _daily(window, monthly) if window.days else np.zeros((len(LINES), 0))
    occ = occupancy(hazards, window.days)
    entrants = entrant_profile(history, assumptions.history_years)
    arrival_occ = arrival_occupancy(occ, entrants)
    new_price = np.array([prices.weekly[line] for line in LINES])
    after_close = np.arange(1, window.days + 1, dtype=float)
    new_factors = np.array(
        [
            uplift_factors(window, close, uplifts[line]) * prices.factor(line, after_close)
            for line in LINES
        ]
    ).reshape(len(LINES), window.days)
    expected = expected_costs(
        current,
        hazards,
        occ=occ,
        arrival_occ=arrival_occ,
        daily_arrivals=daily,
        new_price=new_price,
        new_factors=new_factors,
        moves=assumptions.moves,
    )
    return PlacementModel(
        window,
        current,
        hazards,
        occ,
        arrival_occ,
        fit,
        daily,
        monthly,
        prices,
        new_price,
        new_factors,
        entrants,
        expected,
        matching,
        assumptions.moves,
        tuple(placements),
        evidence,
        rolled,
    )


def placement_items(model: PlacementModel) -> list[ForecastItem]:
    """One item per live placement: its price and committed cost (rounded to the penny)."""
    items: list[ForecastItem] = []
    window = model.window
    committed = (model.current.price[:, None] / 7 * model.current.factors) * (
        np.arange(window.days)[None, :] < model.current.cap[:, None]
    )
    flags = {
        m.placement.child_id: UNMATCHED
        if m.commitment is None
        else AHEAD_PLACE
        if m.placement.place == AHEAD_PLACE
        else None
        for m in model.matching.matches
    }
    for i, key in enumerate(model.current.keys):
        cap = int(model.current.cap[i])
        first = window.first
        last = date.fromordinal(first.toordinal() + cap - 1) if cap else first
        items.append(
            ForecastItem(
                kind="placement",
                key=key,
                service_line=LINES[int(model.current.line[i])],
                weekly_cost=pence(float(model.current.price[i])),
                first_day=first,
                last_day=last,
                committed=pence(float(committed[i].sum())),
                flag=flags.get(key),
            )
        )
    return items


def live_counts(model: PlacementModel) -> Counter[ServiceLine]:
    return Counter(LINES[int(i)] for i in model.current.line)


def fitted_assumptions(model: PlacementModel) -> dict[str, object]:
    """The fitted values, in the shape of PlacementAssumptions' overridable fields."""
    months = model.window.periods
    return {
        # month by month (trend and season included) and at full precision, so that the
        # assumptions as used, given back, reproduce the forecast to the penny
        "arrivals_by_month": {
            line.value: {
                month.label: float(model.monthly_arrivals[m, i]) for m, month in enumerate(months)
            }
            for i, line in enumerate(LINES)
        },
        "new_placement_weekly_cost": {
            line.value: repr(float(model.prices.weekly[line])) for line in LINES
        },
        "new_placement_price_trend": {
            line.value: repr(model.prices.trend.get(line, 0.0)) for line in LINES
        },
        "commitment_end_dates_rolled": model.end_dates_rolled,
    }


__all__ = [
    "UNMATCHED",
    "PlacementModel",
    "build_placement_model",
    "fitted_assumptions",
    "live_counts",
    "placement_items",
]
