"""The store's own figures as `Figure`s, measured like the published ones and cited as carecast's.

Rates divide by the same ONS 0–17 population the published rates use (the June before each
31 March); the council's own data and the published figures for it therefore differ only where
the data differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from carecast.benchmarking import own
from carecast.benchmarking.figures import Figure, OwnCouncil, Source
from carecast.benchmarking.measures import PER_10K
from carecast.benchmarking.published import observation, rounded
from carecast.domain.activity import Episode
from carecast.domain.finance import Post
from carecast.domain.periods import WEEKS_PER_YEAR
from carecast.domain.provenance import ForecastSnapshot
from carecast.reference.dataset import Observation, ReferenceData

CARECAST = "carecast"


@dataclass(frozen=True)
class OwnInputs:
    """What the store holds for the council, as the service read it."""

    council: OwnCouncil
    episodes: tuple[Episode, ...]
    posts: tuple[Post, ...]
    snapshot: ForecastSnapshot | None = None


@dataclass(frozen=True)
class OwnFigures:
    """Own figures keyed the way the sections ask for them (years as DfE writes them)."""

    known_on: date
    children_now: int
    cla_rate: dict[str, Figure] = field(default_factory=dict)
    started_rate: dict[str, Figure] = field(default_factory=dict)
    ceased_rate: dict[str, Figure] = field(default_factory=dict)
    rate_now: Figure | None = None
    population_now: Observation | None = None
    population_year: str | None = None  # the ONS mid-year the population is for, e.g. '2018'
    mix: dict[str, Figure] = field(default_factory=dict)
    ceased_mix: dict[str, Figure] = field(default_factory=dict)
    agency_rate: Figure | None = None
    vacancy_rate: Figure | None = None
    spend_per_child: Figure | None = None
    placement_spend_per_child_looked_after: Figure | None = None
    average_weekly_cost: Figure | None = None
    ceased_year: str | None = None  # the year to 31 March `ceased_mix` describes, e.g. '2018'
    financial_year: str | None = None  # the forecast's year the money figures describe


def _source(inputs: OwnInputs, table: str, measure: str, year: str) -> Source:
    name = inputs.council.name
    return Source(CARECAST, f"{name}: {table}", "the store", measure, year)


def population_mid_year(data: ReferenceData, la_code: str, day: date) -> tuple[str, Observation]:
    """The latest ONS 0–17 estimate for mid-year on or before `day` (or the earliest there is)."""
    found = data.index.get((la_code, "population_0_17"), {})
    usable = sorted(y for y, o in found.items() if o.value)
    if not usable:
        raise LookupError(f"no ONS population estimate for {la_code}")
    wanted = day.year if day >= date(day.year, 6, 30) else day.year - 1
    earlier = [y for y in usable if int(y) <= wanted]
    year = earlier[-1] if earlier else usable[0]
    return year, found[year]


def _rates(
    data: ReferenceData,
    la_code: str,
    inputs: OwnInputs,
    counts: dict[int, int],
    *,
    what: str,
    label: str,
) -> dict[str, Figure]:
    rates: dict[str, Figure] = {}
    for year, number in counts.items():
        population = observation(data, la_code, "population_0_17", str(year - 1))
        if population is None or not population.value:
            continue
        measure = (
            f"{what} ({number}) ÷ ONS population_estimate mid-{year - 1} "
            f"({population.value:,.0f}) × 10,000"
        )
        rates[str(year)] = Figure(
            rounded(number / population.value * 10_000),
            PER_10K,
            _source(inputs, "SSDA903 episodes", measure, f"{label} {year}"),
        )
    return rates


def _mix(inputs: OwnInputs, day: date) -> dict[str, Figure]:
    groups, children, external = own.placement_mix(list(inputs.episodes), day)
    if not children:
        return {}
    figures = {}
    for group, places in own.PLACEMENT_GROUPS.items():
        codes = ", ".join(sorted(places))
        measure = f"children placed in {codes} ({groups[group]}) ÷ all looked after ({children})"
        figures[group] = Figure(
            rounded(groups[group] / children * 100),
            "%",
            _source(inputs, "SSDA903 episodes", measure, f"{day:%d %B %Y}"),
        )
    measure = f"children with PLACE_PROVIDER PR4 or PR5 ({external}) ÷ all ({children})"
    figures["private_voluntary"] = Figure(
        rounded(external / children * 100),
        "%",
        _source(inputs, "SSDA903 episodes", measure, f"{day:%d %B %Y}"),
    )
    return figures


def _ceased_mix(inputs: OwnInputs, years: list[int]) -> dict[str, Figure]:
    """Why children ceased to be looked after in the latest whole year of the history."""
    if not years:
        return {}
    year = max(years)
    groups, total = own.ceased_reasons(list(inputs.episodes), year)
    if not total:
        return {}
    figures = {}
    for group, codes in own.CEASED_GROUPS.items():
        measure = f"children whose care ended with REC {', '.join(sorted(codes))} ({groups[group]})"
        figures[group] = Figure(
            rounded(groups[group] / total * 100),
            "%",
            _source(
                inputs,
                "SSDA903 episodes",
                f"{measure} ÷ all ceasing ({total})",
                f"year to 31 March {year}",
            ),
        )
    return figures


def _staffing(inputs: OwnInputs, day: date) -> tuple[Figure | None, Figure | None]:
    staffing = own.staffing_on(inputs.posts, day)
    year = f"{day:%d %B %Y}"
    agency = vacancy = None
    if staffing.agency_rate is not None:
        measure = (
            f"agency FTE ({staffing.agency}) ÷ FTE in post and agency "
            f"({staffing.permanent + staffing.secondee + staffing.agency}), all posts"
        )
        agency = Figure(
            rounded(staffing.agency_rate),
            "%",
            _source(inputs, "establishment", measure, year),
            "every post in the establishment; DfE counts children and family social workers",
        )
    if staffing.vacancy_rate is not None:
        measure = (
            f"vacant and agency-covered FTE ({staffing.vacant + staffing.agency}) ÷ all posts' FTE"
        )
        vacancy = Figure(
            rounded(staffing.vacancy_rate),
            "%",
            _source(inputs, "establishment", measure, year),
            "every post in the establishment; DfE counts children and family social workers",
        )
    return agency, vacancy


def _money(
    inputs: OwnInputs, snapshot: ForecastSnapshot, population: Observation, children_now: int
) -> tuple[Figure | None, Figure | None, Figure | None]:
    forecast = snapshot.forecast
    year = f"forecast {forecast.period.financial_year} at {forecast.period}"
    table = f"forecast snapshot {snapshot.snapshot_id}"
    per_child = None
    if population.value:
        measure = (
            f"forecast outturn (£{forecast.forecast_outturn:,.0f}) ÷ ONS population_estimate "
            f"({population.value:,.0f})"
        )
        per_child = Figure(
            rounded(forecast.forecast_outturn / Decimal(str(population.value)), Decimal(1)),
            "£",
            _source(inputs, table, measure, year),
            "the council's CSC budget lines; RO3 totals may cover more or less",
        )
    per_cla = None
    placements = own.placement_outturn(snapshot)
    if children_now:
        measure = (
            f"placement lines' forecast outturn (£{placements:,.0f}) ÷ children looked after "
            f"({children_now}) ÷ 365/7 weeks"
        )
        per_cla = Figure(
            rounded(placements / children_now / WEEKS_PER_YEAR, Decimal(1)),
            "£ a week",
            _source(inputs, table, measure, year),
            "placements only; RO3 spend on children looked after includes more",
        )
    weekly = None
    if (average := own.average_weekly_cost(snapshot)) is not None:
        cost, children = average
        measure = (
            f"Σ children × average weekly cost ÷ Σ children over the placement lines "
            f"({children} children with a costed placement)"
        )
        weekly = Figure(
            rounded(cost, Decimal("0.01")), "£ a week", _source(inputs, table, measure, year)
        )
    return per_child, per_cla, weekly


def own_figures(data: ReferenceData, la_code: str, inputs: OwnInputs) -> OwnFigures:
    """Every own figure the sections and the neighbours'-rate estimate use; `la_code` is the
    council's DfE code (the store may hold it under its ONS code)."""
    episodes = list(inputs.episodes)
    day = inputs.council.known_on
    children_now = len(own.open_on(episodes, day))
    cla = _rates(
        data,
        la_code,
        inputs,
        own.children_on_31_march(episodes, day),
        what="children with an episode open on 31 March",
        label="31 March",
    )
    flows = own.flows(episodes, day)
    started = _rates(
        data,
        la_code,
        inputs,
        {y: s for y, (s, _c) in flows.items()},
        what="children starting to be looked after (RNE S)",
        label="year to 31 March",
    )
    ceased = _rates(
        data,
        la_code,
        inputs,
        {y: c for y, (_s, c) in flows.items()},
        what="children ceasing to be looked after (REC not X1)",
        label="year to 31 March",
    )
    mix = _mix(inputs, day)
    ceased_mix = _ceased_mix(inputs, list(flows))
    ceased_year = str(max(flows)) if ceased_mix else None
    snapshot = inputs.snapshot
    money_year = None if snapshot is None else snapshot.forecast.period.financial_year.label
    agency, vacancy = _staffing(inputs, day)
    try:
        mid_year, population = population_mid_year(data, la_code, day)
    except LookupError:
        # No population for this code: counts and shares still stand, rates cannot be made.
        return OwnFigures(
            day,
            children_now,
            mix=mix,
            ceased_mix=ceased_mix,
            agency_rate=agency,
            vacancy_rate=vacancy,
            ceased_year=ceased_year,
        )
    rate_now = None
    if population.value:
        measure = (
            f"children with an episode open on {day:%d %B %Y} ({children_now}) ÷ ONS "
            f"population_estimate mid-{mid_year} ({population.value:,.0f}) × 10,000"
        )
        rate_now = Figure(
            rounded(children_now / population.value * 10_000),
            PER_10K,
            _source(inputs, "SSDA903 episodes", measure, f"{day:%d %B %Y}"),
        )
    money: tuple[Figure | None, Figure | None, Figure | None] = (None, None, None)
    if inputs.snapshot is not None:
        money = _money(inputs, inputs.snapshot, population, children_now)
    return OwnFigures(
        day,
        children_now,
        cla,
        started,
        ceased,
        rate_now,
        population,
        mid_year,
        mix,
        ceased_mix,
        agency,
        vacancy,
        *money,
        ceased_year=ceased_year,
        financial_year=money_year if money[0] or money[1] else None,
    )
