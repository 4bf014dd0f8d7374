"""Whole benchmarks from the shipped data: pinned to the published files, and one for every
council code in them."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from carecast.benchmarking.assemble import benchmark, resolve_code
from carecast.benchmarking.estimate import arithmetic
from carecast.benchmarking.figures import BenchmarkResult, Figure, OwnCouncil
from carecast.benchmarking.own_figures import OwnInputs
from carecast.domain.activity import Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Post
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import Council, Forecast, ForecastLine, ForecastSnapshot
from carecast.errors import NotFound
from carecast.reference.dataset import ReferenceData, load_reference
from carecast.reference.library import DATA, shipped_files


@pytest.fixture(scope="module")
def data() -> ReferenceData:
    return load_reference(shipped_files())


@pytest.fixture(scope="module")
def lewisham(data: ReferenceData) -> BenchmarkResult:
    return benchmark(data, "209")


def published_rates_2025() -> dict[str, float]:
    """Each area's 31 March 2025 rate to one decimal, read straight from the CSV."""
    with (DATA / "cla_number_and_rate_per_10k_children.csv").open(encoding="utf-8-sig") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["time_period"] == "2025"
            and r["population_type"] == "Children looked after on 31 March each year"
        ]
    return {
        (r["old_la_code"] or "england"): round(
            int(r["children_count"]) / int(r["population_estimate"]) * 10_000, 1
        )
        for r in rows
        if r["geographic_level"] in ("National", "Local authority")
        and r["children_count"].isdigit()  # some councils' cells are 'z' (not applicable)
    }


def test_lewisham_against_its_neighbours_and_england_in_2025(lewisham: BenchmarkResult) -> None:
    assert (lewisham.name, lewisham.ons_code) == ("Lewisham", "E09000023")
    assert [n.la_code for n in lewisham.neighbours.members][:3] == ["208", "210", "306"]
    assert lewisham.neighbours.source.file == "sn_model_2025_wide.csv"
    row = next(r for r in lewisham.section("cla_rate").rows if r.year == "2025")
    rates = published_rates_2025()
    neighbours = [rates[n.la_code] for n in lewisham.neighbours.members]
    assert row.council.value == Decimal("70.7")  # 439 ÷ 62,052 × 10,000
    assert row.england.value == Decimal("67.1")  # 81,770 ÷ 12,183,016 × 10,000
    assert float(row.neighbours.value or 0) == pytest.approx(sum(neighbours) / 10, abs=0.05)
    assert row.council.source.file == "cla_number_and_rate_per_10k_children.csv"
    assert row.council.source.year == "31 March 2025"


def test_lewishams_rate_runs_from_2017_to_2025(lewisham: BenchmarkResult) -> None:
    rows = lewisham.section("cla_rate").rows
    assert [r.year for r in rows] == [str(y) for y in range(2017, 2026)]
    assert rows[0].council.value == Decimal("68.1")  # SFR 50: 457 ÷ 67,077 (mid-2016)
    assert rows[0].council.source.file == "SFR50_CLA2017.csv"


def test_the_published_estimate_is_the_arithmetic_of_its_figures(
    lewisham: BenchmarkResult,
) -> None:
    estimate = next(e for e in lewisham.estimates if e.basis == "published")
    assert estimate.as_at == "31 March 2025"
    assert estimate.population.value == Decimal(62052)
    # RO3 2024-25: £74,318,000 ÷ 439 children ÷ 365/7 weeks = £3,247 a week.
    assert estimate.average_weekly_cost.value == Decimal(3247)
    values = (
        estimate.council_rate.value,
        estimate.neighbours_rate.value,
        estimate.population.value,
        estimate.average_weekly_cost.value,
    )
    assert all(v is not None for v in values)
    assert (estimate.children_fewer, estimate.annual_difference) == arithmetic(
        *(v for v in values if v is not None)
    )


def test_workforce_and_spend_are_cited(lewisham: BenchmarkResult) -> None:
    agency = next(r for r in lewisham.section("workforce").rows if r.year == "2017")
    assert agency.council.value == Decimal("27.3")
    assert agency.england.value == Decimal("15.8")
    assert agency.council.source.year == "30 September 2017"
    spend = lewisham.section("spend").rows[-3]
    assert spend.year == "2024-25"
    assert spend.council.value == Decimal(1947)  # £120,816,000 ÷ 62,052 children (mid-2024)
    assert spend.council.source.publisher.startswith("Ministry of Housing")


def test_codes_are_accepted_in_either_form(data: ReferenceData) -> None:
    assert resolve_code(data, "E09000023") == "209"
    assert resolve_code(data, " 209 ") == "209"
    with pytest.raises(NotFound):
        resolve_code(data, "999")
    with pytest.raises(NotFound):
        resolve_code(data, "E09999999")


def cited(figure: Figure) -> bool:
    return figure.value is None or bool(figure.source.file and figure.source.year)


def test_every_council_code_in_the_shipped_data_gets_a_benchmark(data: ReferenceData) -> None:
    codes = data.council_codes()
    assert len(codes) >= 158
    for code in codes:
        result = benchmark(data, code)
        assert result.la_code == code
        assert {s.key for s in result.sections} == {
            "cla_rate", "flows", "placement_mix", "workforce", "spend"
        }  # fmt: skip
        figures = [
            f for s in result.sections for r in s.rows for f in (r.council, r.neighbours, r.england)
        ]
        assert all(cited(f) for f in figures), code
        # Every council has at least one published figure of its own.
        assert any(r.council.value is not None for s in result.sections for r in s.rows), code


def own_council(*posts: Post) -> OwnInputs:
    return OwnInputs(OwnCouncil("Test Borough", "209", date(2018, 9, 30), None), (), posts)


