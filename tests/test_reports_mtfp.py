"""The report's medium-term financial plan section: the years against the budget, the lines, the
children, and the words, from a plan view written by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from carecast.reports.builder import build_report
from carecast.reports.context import MtfpView, PlanFigure, PlanYearView
from carecast.reports.model import Omitted
from tests.test_reports_sections import context


def figure(central: int, low: int, high: int) -> PlanFigure:
    return PlanFigure(D(central), D(low), D(high))


VIEW = MtfpView(
    start=date(2018, 9, 30),
    children_at_start=494,
    paths=500,
    years=(
        PlanYearView(
            "2018-19",
            6,
            D(26_000_000),
            figure(54_500_000, 53_900_000, 55_200_000),
            D(41_600_000),
            None,
            (
                ("Staffing", figure(10_500_000, 10_400_000, 10_600_000)),
                ("Residential care", figure(44_000_000, 43_500_000, 44_600_000)),
            ),
        ),
        PlanYearView(
            "2019-20",
            12,
            D(0),
            figure(56_000_000, 52_000_000, 61_000_000),
            D(41_600_000),
            "2018-19",
            (
                ("Staffing", figure(11_000_000, 10_000_000, 12_000_000)),
                ("Residential care", figure(45_000_000, 42_000_000, 49_000_000)),
            ),
        ),
    ),
    children=(("31 Mar 2019", figure(500, 470, 530)), ("31 Mar 2020", figure(515, 440, 600))),
)


def test_the_plan_shows_each_year_against_its_budget_and_says_where_it_is_heading() -> None:
    section = build_report(context(mtfp=VIEW)).section("mtfp")
    years = section.tables[0]
    assert years.cell("2018-19 (to date + 6 months)", "variance") == D(12_900_000)
    assert years.cell("2019-20*", "central") == D(56_000_000)
    assert years.cell("2019-20*", "p90") == D(61_000_000)
    assert any("latest earlier year's stands in" in note for note in years.notes)
    lines = section.tables[2]
    assert lines.cell("Total", "y1") == D(56_000_000)
    assert section.paragraphs[0] == (
        "Projected from the 494 children looked after on 30 September 2018, with the council's "
        "own rates of entering, moving and leaving care, its placement prices and its "
        "establishment, spend on children's social care is £54.5m in 2018-19 and £56.0m in "
        "2019-20 (80% range £52.0m to £61.0m), £14.4m above a budget of £41.6m."
    )
    assert section.charts[0].key == "mtfp"


def test_without_a_plan_the_section_is_left_out_with_the_reason() -> None:
    built = build_report(
        replace(context(), unavailable={"mtfp": "no medium-term plan from 2018-09: reason"})
    )
    omitted = [o for o in built.omitted if o.key == "mtfp"]
    assert isinstance(omitted[0], Omitted)
    assert "reason" in omitted[0].reason
