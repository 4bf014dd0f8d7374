"""The activity-led placement lines: live placements priced from commitments, checked by hand.

Every state here has too little history to fit arrivals or endings, so the demand allowance is
zero and each figure is a price × days ÷ 7 that can be checked on paper. The close is 30 September
2018 (period 6): 1 October – 31 March is 182 days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.forecast.assumptions import Assumptions, PlacementAssumptions, Uplift
from carecast.forecast.outturn import forecast_outturn
from carecast.forecast.placement_lines import UNMATCHED
from tests.forecast_fixtures import child, commitment, episode

P6 = Period.parse("2018-09")
IFA = ServiceLine.PLACEMENTS_IFA
RESIDENTIAL = ServiceLine.PLACEMENTS_RESIDENTIAL


def state(**parts: object) -> ActivityState:
    return ActivityState(known_on=date(2018, 10, 15), **parts)  # type: ignore[arg-type]


def line(forecast: object, service_line: ServiceLine) -> object:
    return next(x for x in forecast.lines if x.service_line is service_line)  # type: ignore[attr-defined]


def test_a_placement_ending_on_an_18th_birthday_mid_month_is_paid_to_the_eve() -> None:
    # Born 15 November 2000: paid 1 October – 14 November 2018, 45 days at £3,500 a week.
    forecast = forecast_outturn(
        state(
            children=(child("C1", date(2000, 11, 15)),),
            episodes=(episode("C1", date(2018, 1, 1), "K2", "PR4"),),
            commitments=(commitment("C1", RESIDENTIAL, date(2018, 1, 1), "3500"),),
        ),
        P6,
        paths=0,
    )
    residential = line(forecast, RESIDENTIAL)
    assert residential.committed == Decimal("22500.00")  # type: ignore[attr-defined]
    assert residential.demand_allowance == 0  # type: ignore[attr-defined]
    assert residential.children == 1  # type: ignore[attr-defined]
    (item,) = forecast.items
    assert (item.key, item.last_day, item.flag) == ("C1", date(2018, 11, 14), None)


def _two_ifa_placements(uplifts: tuple[Uplift, ...]) -> Decimal:
    forecast = forecast_outturn(
        state(
            children=(child("A", date(2008, 1, 1)), child("B", date(2008, 1, 1))),
            episodes=(
                episode("A", date(2018, 1, 10), "U4", "PR4"),
                episode("B", date(2018, 5, 1), "U4", "PR4"),
            ),
            commitments=(
                commitment("A", IFA, date(2018, 1, 10), "700"),
                commitment("B", IFA, date(2018, 5, 1), "700"),
            ),
        ),
        P6,
        assumptions=Assumptions(placements=PlacementAssumptions(uplifts=uplifts)),
        paths=0,
    )
    return line(forecast, IFA).committed  # type: ignore[attr-defined, no-any-return]


def test_an_uplift_on_1_april_raises_placements_priced_before_it_for_the_whole_window() -> None:
    # A was priced in January, before the 3% uplift of 1 April: 721 × 182 / 7 = 18,746.
    # B's price was set in May, after it: 700 × 182 / 7 = 18,200.
    assert _two_ifa_placements(()) == Decimal("36400.00")
    uplift = Uplift(date=date(2018, 4, 1), pct=3)
    assert _two_ifa_placements((uplift,)) == Decimal("18746.00") + Decimal("18200.00")


def test_an_uplift_inside_the_window_applies_from_its_date() -> None:
    # 2% from 1 January 2019: 92 days at 700 and 90 days at 714, for both placements.
    uplift = Uplift(date=date(2019, 1, 1), pct=2)
    assert _two_ifa_placements((uplift,)) == 2 * (Decimal(700 * 92 + 714 * 90) / 7).quantize(
        Decimal("0.01")
    )


def test_a_live_placement_without_commitment_is_costed_at_the_recent_average_and_flagged() -> None:
    # X and Y started in the last year at £800 and £1,000: the IFA average is £900, so Z, live
    # with no commitment, costs 900 × 182 / 7 = 23,400. W's residential commitment is still open
    # but W has left care: an over-commitment, left out.
    forecast = forecast_outturn(
        state(
            children=tuple(child(c, date(2008, 1, 1)) for c in "WXYZ"),
            episodes=(
                episode("X", date(2018, 6, 1), "U4", "PR4"),
                episode("Y", date(2018, 7, 1), "U4", "PR4"),
                episode("Z", date(2018, 8, 1), "U4", "PR5"),
                episode("W", date(2018, 2, 1), "K2", "PR4", date(2018, 8, 1)),
            ),
            commitments=(
                commitment("X", IFA, date(2018, 6, 1), "800"),
                commitment("Y", IFA, date(2018, 7, 1), "1000"),
                commitment("W", RESIDENTIAL, date(2018, 2, 1), "3000"),
            ),
        ),
        P6,
        paths=0,
    )
    items = {item.key: item for item in forecast.items}
    assert items["Z"].committed == Decimal("23400.00")
    assert items["Z"].flag == UNMATCHED
    assert items["X"].committed == Decimal("20800.00")  # 800 × 26 weeks
    assert line(forecast, IFA).committed == Decimal("20800") + Decimal("26000") + Decimal("23400")  # type: ignore[attr-defined]
    assert "W" not in items
    assert all(x.service_line is not RESIDENTIAL or x.committed == 0 for x in forecast.lines)
    assert any("over-commitment" in note for note in forecast.notes)
    assert any("no open commitment" in note for note in forecast.notes)


def test_a_given_new_placement_price_overrides_the_fitted_one() -> None:
    given = Assumptions(
        placements=PlacementAssumptions(new_placement_weekly_cost={IFA: Decimal("950")})
    )
    forecast = forecast_outturn(
        state(
            children=(child("Z", date(2008, 1, 1)),),
            episodes=(episode("Z", date(2018, 8, 1), "U4", "PR5"),),
        ),
        P6,
        assumptions=given,
        paths=0,
    )
    assert line(forecast, IFA).committed == Decimal("24700.00")  # type: ignore[attr-defined]
    used = forecast.assumptions["used"]["placements"]["new_placement_weekly_cost"]
    assert used[IFA.value] == "950"


def test_without_episodes_the_placement_lines_fall_back_to_open_commitments() -> None:
    forecast = forecast_outturn(
        state(
            children=(child("C1", date(2008, 1, 1)),),
            commitments=(commitment("C1", IFA, date(2018, 5, 1), "910"),),
        ),
        P6,
        paths=0,
    )
    ifa = line(forecast, IFA)
    assert ifa.committed == Decimal("23660.00")  # type: ignore[attr-defined]
    assert ifa.method == "actuals_plus_commitments"  # type: ignore[attr-defined]
    assert any("No SSDA903 episodes" in note for note in forecast.notes)


def test_risks_and_actions_never_change_the_activity_forecast() -> None:
    base = state(
        children=(child("C1", date(2008, 1, 1)),),
        episodes=(episode("C1", date(2018, 5, 1), "U4", "PR4"),),
        commitments=(commitment("C1", IFA, date(2018, 5, 1), "910"),),
    )
    risk = Action(
        "R1", "risk", "Court costs", IFA, "Head", "2018-19", Decimal(50000), "high", "proposed"
    )
    with_actions = ActivityState(**{**base.__dict__, "actions": (risk,)})
    plain = forecast_outturn(base, P6, paths=0)
    shown = forecast_outturn(with_actions, P6, paths=0)
    assert shown.forecast_outturn == plain.forecast_outturn
    assert shown.actions == (risk,)