def test_the_workforce_note_quotes_the_council_s_own_agency_share(data: ReferenceData) -> None:
    # Three permanent FTE and one agency FTE in post: agency staff hold 1 ÷ 4 = 25.0%.
    posts = (
        Post("P1", "Safeguarding", "Social Worker", Decimal(3), "permanent", Decimal(120000)),
        Post("P2", "Safeguarding", "Social Worker", Decimal(1), "agency", Decimal(70000)),
        Post("P3", "Safeguarding", "Team Manager", Decimal(1), "vacant", Decimal(55000)),
    )
    notes = " ".join(benchmark(data, "209", own_council(*posts)).section("workforce").notes)
    assert "on 30 September 2018 agency staff held 25.0% of the FTE in post" in notes
    assert "case study" not in notes
    assert "31.7" not in notes


def test_no_council_is_told_the_case_study_s_agency_share(data: ReferenceData) -> None:
    without_posts = benchmark(data, "209", own_council()).section("workforce").notes
    assert "its establishment on 30 September 2018 has no post in use to count" in " ".join(
        without_posts
    )
    for notes in (without_posts, benchmark(data, "208").section("workforce").notes):
        assert not any("case study" in note or "31.7" in note for note in notes)


def september_2018(known_on: date = date(2018, 9, 30)) -> OwnInputs:
    """A council in the store with Lewisham's code: one agency and three permanent FTE, and a
    forecast for 2018-19 of £1,000,000 on placements."""
    posts = (
        Post("P1", "Safeguarding", "Social Worker", Decimal(3), "permanent", Decimal(120000)),
        Post("P2", "Safeguarding", "Social Worker", Decimal(1), "agency", Decimal(70000)),
    )
    lines = (
        ForecastLine(
            ServiceLine.PLACEMENTS_IFA,
            Decimal(900000),
            Decimal(500000),
            Decimal(500000),
            Decimal(0),
            Decimal(1000000),
            "activity",
            children=20,
            average_weekly_cost=Decimal(950),
        ),
    )
    forecast = Forecast(Period(2018, 9), date(2018, 10, 15), lines)
    council = Council(1, "Test Borough", "209")
    snapshot = ForecastSnapshot(7, council, datetime(2018, 10, 15, tzinfo=UTC), forecast)
    episodes = (Episode("C1", date(2018, 5, 1), "S", "C2", "N1", "U4", "PR4"),)
    return OwnInputs(OwnCouncil("Test Borough", "209", known_on, 7), episodes, posts, snapshot)


def own_rows(result: BenchmarkResult, key: str) -> list[tuple[str, bool]]:
    """(year, whether the row carries published figures) of each row with an own figure."""
    return [
        (row.year, any(f.value is not None for f in (row.council, row.neighbours, row.england)))
        for row in result.section(key).rows
        if row.own is not None
    ]


def test_the_council_s_2018_19_spend_is_never_in_a_row_of_another_year(
    data: ReferenceData,
) -> None:
    # MHCLG's outturn is shipped for 2023-24 and 2024-25 only: the 2018-19 forecast's figures
    # get a 2018-19 row of their own, with no published figure beside them.
    result = benchmark(data, "209", september_2018())
    assert own_rows(result, "spend") == [("2018-19", False), ("2018-19", False)]
    years = [row.year for row in result.section("spend").rows]
    assert years == ["2018-19"] * 3 + ["2023-24"] * 3 + ["2024-25"] * 3
    own = next(row.own for row in result.section("spend").rows if row.own is not None)
    assert own is not None
    assert own.source.year == "forecast 2018-19 at 2018-09"


def test_an_own_figure_of_a_census_day_sits_in_that_census_s_row(data: ReferenceData) -> None:
    result = benchmark(data, "209", september_2018())
    # The establishment on 30 September 2018, beside DfE's census of 30 September 2018.
    assert own_rows(result, "workforce") == [("2018", True), ("2018", True)]
    agency = next(r for r in result.section("workforce").rows if r.own is not None)
    assert agency.own is not None
    assert agency.own.value == Decimal("25.0")  # 1 agency FTE of 4 in post
    assert agency.council.value == Decimal("30.1")  # Lewisham's published 2018 figure


def test_an_own_figure_of_another_day_gets_a_row_labelled_with_that_day(
    data: ReferenceData,
) -> None:
    result = benchmark(data, "209", september_2018(date(2018, 12, 31)))
    assert own_rows(result, "workforce") == [("31 Dec 2018", False), ("31 Dec 2018", False)]
    # The placement mix on a day that is not a 31 March is not put in a 31 March row either.
    assert {year for year, _ in own_rows(result, "placement_mix")} == {"31 Dec 2018"}
    foster = [r for r in result.section("placement_mix").rows if r.measure.startswith("Foster")]
    # SFR 50's councils in 2017; England's nearest to 31 March 2019 (2020) and latest (2024).
    assert [r.year for r in foster] == ["2017", "31 Dec 2018", "2020", "2024"]


def test_each_section_shows_the_published_year_of_the_financial_year(
    data: ReferenceData,
) -> None:
    # For 2018-19: the year to 31 March 2019 for flows, the census of 30 September 2018.
    result = benchmark(data, "209", year=FinancialYear(2018))
    starting = [r.year for r in result.section("flows").rows if "starting" in r.measure]
    assert starting == ["2019", "2023", "2024", "2025"]
    turnover = [r.year for r in result.section("workforce").rows if "turnover" in r.measure]
    assert turnover == ["2018", "2025"]
    # No published 2018-19 outturn: the nearest, 2023-24, is among the years shown anyway.
    assert {r.year for r in result.section("spend").rows} == {"2023-24", "2024-25"}
