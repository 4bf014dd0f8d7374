"""The commitments-only baseline: actuals to date + what the finance system already knows.

This is how monitoring is done without carecast, kept as the baseline that backtests beat:
placement lines run every open commitment to its end, the child's 18th birthday or year end
(over-commitments included, late-keyed placements missing, nobody new arriving); staffing runs
each post at its current status and cost to year end; allowance lines run open cases to year
end; lines with no activity driver run at the year's rate so far.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from carecast.domain.activity import derive_placements, live_placements
from carecast.domain.codes import ALLOWANCE_LINES, ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast, ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import actuals_to_date
from carecast.forecast.allowances import allowance_costs
from carecast.forecast.placements import committed_costs
from carecast.forecast.staffing import staffing_cost

ZERO = Decimal(0)
ALLOWANCE_DRIVEN = frozenset(ALLOWANCE_LINES.values()) - {ServiceLine.OTHER_SUPPORT}


def forecast_commitments_only(state: ActivityState, period: Period) -> Forecast:
    """The commitments-only forecast of the year's outturn at the end of `period`."""
    year = period.financial_year
    first, last = period.last_day + timedelta(days=1), year.last_day
    actuals = actuals_to_date(state.ledger, state.cost_centres, period)
    budget = {b.service_line: b.amount for b in state.budget if b.financial_year == year.label}

    dobs = {child.child_id: child.dob for child in state.children}
    placements = committed_costs(state.commitments, first, last, dobs)
    live = live_placements(derive_placements(state.episodes), period.last_day)
    children = Counter(p.category for p in live if p.category is not None)
    allowances = allowance_costs(state.allowances, first, last)
    staffing = staffing_cost(state.posts, first, last, year.days)

    lines = set(budget) | set(actuals.by_line) | set(placements) | set(allowances)
    if state.posts:
        lines.add(ServiceLine.STAFFING)
    if actuals.unmapped:
        lines.add(ServiceLine.OTHER_COSTS)
    remaining_periods = 12 - period.number

    result: list[ForecastLine] = []
    for line in sorted(lines, key=list(ServiceLine).index):
        actual = actuals.by_line.get(line, ZERO)
        if line is ServiceLine.OTHER_COSTS:
            # Spend on unmapped cost centres still counts; it is reported so the mapping can be fixed.
            actual += sum(actuals.unmapped.values(), ZERO)
        count: int | None = None
        weekly: Decimal | None = None
        if line.is_placement:
            committed_line = placements.get(line)
            committed = committed_line.cost if committed_line else ZERO
            weekly = committed_line.average_weekly_cost if committed_line else None
            count = children.get(line, 0)
            method = "actuals_plus_commitments"
        elif line is ServiceLine.STAFFING and state.posts:
            committed, method = staffing, "actuals_plus_posts"
        elif line in ALLOWANCE_DRIVEN:
            committed, count = allowances.get(line, (ZERO, 0))
            method = "actuals_plus_allowances"
        else:
            committed = actual / period.number * remaining_periods
            method = "run_rate"
        result.append(
            ForecastLine(
                service_line=line,
                budget=budget.get(line, ZERO),
                actual_to_date=actual,
                committed=committed,
                demand_allowance=ZERO,
                forecast_outturn=actual + committed,
                method=method,
                children=count,
                average_weekly_cost=weekly,
            )
        )
    notes = tuple(
        f"£{amount:,.2f} posted to cost centre {code}, which has no service line, is counted in "
        "other_costs: add it to cost_centres.csv."
        for code, amount in sorted(actuals.unmapped.items())
    )
    return Forecast(period=period, knowledge_date=state.known_on, lines=tuple(result), notes=notes)
