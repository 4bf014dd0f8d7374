"""Benchmark arithmetic on a tiny hand-made release: rates, shares, neighbours' means, spend per
child, and the case study's 'at the neighbours' rate' sum."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecast.benchmarking.estimate import arithmetic
from carecast.benchmarking.measures import rate, spend_per_child, spend_per_child_looked_after
from carecast.benchmarking.published import neighbours_mean, published_row, share
from carecast.reference.dataset import ReferenceData

RATES = "cla_rates"
CLA = "children_count where population_type = 'Children looked after on 31 March each year'"
POP = "population_estimate where population_type = 'Children looked after on 31 March each year'"
Row = tuple[str, str, str, float | None, str | None, str, str]


def reference(rows: Sequence[Row]) -> ReferenceData:
    """rows: (area, year, measure, value, symbol, selection, kind)."""
    frame = pl.DataFrame(
        [
            {
                "area": area,
                "year": year,
                "measure": measure,
                "value": value,
                "symbol": symbol,
                "selection": selection,
                "joint": None,
                "file": f"{kind}.csv",
                "kind": kind,
            }
            for area, year, measure, value, symbol, selection, kind in rows
        ],
        schema={
            "area": pl.String,
            "year": pl.String,
            "measure": pl.String,
            "value": pl.Float64,
            "symbol": pl.String,
            "selection": pl.String,
            "joint": pl.String,
            "file": pl.String,
            "kind": pl.String,
        },
    )
    empty = pl.DataFrame(schema=dict.fromkeys(("la_code", "new_la_code", "la_name"), pl.String))
    return ReferenceData(frame, pl.DataFrame(), empty)


def looked_after(area: str, year: str, children: float, population: float) -> list[Row]:
    return [
        (area, year, "cla_31_march", children, None, CLA, RATES),
        (area, year, "cla_31_march:population", population, None, POP, RATES),
    ]


@pytest.fixture
def data() -> ReferenceData:
    return reference(
        looked_after("100", "2018", 480, 68_272)
        + looked_after("101", "2018", 300, 50_000)
        + looked_after("102", "2018", 700, 100_000)
        + looked_after("england", "2018", 75_360, 11_866_960)
        + [
            ("103", "2018", "cla_31_march", None, "c", CLA, RATES),
            ("100", "2017", "cla_31_march", 457, None, "CLA_Mar2017", "sfr50_cla"),
            ("100", "2016", "population_0_17", 67_077, None, "population_estimate", "population"),
            ("100", "2017", "sfr50:CLA_Fost", 360, None, "CLA_Fost", "sfr50_cla"),
            ("100", "2017", "sfr50:CLA_Secure", 68, None, "CLA_Secure", "sfr50_cla"),
            ("100", "2017", "sfr50:CLA_RSch", None, "x", "CLA_RSch", "sfr50_cla"),
            (
                "100",
                "2024-25",
                "RO3-csctot-net-cur-exp",
                120_816,
                None,
                "csctot",
                "revenue_outturn",
            ),
            ("100", "2024-25", "RO3-csclkd-net-cur-exp", 74_318, None, "csclkd", "revenue_outturn"),
            ("100", "2024", "population_0_17", 62_052, None, "population_estimate", "population"),
            ("100", "2025", "cla_31_march", 439, None, CLA, RATES),
        ]
    )


def test_a_rate_is_the_count_per_10000_children_to_one_decimal(data: ReferenceData) -> None:
    figure = rate("cla_31_march")(data, "100", "2018")
    assert figure.value == Decimal("70.3")  # 480 ÷ 68,272 × 10,000 = 70.31
    assert figure.unit == "per 10,000 children"
    assert figure.source.year == "31 March 2018"
    assert figure.source.file == "cla_rates.csv"
    assert figure.source.measure == (
        "children_count ÷ population_estimate where population_type = 'Children looked after on "
        "31 March each year' × 10,000"
    )


def test_a_count_without_its_population_divides_by_the_ons_estimate_before(
    data: ReferenceData,
) -> None:
    figure = rate("cla_31_march")(data, "100", "2017")
    assert figure.value == Decimal("68.1")  # 457 ÷ 67,077 (mid-2016) × 10,000 = 68.13
    assert "mid-2016" in figure.source.measure


def test_a_suppressed_count_has_no_figure_and_says_why(data: ReferenceData) -> None:
    figure = rate("cla_31_march")(data, "103", "2018")
    assert figure.value is None
    assert figure.note == "suppressed (c)"


def test_the_neighbours_figure_is_the_mean_of_those_with_one(data: ReferenceData) -> None:
    row = published_row(
        data,
        "100",
        ("101", "102", "103"),
        label="rate",
        measure=rate("cla_31_march"),
        year="2018",
    )
    # 101: 300 ÷ 50,000 = 60.0; 102: 700 ÷ 100,000 = 70.0; 103 suppressed → mean 65.0 of 2.
    assert row.neighbours.value == Decimal("65.0")
    assert row.neighbours.note == "mean of 2 of 3 neighbours"
    assert row.england.value == Decimal("63.5")  # 75,360 ÷ 11,866,960 × 10,000 = 63.50
    assert row.council.value == Decimal("70.3")


def test_a_share_leaves_out_suppressed_parts_and_says_it_is_a_lower_bound(
    data: ReferenceData,
) -> None:
    residential = share(
        ("sfr50:CLA_Secure", "sfr50:CLA_RSch"), "cla_31_march", lambda y: y, "residential"
    )
    figure = residential(data, "100", "2017")
    assert figure.value == Decimal("14.9")  # 68 ÷ 457 = 14.88% (CLA_RSch is x)
    assert figure.note == "lower bound: 1 suppressed count(s) left out"
    only_hidden = share(("sfr50:CLA_RSch",), "cla_31_march", lambda y: y, "schools")
    assert only_hidden(data, "100", "2017").value is None
    assert only_hidden(data, "100", "2017").note == "suppressed (x)"


def test_spend_per_child_and_per_child_looked_after(data: ReferenceData) -> None:
    per_child = spend_per_child()(data, "100", "2024-25")
    assert per_child.value == Decimal(1947)  # £120,816,000 ÷ 62,052 = £1,947.0
    per_cla = spend_per_child_looked_after()(data, "100", "2024-25")
    assert per_cla.value == Decimal(169289)  # £74,318,000 ÷ 439 = £169,289.3
    weekly = spend_per_child_looked_after(weekly=True)(data, "100", "2024-25")
    assert weekly.value == Decimal(3247)  # ÷ 365/7 = £3,246.6
    assert weekly.unit == "£ a week"
    assert per_cla.source.year == "financial year 2024-25"


def test_the_case_studys_neighbours_rate_sum() -> None:
    # 71.8 against 63.8 per 10,000 on 68,272 children is 54.6 fewer children; at £1,194 a week
    # for 365/7 weeks: 54.6 × 1,194 × 365 ÷ 7 = £3,399,318 — "about £3.4m less".
    children, spend = arithmetic(Decimal("71.8"), Decimal("63.8"), Decimal(68272), Decimal(1194))
    assert children == Decimal("54.6")
    assert spend == Decimal(3399318)


def test_below_the_neighbours_rate_the_sum_is_negative() -> None:
    children, spend = arithmetic(Decimal(60), Decimal(70), Decimal(10000), Decimal(1000))
    assert (children, spend) == (Decimal(-10), Decimal(-521429))


@given(
    st.decimals(min_value=0, max_value=200, places=1),
    st.decimals(min_value=0, max_value=200, places=1),
    st.integers(min_value=1, max_value=500_000),
    st.decimals(min_value=0, max_value=10_000, places=2),
)
def test_the_sum_is_antisymmetric_and_zero_at_the_neighbours_rate(
    council: Decimal, neighbours: Decimal, population: int, cost: Decimal
) -> None:
    there = arithmetic(council, neighbours, Decimal(population), cost)
    back = arithmetic(neighbours, council, Decimal(population), cost)
    assert there[0] == -back[0]
    assert abs(there[1] + back[1]) <= 1  # each side rounds to the pound
    assert arithmetic(council, council, Decimal(population), cost) == (Decimal(0), Decimal(0))


def test_a_mean_of_no_figures_is_no_figure() -> None:
    figure = neighbours_mean([], 0)
    assert figure.value is None
    assert figure.note == "no neighbour has a figure"
