"""The council's own figures are counted the way DfE counts the published ones."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from carecast.benchmarking import own
from carecast.benchmarking.figures import OwnCouncil
from carecast.benchmarking.own_figures import OwnInputs, own_figures
from carecast.domain.activity import Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Post
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastLine, ForecastSnapshot
from tests.test_benchmarking_measures import reference


def ep(
    child: str,
    start: str,
    end: str | None = None,
    *,
    rne: str = "S",
    place: str = "U4",
    provider: str = "PR1",
    rec: str | None = None,
) -> Episode:
    return Episode(
        child,
        date.fromisoformat(start),
        rne,
        "C2",
        "N1",
        place,
        provider,
        None if end is None else date.fromisoformat(end),
        rec if rec is not None else (None if end is None else "E8"),
    )


# Synthetic children. A left on 2 June 2016: the history is complete from 31 March 2016.
HISTORY = [
    ep("A", "2015-01-10", "2016-06-02", rec="E11"),  # adopted in the year to 31 March 2017
    ep("B", "2014-05-01", "2016-09-01", rec="X1"),  # moves placement, stays looked after
    ep("B", "2016-09-01", rne="P", place="K2", provider="PR4"),
    ep("C", "2016-12-01", "2017-03-31", rec="E45"),  # SGO; out on 31 March, not counted then
    ep("D", "2017-02-01", place="P1", provider="PR0"),
    ep("E", "2017-06-01", "2017-11-01", rec="E4A"),  # returned home in 2017-18
    ep("F", "2017-10-01", place="U5", provider="PR5"),
]


def test_the_history_counts_from_the_31_march_before_the_first_leaver() -> None:
    assert own.history_start(HISTORY, date(2018, 9, 30)) == date(2016, 3, 31)
    assert own.years_covered(HISTORY, date(2018, 9, 30)) == [2016, 2017, 2018]
    assert own.years_covered(HISTORY, date(2018, 3, 30)) == [2016, 2017]


def test_an_extract_of_open_episodes_alone_covers_no_past_31_march() -> None:
    still_open = [e for e in HISTORY if e.dec is None]
    assert own.years_covered(still_open, date(2018, 9, 30)) == []
    assert own.children_on_31_march(still_open, date(2018, 9, 30)) == {}


def test_children_looked_after_on_31_march_count_each_child_once() -> None:
    # 2016: A, B. 2017: B and D (C's episode ended on 31 March). 2018: B, D, F.
    assert own.children_on_31_march(HISTORY, date(2018, 9, 30)) == {2016: 2, 2017: 2, 2018: 3}


def test_starters_and_leavers_in_each_whole_year() -> None:
    # Year to 31 March 2017: started C, D; ceased A (E11), C (E45) — B's X1 is not a leaver.
    # Year to 31 March 2018: started E, F; ceased E.
    assert own.flows(HISTORY, date(2018, 9, 30)) == {2017: (2, 2), 2018: (2, 1)}


def test_why_children_ceased() -> None:
    groups, total = own.ceased_reasons(HISTORY, 2017)
    assert total == 2
    assert (groups["adopted"], groups["sgo"], groups["home"]) == (1, 1, 0)


def test_placement_mix_and_private_or_voluntary_providers() -> None:
    groups, children, external = own.placement_mix(HISTORY, date(2018, 3, 31))
    assert children == 3
    assert (groups["residential"], groups["parents"], groups["foster"]) == (1, 1, 1)
    assert external == 2  # B with PR4, F with PR5


def test_agency_and_vacancy_rates_follow_dfes_definitions() -> None:
    posts = [
        Post("P1", "Team", "Social Worker", Decimal(6), "permanent", Decimal(40000)),
        Post("P2", "Team", "Social Worker", Decimal(3), "agency", Decimal(70000)),
        Post("P3", "Team", "Social Worker", Decimal(1), "vacant", Decimal(40000)),
        Post("P4", "Team", "Social Worker", Decimal(1), "secondee", Decimal(40000)),
        Post(
            "P5", "Team", "Social Worker", Decimal(5), "agency", Decimal(1),
            end=date(2018, 1, 31),
        ),
    ]  # fmt: skip
    staffing = own.staffing_on(posts, date(2018, 3, 31))
    # Agency 3 ÷ (6 + 1 + 3) = 30%; vacant or agency (1 + 3) ÷ all 11 posts = 36.4%.
    assert staffing.agency_rate == Decimal(30)
    assert staffing.vacancy_rate is not None
    assert round(staffing.vacancy_rate, 1) == Decimal("36.4")
    assert own.staffing_on([], date(2018, 3, 31)).agency_rate is None


def line(service: ServiceLine, children: int | None, weekly: str | None) -> ForecastLine:
    return ForecastLine(
        service,
        Decimal(0),
        Decimal(0),
        Decimal(0),
        Decimal(0),
        Decimal(1000),
        "test",
        children=children,
        average_weekly_cost=None if weekly is None else Decimal(weekly),
    )


def test_the_average_weekly_cost_is_weighted_by_children_on_placement_lines() -> None:
    forecast = Forecast(
        Period(2018, 9),
        date(2018, 10, 15),
        (
            line(ServiceLine.PLACEMENTS_IN_HOUSE, 168, "426"),
            line(ServiceLine.PLACEMENTS_IFA, 198, "911"),
            line(ServiceLine.PLACEMENTS_RESIDENTIAL, 35, "3741"),
            line(ServiceLine.PLACEMENTS_OTHER, 0, None),
            line(ServiceLine.STAFFING, None, None),
        ),
    )
    snapshot = ForecastSnapshot(1, Council(1, "Test", "209"), datetime(2018, 10, 15), forecast)
    average = own.average_weekly_cost(snapshot)
    assert average is not None
    cost, children = average
    # (168 × 426 + 198 × 911 + 35 × 3,741) ÷ 401 = 382,881 ÷ 401 = £954.82
    assert children == 401
    assert round(cost, 2) == Decimal("954.82")
    assert own.placement_outturn(snapshot) == Decimal(4000)


def test_own_figures_with_a_population_are_rates_and_without_one_still_shares() -> None:
    inputs = OwnInputs(OwnCouncil("Test", "100", date(2018, 3, 31), None), tuple(HISTORY), ())
    population = [
        ("100", str(y), "population_0_17", 10_000.0, None, "population_estimate", "population")
        for y in (2015, 2016, 2017)
    ]
    figures = own_figures(reference(population), "100", inputs)
    # 31 March 2017: 2 children ÷ 10,000 (mid-2016) × 10,000 = 2.0; now (31 March 2018): 3.
    assert figures.cla_rate["2017"].value == Decimal("2.0")
    assert figures.rate_now is not None
    assert figures.rate_now.value == Decimal("3.0")
    assert (figures.population_year, figures.children_now) == ("2017", 3)
    assert figures.cla_rate["2017"].source.publisher == "carecast"
    bare = own_figures(reference([]), "100", inputs)
    assert bare.cla_rate == {}
    assert bare.rate_now is None
    assert bare.mix["parents"].value == Decimal("33.3")
