"""The measures carecast benchmarks, as functions of (reference data, area, year).

Rates per 10,000 are recomputed from the published count and population to one decimal (DfE
publishes them rounded to whole numbers; the case study quotes 71.8); spend per head divides
MHCLG's revenue outturn (£ thousand) by DfE's and ONS's counts of the same year.
"""

from __future__ import annotations

from decimal import Decimal

from carecast.benchmarking.figures import Figure
from carecast.benchmarking.published import (
    Measure,
    joint_note,
    missing,
    observation,
    rounded,
    source,
    why_missing,
)
from carecast.domain.periods import WEEKS_PER_YEAR
from carecast.reference.dataset import Observation, ReferenceData

PER_10K = "per 10,000 children"
CSC_TOTAL = "RO3-csctot-net-cur-exp"
CLA_SPEND = "RO3-csclkd-net-cur-exp"


def at_31_march(year: str) -> str:
    return f"31 March {year}"


def year_to_31_march(year: str) -> str:
    return f"year to 31 March {year}"


def census_30_september(year: str) -> str:
    return f"30 September {year}"


def financial_year(year: str) -> str:
    return f"financial year {year}"


def population_for_rates(
    data: ReferenceData, area: str, count_key: str, year: str
) -> Observation | None:
    """The 0–17 population a year's rates divide by: the one DfE published beside the count, else
    the ONS estimate for the June before 31 March (what DfE uses)."""
    beside = observation(data, area, f"{count_key}:population", year)
    if beside is not None and beside.value:
        return beside
    return observation(data, area, "population_0_17", str(int(year[:4]) - 1))


def _quotient(numerator: str, denominator: str) -> str:
    """'a where f ÷ b where f' written once: 'a ÷ b where f'."""
    top, _, top_filter = numerator.partition(" where ")
    bottom, _, bottom_filter = denominator.partition(" where ")
    if top_filter and top_filter == bottom_filter:
        return f"{top} ÷ {bottom} where {top_filter}"
    return f"{numerator} ÷ {denominator}"


def rate(count_key: str, year_text: str = "31 March") -> Measure:
    """Children per 10,000 aged 0–17: count ÷ population × 10,000, to one decimal."""
    describe = at_31_march if year_text == "31 March" else year_to_31_march

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        count = observation(data, area, count_key, year)
        if count is None or count.value is None:
            return missing(PER_10K, count_key, describe(year), why_missing(count))
        population = population_for_rates(data, area, count_key, year)
        if population is None or not population.value:
            return missing(PER_10K, count_key, describe(year), "no population estimate")
        value = count.value / population.value * 10_000
        measure = _quotient(count.selection, population.selection) + " × 10,000"
        if population.file != count.file:
            measure = (
                f"{count.selection} ÷ {population.selection} (ONS mid-{int(year[:4]) - 1}, "
                f"{population.file}) × 10,000"
            )
        return Figure(
            rounded(value), PER_10K, source(count, measure, describe(year)), joint_note(count)
        )

    return figure


def count(count_key: str, unit: str = "children") -> Measure:
    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        found = observation(data, area, count_key, year)
        if found is None or found.value is None:
            return missing(unit, count_key, at_31_march(year), why_missing(found))
        return Figure(
            rounded(found.value, Decimal(1)),
            unit,
            source(found, found.selection, at_31_march(year)),
            joint_note(found),
        )

    return figure


def per_10k_of_children(count_key: str) -> Measure:
    """A count in the year (e.g. new placements) per 10,000 children, by the year's population."""

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        found = observation(data, area, count_key, year)
        if found is None or found.value is None:
            return missing(PER_10K, count_key, year_to_31_march(year), why_missing(found))
        population = population_for_rates(data, area, "cla_31_march", year)
        if population is None or not population.value:
            return missing(PER_10K, count_key, year_to_31_march(year), "no population estimate")
        measure = f"{found.selection} ÷ {population.selection} ({population.file}) × 10,000"
        return Figure(
            rounded(found.value / population.value * 10_000),
            PER_10K,
            source(found, measure, year_to_31_march(year)),
            joint_note(found),
        )

    return figure


def spend_per_child(spend_code: str = CSC_TOTAL) -> Measure:
    """Net current expenditure (RO3, £ thousand × 1,000) per child aged 0–17, by the ONS estimate
    for the June the financial year began in."""

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        spend = observation(data, area, spend_code, year)
        if spend is None or spend.value is None:
            return missing("£", spend_code, financial_year(year), why_missing(spend))
        mid_year = year[:4]
        population = observation(data, area, "population_0_17", mid_year)
        if population is None or not population.value:
            return missing("£", spend_code, financial_year(year), "no population estimate")
        measure = (
            f"{spend.selection} × £1,000 ÷ {population.selection} "
            f"(mid-{mid_year}, {population.file})"
        )
        return Figure(
            rounded(spend.value * 1000 / population.value, Decimal(1)),
            "£",
            source(spend, measure, financial_year(year)),
        )

    return figure


def spend_per_child_looked_after(spend_code: str = CLA_SPEND, weekly: bool = False) -> Measure:
    """RO3 spend on children looked after ÷ children looked after on the 31 March the year ends
    on; `weekly` divides the year's figure by 365/7 weeks."""

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        unit = "£ a week" if weekly else "£"
        spend = observation(data, area, spend_code, year)
        if spend is None or spend.value is None:
            return missing(unit, spend_code, financial_year(year), why_missing(spend))
        year_end = str(int(year[:4]) + 1)
        children = observation(data, area, "cla_31_march", year_end)
        if children is None or not children.value:
            note = f"no count of children looked after on 31 March {year_end}"
            return missing(unit, spend_code, financial_year(year), note)
        value = spend.value * 1000 / children.value
        measure = f"{spend.selection} × £1,000 ÷ {children.selection} (31 March {year_end})"
        if weekly:
            value = float(Decimal(str(value)) / WEEKS_PER_YEAR)
            measure += " ÷ 365/7 weeks"
        return Figure(
            rounded(value, Decimal(1)),
            unit,
            source(spend, measure, financial_year(year)),
            joint_note(children),
        )

    return figure
