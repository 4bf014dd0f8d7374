"""What the ledger pays for a week of care, and how uncertain that price is over the horizon.

The projection prices its children at the start's weekly prices (the commitments open that day)
times the ledger ratio: what the base year's ledger paid on the placement lines ÷ its children's
weeks in each category at those prices taken back to the base year's by the assumed rises of
the Aprils between (a base year a year behind the start would otherwise read a year's price rise
as the ledger paying less than its prices, and price every year after a rise too low).

What the ledger will pay per week of care in a later year is not known: the uplifts the council
agrees, the market's price of new placements, the timing of invoices and accruals and the care
no commitment shows all wander. Their history is in the ledger itself: each complete financial
year's placement spend ÷ its children's weeks in each category at the start's prices — a price
index of a week of care at a fixed mix of categories, so a shift of children between categories
(which the paths model) does not count. Its yearly log change less the assumed rise is what the
assumption missed by that year. The misses are taken as independent draws of a yearly shock
shared by every category (the ledger gives one figure for all of them and cannot tell one
category's shocks from another's); a year k after the start carries the shocks of the years
from the base year to it, so the spread grows as √(k + lead). The shock's variance is the mean
square miss, shrunk towards a prior as if the prior were PRIOR_YEARS more years: the mean square,
over the years the commitments show re-pricing running placements, of that year's mean re-pricing
less the assumed rise — so a council with a single year of ledger still gets the spread its
uplifts show, and one odd year of ledger moves it only part of the way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from carecast.domain.activity import Placement
from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import FloatArray
from carecast.forecast.other_lines import complete_years

Rise = Callable[[str], float]  # the assumed placement price rise of a financial year
Spend = Mapping[ServiceLine, Mapping[Period, float]]  # the ledger by line and period
RATIO_LIMITS = (0.67, 1.5)  # beyond these the ledger and the returns describe different things
INDEX_YEARS = 5  # complete ledger years the price index is read over
PRIOR_YEARS = 1.0  # the prior variance counts as this many years of misses
REPRICE_RANGE = (0.8, 1.25)  # a re-pricing outside this is a change of care, not an uplift
MIN_REPRICINGS = 5  # re-pricings in a year before their mean is an uplift


@dataclass(frozen=True)
class PriceUncertainty:
    """The yearly shock to the price of a week of care, and what it was fitted from."""

    yearly_sd: float = 0.0  # σ of one year's log shock (0: prices as assumed, no spread)
    lead: int = 0  # years between the ledger ratio's base year and the start's
    misses: tuple[float, ...] = ()  # the ledger index's yearly log change less the assumed rise
    prior_sd: float = 0.0  # from the re-pricings of running placements

    def multipliers(self, years: int, paths: int, rng: np.random.Generator) -> FloatArray:
        """(years, paths) each financial year's price multiplier: year k (1-based after the
        start) is exp of the sum of k + lead shocks, so a path dear in one year stays dear."""
        if self.yearly_sd <= 0 or years <= 0:
            return np.ones((years, paths))
        shocks = rng.normal(0.0, self.yearly_sd, size=(years + self.lead, paths))
        out: FloatArray = np.exp(np.cumsum(shocks, axis=0)[self.lead :])
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "yearly_sd": round(self.yearly_sd, 5),
            "years_before_start": self.lead,
            "ledger_misses": [round(m, 5) for m in self.misses],
            "repricing_sd": round(self.prior_sd, 5),
        }


def care_weeks(
    placements: Iterable[Placement], first: date, last: date
) -> dict[ServiceLine, float]:
    """The weeks children spent in each category from `first` to `last`, inclusive."""
    end_of = last + timedelta(days=1)
    weeks: dict[ServiceLine, float] = {}
    for p in placements:
        if p.category is None:
            continue
        begin, end = max(p.start, first), min(p.end or end_of, end_of)
        if end > begin:
            weeks[p.category] = weeks.get(p.category, 0.0) + (end - begin).days / 7
    return weeks


def paid_for_care(
    spend: Spend,
    year: FinancialYear,
    placements: Sequence[Placement],
    weekly: Mapping[ServiceLine, float],
) -> float | None:
    """`year`'s placement spend ÷ its children's weeks in each category at `weekly` prices."""
    periods = set(year.periods())
    paid = sum(
        v for line in PLACEMENT_LINES for p, v in spend.get(line, {}).items() if p in periods
    )
    weeks = care_weeks(placements, year.first_day, year.last_day)
    implied = sum(w * weekly.get(line, 0.0) for line, w in weeks.items())
    return paid / implied if paid > 0 and implied > 0 else None


def ledger_ratio(
    spend: Spend,
    base_year: FinancialYear | None,
    placements: Sequence[Placement],
    weekly: Mapping[ServiceLine, float],
    *,
    rises: float,
    notes: list[str],
) -> float:
    """The base year's placement spend ÷ its children's weeks at `weekly` ÷ `rises` (1: not
    measured, or outside RATIO_LIMITS, with a note)."""
    if base_year is None:
        return 1.0
    ratio = paid_for_care(spend, base_year, placements, {k: v / rises for k, v in weekly.items()})
    if ratio is None:
        return 1.0
    low, high = RATIO_LIMITS
    if not low <= ratio <= high:
        notes.append(
            f"In {base_year.label} the ledger paid {ratio:.2f}× what the children's weeks in "
            "care cost at today's prices: outside what timing or contributions explain, so the "
            "placements are priced as the commitments say (check the cost centres' lines)."
        )
        return 1.0
    return ratio


def rises_between(base_year: FinancialYear, start: date) -> list[str]:
    """The financial years whose 1 April falls after `base_year` and on or before `start`."""
    years, april = [], base_year.last_day + timedelta(days=1)
    while april <= start:
        years.append(FinancialYear.containing(april).label)
        april = april.replace(year=april.year + 1)
    return years


def yearly_misses(index: Mapping[str, float], rise: Rise) -> list[float]:
    """ln(index this year ÷ last year) − ln(1 + the rise assumed for this year), for each pair
    of consecutive years in `index`."""
    misses = []
    for label in sorted(index):
        previous = FinancialYear.parse(label).previous().label
        if previous in index:
            growth = math.log(index[label] / index[previous])
            misses.append(growth - math.log(1 + rise(label)))
    return misses


def repricing_sd(commitments: Iterable[Commitment], rise: Rise) -> float | None:
    """√(mean square over financial years of the mean ln(new ÷ old price) − ln(1 + that year's
    assumed rise)), from the re-pricings of running placements (a child's commitment on a line
    followed the next day by another on it, one a placement and year); None when no year has
    MIN_REPRICINGS. A year's mean is its uplift: one placement's own wander averages out."""
    commitments = list(commitments)
    ended = {(c.child_id, c.category, c.end): c for c in commitments if c.end is not None}
    seen: dict[tuple[str, ServiceLine, str], float] = {}
    low, high = REPRICE_RANGE
    for c in commitments:
        before = ended.get((c.child_id, c.category, c.start - timedelta(days=1)))
        if before is None or before.net_weekly_cost <= 0 or c.net_weekly_cost <= 0:
            continue
        ratio = float(c.net_weekly_cost / before.net_weekly_cost)
        if low <= ratio <= high:
            key = (c.child_id, c.category, FinancialYear.containing(c.start).label)
            seen[key] = seen.get(key, 1.0) * ratio
    by_year: dict[str, list[float]] = {}
    for (_, _, year), ratio in seen.items():
        by_year.setdefault(year, []).append(math.log(ratio))
    means = [
        statistics.fmean(logs) - math.log(1 + rise(year))
        for year, logs in by_year.items()
        if len(logs) >= MIN_REPRICINGS
    ]
    return math.sqrt(statistics.fmean(m * m for m in means)) if means else None


# a yearly miss of the assumed rise worth a note: a point a year, over two years or more
MISS_NOTED = 0.01
MIN_NOTED_MISSES = 2


def fit_price_uncertainty(
    misses: Sequence[float], prior_sd: float, lead: int = 0
) -> PriceUncertainty:
    """The yearly shock's σ: the mean square of the ledger's `misses`, shrunk towards
    `prior_sd`² as if that were PRIOR_YEARS more years."""
    variance = (sum(m * m for m in misses) + PRIOR_YEARS * prior_sd**2) / (
        len(misses) + PRIOR_YEARS
    )
    return PriceUncertainty(math.sqrt(variance), lead, tuple(misses), prior_sd)


def fit_price_of_care(
    ledger: tuple[Spend, set[Period]],
    base_year: str | None,
    start: date,
    *,
    placements: Sequence[Placement],
    weekly: Mapping[ServiceLine, float],
    commitments: Iterable[Commitment],
    rise: Rise,
    notes: list[str],
) -> tuple[float, PriceUncertainty]:
    """The ledger ratio and the price uncertainty, from the ledger (spend by line and period,
    and the periods posted) and the base year of the other lines."""
    if base_year is None:
        return 1.0, PriceUncertainty()
    spend, seen = ledger
    base = FinancialYear.parse(base_year)
    between = rises_between(base, start)
    rises = math.prod(1 + rise(year) for year in between)
    ratio = ledger_ratio(spend, base, placements, weekly, rises=rises, notes=notes)
    index = {}
    for year in complete_years(
        seen, FinancialYear.containing(start + timedelta(days=1)), INDEX_YEARS
    ):
        paid = paid_for_care(spend, year, placements, weekly)
        if paid is not None:
            index[year.label] = paid
    prior = repricing_sd(commitments, rise) or 0.0
    misses = yearly_misses(index, rise)
    note = price_rise_note(index, misses, rise)
    if note:
        notes.append(note)
    return ratio, fit_price_uncertainty(misses, prior, len(between))


def price_rise_note(index: Mapping[str, float], misses: Sequence[float], rise: Rise) -> str | None:
    """What the ledger's price of a week of care rose by a year, beside the rise assumed, when
    they differ by MISS_NOTED or more a year over MIN_NOTED_MISSES years or more: the projection
    keeps the assumption as given (it is the council's), but the evidence against it is shown."""
    if len(misses) < MIN_NOTED_MISSES:
        return None
    years = sorted(index)
    mean_miss = statistics.fmean(misses)
    if abs(mean_miss) < MISS_NOTED:
        return None
    assumed = statistics.fmean(rise(year) for year in years[1:])
    measured = math.exp(mean_miss) * (1 + assumed) - 1
    return (
        f"The ledger's price of a week of care rose {measured:.1%} a year from {years[0]} to "
        f"{years[-1]}, against the {assumed:.1%} assumed (placement_price_rise): the plan "
        "keeps the assumption; review it if the difference is expected to last."
    )
