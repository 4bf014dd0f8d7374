"""Narrative: the same numbers always give the same sentences, and no number is made up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.periods import Period
from carecast.reports import narrative
from carecast.reports.narrative import Driver

D = Decimal


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("12912345.67"), "£12.9m"),
        (D("-612000"), "£0.6m"),
        (D("100000"), "£0.1m"),
        (D("94999.99"), "£95k"),
        (D("45000"), "£45k"),
        (D("999.49"), "£999"),
        (D("0"), "£0"),
    ],
)
def test_money_is_rounded_the_way_members_read_it(amount: Decimal, text: str) -> None:
    assert narrative.money(amount) == text


def test_percent_number_and_pounds() -> None:
    assert narrative.percent(D("0.31749")) == "31.7%"
    assert narrative.number(D("365.55")) == "365.6"
    assert narrative.pounds(D("-3741.5")) == "£3,742"


def test_amounts_in_pence_in_the_engine_s_notes_read_in_whole_pounds() -> None:
    note = "10 open commitment(s) (£15,355.93 a week) have no live placement; £0.81m unposted."
    assert narrative.pounds_in(note) == (
        "10 open commitment(s) (£15,356 a week) have no live placement; £0.81m unposted."
    )
    assert narrative.pounds_in("−£1,234.49 and £999.50") == "−£1,234 and £1,000"


def test_the_headline_states_budget_forecast_and_overspend() -> None:
    sentence = narrative.headline(
        Period(2018, 9), D("41600000"), D("54500000"), D("12900000") / D("41600000")
    )
    assert sentence == (
        "At the end of period 6 (September 2018) the forecast outturn for 2018-19 is £54.5m "
        "against a budget of £41.6m: an overspend of £12.9m (31.0% of the budget)."
    )


def test_a_variance_within_half_a_percent_is_in_line_with_the_budget() -> None:
    assert narrative.variance_phrase(D("150000"), D("41600000")).startswith("in line with")
    assert narrative.variance_phrase(D("-300000"), D("41600000")) == "an underspend of £0.3m"


def test_the_movement_names_the_drivers_that_explain_most_of_it() -> None:
    # The issue's own example: overspend up £0.6m since July, mainly four new residential
    # placements (£0.5m); the smaller opposite movement is not named.
    sentence = narrative.movement_sentence(
        Period(2018, 7),
        D("12300000"),
        D("12900000"),
        [
            Driver("four new residential placements", D("500000")),
            Driver("staffing", D("150000")),
            Driver("ended placements", D("-50000")),
        ],
    )
    assert sentence == (
        "The forecast overspend rose by £0.6m since July 2018 (period 4), mainly from four new "
        "residential placements (£0.5m)."
    )


def test_a_movement_with_no_dominant_driver_says_it_is_spread() -> None:
    drivers = [Driver(f"line {n}", D("75000")) for n in range(8)]
    sentence = narrative.movement_sentence(Period(2018, 6), D("1000000"), D("1600000"), drivers)
    assert "spread across several lines" in sentence
    assert sentence.startswith("The forecast overspend rose by £0.6m since June 2018 (period 3)")


def test_movements_that_cancel_out_are_shown_both_ways() -> None:
    sentence = narrative.movement_sentence(
        Period(2018, 6),
        D("11100000"),
        D("11550000"),
        [
            Driver("52 new placements", D("1490000")),
            Driver("expected early endings", D("1410000")),
            Driver("expected arrivals", D("-1140000")),
            Driver("expected moves", D("-940000")),
            Driver("staffing changes", D("-370000")),
        ],
    )
    assert sentence == (
        "The forecast overspend rose by £0.5m since June 2018 (period 3): 52 new placements "
        "(£1.5m) and expected early endings (£1.4m) added to it, while expected arrivals (£1.1m) "
        "and expected moves (£0.9m) reduced it."
    )


def test_a_movement_across_the_budget_says_so() -> None:
    sentence = narrative.movement_sentence(Period(2018, 6), D("-200000"), D("400000"), [])
    assert sentence == (
        "The forecast moved from an underspend of £0.2m to an overspend of £0.4m since June 2018 "
        "(period 3)."
    )


def test_an_unchanged_forecast() -> None:
    sentence = narrative.movement_sentence(Period(2018, 6), D("5"), D("5.2"), [])
    assert sentence == "The forecast variance is unchanged since June 2018 (period 3)."


def test_the_largest_variances_are_listed_biggest_first() -> None:
    sentence = narrative.variance_drivers_sentence(
        [("staffing", D("4100000")), ("placements", D("8700000")), ("other costs", D("-400000"))]
    )
    assert sentence == (
        "The largest overspends are placements (£8.7m) and staffing (£4.1m); the largest "
        "underspend is other costs (£0.4m)."
    )


def test_the_trend_sentence_uses_the_31_march_series() -> None:
    # The case study's series: 506, 516, 489, 440, 467, 494 at 31 March 2013–2018.
    series = [(date(2013 + n, 3, 31), v) for n, v in enumerate((506, 516, 489, 440, 467, 494))]
    assert narrative.trend_sentence(series, (date(2018, 8, 31), 494)) == (
        "On 31 March 2018, 494 children were looked after, against 467 a year earlier; since "
        "31 March 2013 the number has ranged from 440 (2016) to 516 (2014). On 31 August 2018 "
        "it was 494."
    )
    assert narrative.trend_sentence([], None) == ""


def test_the_interval_sentence_says_whether_the_budget_is_inside() -> None:
    over = narrative.interval_sentence(D("53100000"), D("56200000"), D("41600000"))
    assert over.endswith("even the low end is above the budget of £41.6m.")
    inside = narrative.interval_sentence(D("40000000"), D("43000000"), D("41600000"))
    assert inside.endswith("so the year could end either side of it.")


def test_join() -> None:
    assert narrative.join([]) == ""
    assert narrative.join(["a"]) == "a"
    assert narrative.join(["a", "b", "c"]) == "a, b and c"
