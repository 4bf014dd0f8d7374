"""What the ledger pays for a week of care and how uncertain it is over the horizon, with
numbers checked by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.finance import Commitment, CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear
from carecast.domain.state import ActivityState
from carecast.projection.cost_fit import fit_costs
from carecast.projection.cost_ledger import (
    PriceUncertainty,
    fit_price_uncertainty,
    price_rise_note,
    repricing_sd,
    yearly_misses,
)
from carecast.projection.cost_paths import Activity, path_costs

IFA = ServiceLine.PLACEMENTS_IFA
THREE_PERCENT = 0.03


def rise(_year: str) -> float:
    return THREE_PERCENT


def repriced(child: str, april: date, old: str, new: str) -> tuple[Commitment, Commitment]:
    """A running placement's commitment ended the day before 1 April and a new one at the
    uplifted price begun that day, as finance systems split them."""
    before = Commitment(
        child, IFA, "P", april - timedelta(days=200), april - timedelta(1), Decimal(old), "CC"
    )
    after = Commitment(child, IFA, "P", april, None, Decimal(new), "CC")
    return before, after


def test_a_years_uplift_is_the_mean_of_its_repricings_and_its_miss_is_against_the_assumed_rise() -> (
    None
):
    """Five placements uplifted 1% in April 2016 and five 5% in April 2017, 3% assumed: the
    yearly misses are ln(1.01 ÷ 1.03) = −0.019608 and ln(1.05 ÷ 1.03) = +0.019231, and their
    root mean square √((0.019608² + 0.019231²) ÷ 2) = 0.019420."""
    commitments: list[Commitment] = []
    for i in range(5):
        commitments += repriced(f"A{i}", date(2016, 4, 1), "1000", "1010")
        commitments += repriced(f"B{i}", date(2017, 4, 1), "1000", "1050")
    assert repricing_sd(commitments, rise) == pytest.approx(0.019420, abs=1e-6)


def test_one_placements_odd_repricing_does_not_make_an_uplift() -> None:
    """Four re-pricings in a year are too few to stand for its uplift; a 40% step-up is a
    change of care, not an uplift, and is not counted."""
    commitments = [c for i in range(4) for c in repriced(f"A{i}", date(2017, 4, 1), "1000", "1010")]
    commitments += repriced("S", date(2017, 4, 1), "1000", "1400")
    assert repricing_sd(commitments, rise) is None


def test_the_ledger_index_misses_by_its_growth_beyond_the_assumed_rise() -> None:
    """The price of a week of care 1.00, then 1.0815 (8.15%, of which 3% assumed): missed by
    ln(1.0815 ÷ 1.03) = ln 1.05 = 0.048790; a gap year gives no pair."""
    index = {"2015-16": 1.0, "2016-17": 1.0815, "2018-19": 1.2}
    assert yearly_misses(index, rise) == pytest.approx([math.log(1.05)], abs=1e-6)


def test_a_ledger_price_rising_faster_than_assumed_is_noted_and_the_assumption_kept() -> None:
    """The price of a week of care 100, 106, 112.36 over three years: 6% a year against the 3%
    assumed (each year's miss ln(1.06 ÷ 1.03) = 0.0287, over the point a year worth a note)."""
    index = {"2015-16": 100.0, "2016-17": 106.0, "2017-18": 112.36}
    misses = yearly_misses(index, rise)
    assert misses == pytest.approx([math.log(1.06 / 1.03)] * 2)
    note = price_rise_note(index, misses, rise)
    assert note is not None
    assert "rose 6.0% a year from 2015-16 to 2017-18, against the 3.0% assumed" in note


def test_a_rise_within_a_point_of_the_assumption_or_seen_once_is_not_noted() -> None:
    """3.5% a year against 3%: a miss of half a point, not noted; 6% seen in one year only (a
    single miss) is not noted either."""
    steady = {"2015-16": 100.0, "2016-17": 103.5, "2017-18": 107.1225}
    assert price_rise_note(steady, yearly_misses(steady, rise), rise) is None
    once = {"2016-17": 100.0, "2017-18": 106.0}
    assert price_rise_note(once, yearly_misses(once, rise), rise) is None


def test_the_yearly_shock_is_the_misses_mean_square_shrunk_towards_the_repricings() -> None:
    """Misses +0.05 and −0.03 and a re-pricing prior of 0.02 counting as one more year:
    σ² = (0.0025 + 0.0009 + 0.0004) ÷ 3 = 0.0012667, σ = 0.035590."""
    fitted = fit_price_uncertainty([0.05, -0.03], 0.02, lead=1)
    assert fitted.yearly_sd == pytest.approx(0.035590, abs=1e-6)
    assert fitted.lead == 1
    assert fit_price_uncertainty([], 0.02).yearly_sd == pytest.approx(0.02)


def test_a_later_year_carries_the_shocks_of_every_year_from_the_base_year() -> None:
    """σ 0.1 a year with the base year a year behind the start: the first year after the start
    carries two shocks (log spread 0.1 √2 = 0.141), the second three (0.1 √3 = 0.173), each
    centred on 1."""
    draws = PriceUncertainty(0.1, lead=1).multipliers(2, 200_000, np.random.default_rng(1))
    logs = np.log(draws)
    assert logs.std(axis=1) == pytest.approx([0.1 * math.sqrt(2), 0.1 * math.sqrt(3)], rel=0.01)
    assert np.median(draws, axis=1) == pytest.approx([1.0, 1.0], abs=0.005)
    # a path dear in one year stays dear: the second year is the first times one more shock
    assert np.corrcoef(logs)[0, 1] == pytest.approx(math.sqrt(2 / 3), abs=0.01)
    assert (PriceUncertainty().multipliers(2, 3, np.random.default_rng(1)) == 1).all()


def one_ifa_child(base_paid_a_week: float, repricings: bool = True) -> ActivityState:
    """A child in an agency foster placement since 2015 at £1,000 a week, uplifted to £1,030 on
    1 April 2017 (and nine others re-priced the same); the ledger posted 2015-16 and 2016-17."""
    start = date(2018, 3, 31)
    commitments = [
        Commitment("C1", IFA, "P", date(2015, 1, 1), date(2017, 3, 31), Decimal(1000), "CC"),
        Commitment("C1", IFA, "P", date(2017, 4, 1), None, Decimal(1030), "CC"),
    ]
    if repricings:
        for i in range(9):
            commitments += repriced(f"X{i}", date(2017, 4, 1), "1000", "1030")
    ledger = []
    for label, weekly in (("2015-16", base_paid_a_week / 1.05), ("2016-17", base_paid_a_week)):
        year = FinancialYear.parse(label)
        monthly = Decimal(str(round(weekly * year.days / 7 / 12, 2)))
        ledger += [LedgerEntry(p, "CC", "5000", monthly) for p in year.periods()]
    return ActivityState(
        known_on=start,
        children=(Child("C1", "1", date(2010, 1, 1), "WBRI"),),
        episodes=(Episode("C1", date(2015, 1, 1), "S", "C2", "N1", "U4", "PR4"),),
        commitments=tuple(commitments),
        ledger=tuple(ledger),
        cost_centres=(CostCentre("CC", IFA),),
    )


def test_a_base_year_behind_the_start_is_read_at_its_own_prices() -> None:
    """The ledger's last complete year is 2016-17, a year before the start, when the child cost
    £1,000 a week; the start's £1,030 is taken back by April 2017's assumed 3% to £1,000, so the
    ledger paid what the commitments said (ratio 1, not 1000 ÷ 1030 = 0.971), and 2018-19 is
    priced at £1,030 × 1.03."""
    model = fit_costs(one_ifa_child(1000.0), date(2018, 3, 31), 1)
    assert model.base_year == "2016-17"
    assert model.ledger_ratio == pytest.approx(1.0, abs=1e-4)
    # 2015-16 paid 1000 ÷ 1.05 a week of care at the same prices: 2016-17 grew 5%, 3% assumed
    uncertainty = model.price_uncertainty
    assert uncertainty.misses == pytest.approx((math.log(1.05 / 1.03),), abs=1e-4)
    assert uncertainty.lead == 1  # April 2017 lies between the base year and the start
    # ten re-pricings of 3% in 2017-18: the prior is 0; σ² = (0.019231² + 0) ÷ 2
    assert uncertainty.prior_sd == pytest.approx(0.0, abs=1e-9)
    assert uncertainty.yearly_sd == pytest.approx(math.log(1.05 / 1.03) / math.sqrt(2), abs=1e-4)


def months_of(first: date, months: int) -> tuple[date, ...]:
    ends, day = [], first
    for _ in range(months):
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        day = following
    return tuple(ends)


def test_the_same_seed_prices_the_same_bands_and_a_single_path_is_the_expected_course() -> None:
    model = fit_costs(one_ifa_child(1000.0), date(2018, 3, 31), 1)
    ends = months_of(date(2018, 4, 1), 24)
    categories = len(PLACEMENT_LINES) + 1
    stock = np.zeros((25, 400, categories))
    stock[:, :, PLACEMENT_LINES.index(IFA)] = 1
    activity = Activity(stock, np.zeros_like(stock), np.zeros((24, 400)))
    first, again = (path_costs(model, ends, activity)[IFA] for _ in range(2))
    assert (first == again).all()
    years = np.stack([first[:12].sum(axis=0), first[12:].sum(axis=0)])
    p10, p90 = np.quantile(years, (0.1, 0.9), axis=1)
    assert (p90 > p10).all()
    assert p90[1] / p10[1] > p90[0] / p10[0]  # wider the further ahead
    single = Activity(stock[:, :1], np.zeros_like(stock[:, :1]), np.zeros((24, 1)))
    april = path_costs(model, ends, single)[IFA][0, 0]
    assert april == pytest.approx(1030 * 1.03 * 30 / 7, rel=1e-4)
