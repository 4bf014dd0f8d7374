"""Risks, actions and savings beside the forecast; ledger ↔ activity reconciliation; assumptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action, CostCentre, LedgerEntry
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast, ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.actions import summarise_actions, variance_drivers
from carecast.forecast.assumptions import (
    ActionAssumptions,
    Assumptions,
    AssumptionsError,
    confidence_probability,
    parse_assumptions,
)
from carecast.forecast.reconcile import reconcile
from tests.forecast_fixtures import child, commitment, episode

IFA, RES, STAFF = (
    ServiceLine.PLACEMENTS_IFA,
    ServiceLine.PLACEMENTS_RESIDENTIAL,
    ServiceLine.STAFFING,
)
TABLE = ActionAssumptions().confidence  # high 0.9, medium 0.6, low 0.3


def action(
    ident: str, kind: str, line: ServiceLine, value: int, confidence: str, status: str
) -> Action:
    return Action(ident, kind, "t", line, "owner", "2018-19", Decimal(value), confidence, status)


ACTIONS = (
    action("SAV-1", "saving", RES, 400_000, "medium", "at_risk"),  # shortfall 160,000
    action("SAV-2", "saving", STAFF, 300_000, "low", "undelivered"),  # shortfall 300,000
    action("SAV-3", "saving", RES, 100_000, "high", "delivered"),  # none
    action("ACT-1", "action", RES, 370_000, "medium", "proposed"),  # 222,000 off
    action("RSK-1", "risk", ServiceLine.PLACEMENTS_SECURE, 300_000, "25%", "proposed"),  # 75,000
    Action("OLD-1", "risk", "t", RES, "o", "2017-18", Decimal(1), "high", "proposed"),  # last year
)


def test_confidence_words_and_percentages_become_probabilities() -> None:
    assert confidence_probability("Medium", TABLE) == 0.6
    assert confidence_probability("25%", TABLE) == 0.25
    assert confidence_probability("unsure", TABLE) is None


def test_risks_and_actions_are_weighed_by_confidence_and_shown_apart() -> None:
    summary = summarise_actions(ACTIONS, "2018-19", TABLE)
    assert summary.risks == Decimal(75_000)
    assert summary.actions == Decimal(222_000)
    assert summary.savings("undelivered") == Decimal(300_000)
    assert summary.savings("delivered") == Decimal(100_000)
    assert summary.savings_shortfall == Decimal(460_000)
    assert "OLD-1" not in {v.action.action_id for v in summary.views}


def test_an_undelivered_saving_is_its_own_driver_of_the_variance() -> None:
    forecast = Forecast(
        Period.parse("2018-09"),
        date(2018, 10, 15),
        (
            ForecastLine(
                RES,
                Decimal(5_350_000),
                Decimal(0),
                Decimal(6_000_000),
                Decimal(0),
                Decimal(6_000_000),
                "x",
            ),
            ForecastLine(
                STAFF,
                Decimal(10_500_000),
                Decimal(0),
                Decimal(10_400_000),
                Decimal(0),
                Decimal(10_400_000),
                "x",
            ),
        ),
    )
    summary = summarise_actions(ACTIONS, "2018-19", TABLE)
    drivers = {(d.service_line, d.driver): d for d in variance_drivers(forecast, summary)}
    assert drivers[(STAFF, "undelivered_savings")].amount == Decimal(300_000)
    assert drivers[(STAFF, "undelivered_savings")].actions == ("SAV-2",)
    assert drivers[(STAFF, "activity")].amount == Decimal(-400_000)  # −100,000 − 300,000
    assert drivers[(RES, "savings_at_risk")].amount == Decimal(160_000)
    assert drivers[(RES, "activity")].amount == Decimal(490_000)  # 650,000 − 160,000
    for line in forecast.lines:
        parts = [d.amount for d in drivers.values() if d.service_line is line.service_line]
        assert sum(parts) == line.variance
    assert summary.after_actions(forecast) == Decimal(16_400_000 + 75_000 - 222_000)


def test_reconciliation_lists_the_items_behind_every_figure() -> None:
    # X: live and committed at £700. Z: live, no commitment (under-reporting). W: left on 1 August
    # but the commitment is still open (over-commitment). V: committed on another line.
    state = ActivityState(
        known_on=date(2018, 10, 15),
        children=tuple(child(c, date(2008, 1, 1)) for c in "VWXZ"),
        episodes=(
            episode("X", date(2018, 4, 1), "U4", "PR4"),
            episode("Z", date(2018, 9, 1), "U4", "PR5"),
            episode("W", date(2018, 4, 1), "K2", "PR4", date(2018, 8, 1)),
            episode("V", date(2018, 4, 1), "K2", "PR4"),
        ),
        commitments=(
            commitment("X", IFA, date(2018, 4, 1), "700", centre="IFA1"),
            commitment("W", RES, date(2018, 4, 1), "3500", centre="RES1"),
            commitment("V", IFA, date(2018, 4, 1), "1000", centre="IFA1"),
        ),
        cost_centres=(CostCentre("IFA1", IFA), CostCentre("RES1", RES)),
        ledger=(
            LedgerEntry(Period.parse("2018-06"), "IFA1", "4101", Decimal(40_000)),
            LedgerEntry(Period.parse("2018-06"), "RES1", "4101", Decimal(60_000)),
        ),
    )
    result = reconcile(state, Period.parse("2018-09"))
    (over,) = result.over_commitments
    assert over.commitment.child_id == "W"
    assert over.cost_to_year_end == Decimal("91000.00")  # 3,500 × 26 weeks, still counted
    assert [u.placement.child_id for u in result.under_reported] == ["Z"]
    assert [m.placement.child_id for m in result.line_mismatches] == ["V"]
    centres = {c.cost_centre: c for c in result.cost_centres}
    # IFA1 holds X, V (paid through its IFA commitment's centre) and Z (the line's usual centre)
    assert centres["IFA1"].children == ("V", "X", "Z")
    assert centres["IFA1"].ledger == Decimal(40_000)
    assert centres["RES1"].implied == Decimal("61000.00")  # W: 122 days × 500
    assert centres["RES1"].difference == Decimal("-1000.00")


def test_assumption_files_are_checked_and_unknown_keys_refused() -> None:
    given = parse_assumptions('{"staffing": {"months_to_fill_vacancy": 6}}')
    assert given.staffing.months_to_fill_vacancy == 6
    assert given.placements.history_years == 3.0
    with pytest.raises(AssumptionsError) as refused:
        parse_assumptions('{"staffing": {"months_to_fil": 6}, "intervals": {"paths": -1}}')
    places = {where for where, _ in refused.value.problems}
    assert places == {"staffing.months_to_fil", "intervals.paths"}
    with pytest.raises(AssumptionsError):
        parse_assumptions("[1, 2]")


def test_the_assumptions_used_read_back_as_a_valid_assumptions_file() -> None:
    used = Assumptions(
        placements={"arrivals_per_month": {IFA: 4.5}},
    ).as_json()
    again = Assumptions.model_validate(used)
    assert again.placements.arrivals_per_month == {IFA: 4.5}
