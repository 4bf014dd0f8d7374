"""The placement forecast is replayed on the council's own earlier years before it is trusted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.activity import Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment, CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.state import ActivityState, CommitmentsExtract
from carecast.forecast.calibration import Calibration, as_known_at, calibrate

IFA = ServiceLine.PLACEMENTS_IFA
P6_LAST_YEAR = Period.parse("2017-09")


def episode(child: str, decom: date, dec: date | None) -> Episode:
    return Episode(child, decom, "S", "C2", "N1", "U4", "PR4", dec, "E8" if dec else None)


def state() -> ActivityState:
    """Two years of IFA spend, £10,000 a month in 2016-17 and £12,000 in 2017-18."""
    ledger = [
        LedgerEntry(
            p, "CC1", "5000", Decimal(10_000 if p.financial_year.start_year == 2016 else 12_000)
        )
        for year in (2016, 2017)
        for p in FinancialYear(year).periods()
    ]
    return ActivityState(
        known_on=date(2018, 10, 15),
        episodes=(
            episode("A", date(2016, 5, 1), date(2017, 6, 30)),
            episode("B", date(2017, 11, 1), None),
        ),
        commitments=(Commitment("B", IFA, "Agency", date(2018, 4, 1), None, Decimal(900), "CC1"),),
        ledger=tuple(ledger),
        cost_centres=(CostCentre("CC1", IFA),),
    )


def test_a_replay_sees_only_what_that_close_could_know() -> None:
    known = as_known_at(state(), P6_LAST_YEAR)
    assert known.known_on == date(2017, 10, 15)
    assert [e.child_id for e in known.episodes] == ["A"]  # B began in November
    assert max(entry.period for entry in known.ledger) == P6_LAST_YEAR
    # today's price stands in for then, dated well before that close
    assert [c.start for c in known.commitments] == [date(2016, 8, 26)]


def test_a_replay_prices_its_placements_from_the_kept_extract_nearest_its_close() -> None:
    """A's placement of 2016-17 is not in today's extract; the extract of April 2018 (nearest the
    close of September 2017) lists it at £850 a week, and C's at £700 from January 2018 — after
    that close, so dated back not to pass for a new placement. B, placed since, keeps today's."""
    year_end = CommitmentsExtract(
        date(2018, 4, 12),
        (
            Commitment(
                "A", IFA, "Agency", date(2016, 5, 1), date(2017, 6, 30), Decimal(850), "CC1"
            ),
            Commitment("C", IFA, "Agency", date(2018, 1, 8), None, Decimal(700), "CC1"),
        ),
    )
    older = CommitmentsExtract(date(2016, 4, 12), ())
    known = as_known_at(replace(state(), past_extracts=(older, year_end)), P6_LAST_YEAR)
    priced = {c.child_id: (c.start, c.weekly_cost) for c in known.commitments}
    assert priced["A"] == (date(2016, 5, 1), Decimal(850))
    assert priced["C"][0] < date(2017, 9, 30)
    assert priced["C"][1] == Decimal(700)
    assert priced["B"][1] == Decimal(900)
    # with no extract kept, today's commitments price the replay, as before
    assert [c.child_id for c in as_known_at(state(), P6_LAST_YEAR).commitments] == ["B"]


def test_residuals_are_each_years_miss_of_its_own_outturn() -> None:
    """A replay forecasting £138,000 for 2017-18 (outturn £144,000) missed by −4.17%; for
    2016-17 it forecast £126,000 against £120,000, +5%."""
    replayed = {FinancialYear(2017): Decimal(138_000), FinancialYear(2016): Decimal(126_000)}

    def placement_total(known: ActivityState, period: Period) -> Decimal:
        assert period.number == 6
        return replayed[period.financial_year]

    calibration = calibrate(
        state(),
        Period.parse("2018-09"),
        [FinancialYear(2017), FinancialYear(2016)],
        placement_total,
    )
    assert calibration.residuals == pytest.approx((-6 / 144, 6 / 120))


def test_the_least_spread_is_the_root_mean_square_miss() -> None:
    """Misses of −4% and −2%: the placement lines' interval is at least √((16 + 4)/2) = 3.16% of
    their outturn wide; the mean miss, −3%, counts as two of four (two zero misses weigh against
    it) and is reported as −1.5%."""
    calibration = Calibration((-0.04, -0.02))
    assert calibration.spread == pytest.approx(((0.04**2 + 0.02**2) / 2) ** 0.5)
    assert calibration.bias == pytest.approx(-0.015)
    assert Calibration(()).bias == 0.0
    assert Calibration((0.9,)).bias == 0.15  # never more than 15%
