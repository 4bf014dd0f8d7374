"""'At the neighbours' rate': the case study's arithmetic, from published data and from the store.

If the council looked after children at its statistical neighbours' rate, it would look after
(its rate − their rate) × its 0–17 population ÷ 10,000 fewer children; at the average weekly cost
of a placement for a year (365/7 weeks) that is the spend it would not incur. The case study: 71.8
against 63.8 per 10,000 on 68,272 children is 54.6 fewer children; at about £1,194 a week that is
£3.4m a year.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from carecast.benchmarking.figures import Figure, NeighbourRateEstimate
from carecast.benchmarking.measures import (
    CLA_SPEND,
    population_for_rates,
    rate,
    spend_per_child_looked_after,
)
from carecast.benchmarking.published import neighbours_mean, observation, source, years
from carecast.benchmarking.sections import Context
from carecast.domain.periods import WEEKS_PER_YEAR
from carecast.reference.tidy import ENGLAND

CHILDREN_0_17 = "children aged 0–17"


def arithmetic(
    council_rate: Decimal, neighbours_rate: Decimal, population: Decimal, weekly_cost: Decimal
) -> tuple[Decimal, Decimal]:
    """(children fewer, annual spend difference), from the figures as shown, so that a reader can
    redo it by hand: children to one decimal, pounds to the pound."""
    children = ((council_rate - neighbours_rate) * population / 10_000).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    spend = (children * weekly_cost * WEEKS_PER_YEAR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return children, spend


def _estimate(
    basis: str,
    as_at: str,
    *,
    council_rate: Figure,
    neighbours_rate: Figure,
    population: Figure,
    weekly_cost: Figure,
) -> NeighbourRateEstimate | None:
    values = (council_rate.value, neighbours_rate.value, population.value, weekly_cost.value)
    if any(v is None for v in values):
        return None
    council, neighbours, people, cost = (v for v in values if v is not None)
    children, spend = arithmetic(council, neighbours, people, cost)
    return NeighbourRateEstimate(
        basis,
        as_at,
        council_rate,
        neighbours_rate,
        population,
        weekly_cost,
        WEEKS_PER_YEAR,
        children,
        spend,
    )


def _neighbours_rate(ctx: Context, year: str) -> Figure:
    members = [rate("cla_31_march")(ctx.data, code, year) for code in ctx.neighbours]
    return neighbours_mean(members, len(ctx.neighbours))


def _population(ctx: Context, year: str) -> Figure | None:
    found = population_for_rates(ctx.data, ctx.la_code, "cla_31_march", year)
    if found is None or not found.value:
        return None
    return Figure(
        Decimal(str(round(found.value))),
        CHILDREN_0_17,
        source(found, found.selection, f"mid-{int(year) - 1}, for rates at 31 March {year}"),
    )


def _published_weekly_cost(ctx: Context, year: str) -> Figure:
    """RO3 spend on children looked after per child per week: the council's for the financial year
    ending on `year`'s 31 March, else England's (that year's, else the latest)."""
    weekly = spend_per_child_looked_after(CLA_SPEND, weekly=True)
    financial = f"{int(year) - 1}-{int(year) % 100:02d}"
    own = weekly(ctx.data, ctx.la_code, financial)
    if own.value is not None:
        return own
    england_years = years(ctx.data, ENGLAND, CLA_SPEND)
    fallback = financial if financial in england_years else (england_years or [financial])[-1]
    england = weekly(ctx.data, ENGLAND, fallback)
    note = f"England's average: the council has no RO3 figure for {financial}"
    return Figure(england.value, england.unit, england.source, note)


def published_estimate(ctx: Context) -> NeighbourRateEstimate | None:
    """From published figures only: the latest year with the council's rate, preferring one with
    its revenue outturn for the year ending that 31 March."""
    rated = [
        y
        for y in years(ctx.data, ctx.la_code, "cla_31_march")
        if rate("cla_31_march")(ctx.data, ctx.la_code, y).value is not None
    ]
    if not rated:
        return None
    spent = {str(int(y[:4]) + 1) for y in years(ctx.data, ctx.la_code, CLA_SPEND)}
    year = max((y for y in rated if y in spent), default=rated[-1])
    population = _population(ctx, year)
    if population is None:
        return None
    return _estimate(
        "published",
        f"31 March {year}",
        council_rate=rate("cla_31_march")(ctx.data, ctx.la_code, year),
        neighbours_rate=_neighbours_rate(ctx, year),
        population=population,
        weekly_cost=_published_weekly_cost(ctx, year),
    )


def _year_before(ctx: Context, day: date) -> str | None:
    """The latest published 31 March on or before `day` (else the earliest published)."""
    published = [
        y
        for y in years(ctx.data, ENGLAND, "cla_31_march")
        if observation(ctx.data, ENGLAND, "cla_31_march", y) is not None
    ]
    if not published:
        return None
    earlier = [y for y in published if date(int(y), 3, 31) <= day]
    return earlier[-1] if earlier else published[0]


def own_estimate(ctx: Context) -> NeighbourRateEstimate | None:
    """From the store: children looked after now, at the average weekly cost of the latest
    forecast's placements, against the neighbours' latest published rate before that date."""
    own = ctx.own
    if own is None or own.rate_now is None or own.average_weekly_cost is None:
        return None
    if own.population_now is None or not own.population_now.value:
        return None
    year = _year_before(ctx, own.known_on)
    if year is None:
        return None
    population = Figure(
        Decimal(str(round(own.population_now.value))),
        CHILDREN_0_17,
        source(own.population_now, own.population_now.selection, f"mid-{own.population_year}"),
    )
    neighbours = _neighbours_rate(ctx, year)
    if date(int(year), 3, 31) > own.known_on:
        neighbours = Figure(
            neighbours.value,
            neighbours.unit,
            neighbours.source,
            "the earliest year published, after the council's date",
        )
    return _estimate(
        "own data",
        f"{own.known_on:%d %B %Y}",
        council_rate=own.rate_now,
        neighbours_rate=neighbours,
        population=population,
        weekly_cost=own.average_weekly_cost,
    )
