"""The income line from what drives it: contributions to placements, and a grant paid once a year.

Health and education contributions to placements are invoiced quarterly and posted a month or more
after each quarter ends (DOMAIN.md, "How the ledger lags activity"); a council that accrues at
year end books the quarter not yet invoiced in period 12. Profiling such a line from the shape of
earlier years divides this year's few lumpy postings by the share they held before, so a year
whose contributions grew (more part-funded residential placements) is forecast at the old level.
Here the line is read as the council's data shows it:
- a *grant account* posts once in each earlier year (a UASC grant, say): if it has not posted yet
  this year, last year's amount is still to come, in last year's month;
- the other accounts hold *contributions*, earned day by day by the open commitments' weekly cost
  × their contribution percentage. The month after each quarter that they post in is read from
  the earlier years' ledger (the period number modulo 3 that holds their postings), the scale of
  posted to earned (κ) from the quarters of this year already posted, shrunk toward 1 by one
  quarter's weight, and the year-end accrual (α, in quarters' postings) from period 12 of the
  earlier years.
What is left to post is then the quarters whose posting month falls after the close and by
March, at κ, and α × the quarter that posts after March. Where the ledger shows no clear
quarterly pattern, no earlier year, or no commitment carries a contribution, this returns None
and the line is profiled as before (other_lines.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment, CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import FloatArray
from carecast.forecast.ledger_timing import MIN_KAPPA_SD, PRIOR_KAPPA_SD
from carecast.forecast.other_lines import Profiled

METHOD = "contributions_and_grant"
# Share of the contribution accounts' postings (periods 2–11 of the earlier years) that must fall
# in one month of each quarter before the line is read as invoiced quarterly.
QUARTERLY_SHARE = 0.8
MAX_ALPHA = 1.5  # an accrual of more than a quarter and a half is not a quarter's accrual
# A grant's year-to-year change when its history is too short to measure (one earlier amount).
GRANT_CHANGE_SD = 0.25
DAYS_IN_QUARTER = 91.3
MIN_GRANT_YEARS = 2  # a once-a-year posting must have been seen in two years to be a grant

AccountLedger = dict[str, dict[Period, float]]


@dataclass(frozen=True)
class IncomeFit:
    """What the income line was found to be, and what it leaves to post after the close."""

    profiled: Profiled
    posting_lag: int  # months after a quarter's end that its contributions post
    ledger_to_activity: float  # κ
    year_end_share: float  # α, in quarters' postings
    grant_accounts: tuple[str, ...]
    contributions_left: float  # income, negative
    grant_left: float  # income, negative

    @property
    def finding(self) -> str:
        months = "month" if self.posting_lag == 1 else "months"
        accrual = (
            f"; period 12 accrues {self.year_end_share:.1f} quarter(s) not yet invoiced"
            if self.year_end_share >= 0.1
            else ""
        )
        grant = (
            f"; a grant posted once a year ({', '.join(self.grant_accounts)}) is still to come, "
            f"£{-self.grant_left:,.0f} as last year"
            if self.grant_left
            else ""
        )
        return (
            f"income: contributions to placements post {self.posting_lag} {months} after each "
            f"quarter, at {self.ledger_to_activity:.2f} × what the commitments' contribution "
            f"percentages earn{accrual}; £{-self.contributions_left:,.0f} of contributions is "
            f"still to post{grant}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "posting_lag_months": self.posting_lag,
            "ledger_to_activity": round(self.ledger_to_activity, 4),
            "year_end_accrual_quarters": round(self.year_end_share, 4),
            "grant_accounts": list(self.grant_accounts),
            "contributions_left": round(self.contributions_left, 2),
            "grant_left": round(self.grant_left, 2),
            "finding": self.finding,
        }


def income_by_account(
    ledger: Iterable[LedgerEntry], cost_centres: Iterable[CostCentre]
) -> AccountLedger:
    """The income line's postings by account and period."""
    income = {cc.code for cc in cost_centres if cc.service_line is ServiceLine.INCOME}
    out: AccountLedger = defaultdict(lambda: defaultdict(float))
    for entry in ledger:
        if entry.cost_centre in income:
            out[entry.account][entry.period] += float(entry.amount)
    return out


def grant_accounts(by_account: AccountLedger, years: list[FinancialYear]) -> list[str]:
    """Accounts that posted in a single period of every earlier year they posted in, in at least
    MIN_GRANT_YEARS of them."""
    out = []
    for account, posted in by_account.items():
        counts = [sum(1 for p, v in posted.items() if p.financial_year == y and v) for y in years]
        if max(counts, default=0) == 1 and sum(counts) >= MIN_GRANT_YEARS:
            out.append(account)
    return sorted(out)


def posting_lag(monthly: dict[Period, float], years: list[FinancialYear]) -> int | None:
    """Months after a quarter's end that its contributions post (1–3), or None when periods 2–11
    of the earlier years do not hold them in one month of each quarter."""
    by_residue = np.zeros(3)
    for period, amount in monthly.items():
        if period.financial_year in years and period.number not in (1, 12):
            by_residue[period.number % 3] += abs(amount)
    total = by_residue.sum()
    if total <= 0 or by_residue.max() < QUARTERLY_SHARE * total:
        return None
    residue = int(by_residue.argmax())
    return residue or 3


def year_end_share(monthly: dict[Period, float], years: list[FinancialYear], lag: int) -> float:
    """α: period 12's income beyond the quarter it posts anyway (lag 3), in units of the year's
    typical quarterly posting, averaged over the earlier years."""
    shares = []
    for year in years:
        quarters = [-monthly.get(Period.of(year, n), 0.0) for n in range(2, 12) if n % 3 == lag % 3]
        typical = float(np.mean(quarters)) if quarters else 0.0
        if typical <= 0:
            continue
        march = -monthly.get(Period.of(year, 12), 0.0)
        shares.append((march - (typical if lag == 3 else 0.0)) / typical)
    if not shares:
        return 0.0
    return min(max(float(np.mean(shares)), 0.0), MAX_ALPHA)


def quarter_bounds(year: FinancialYear) -> list[tuple[date, date]]:
    periods = year.periods()
    return [(periods[3 * q].first_day, periods[3 * q + 2].last_day) for q in range(4)]


def earned_by_quarter(
    commitments: Iterable[Commitment],
    year: FinancialYear,
    close: Period,
    outlook: Mapping[ServiceLine, FloatArray] | None = None,
) -> tuple[list[float], list[float]]:
    """Contributions earned in each quarter of `year`, (to the close, after it): the
    commitments' own days to the close,
    and after it those open at the close, each day × its line's `outlook` (the placement
    engine's expected cost of the line that day ÷ its cost the day after the close, so that
    contributions end, and arrive, as the placements that earn them are expected to; 1 where no
    outlook is given). Planned end dates after the close are not trusted: they are rolled on
    while placements last (DOMAIN.md)."""
    close_day = close.last_day
    after = close_day + timedelta(days=1)
    known, expected = [], []
    for first, last in quarter_bounds(year):
        earned = ahead = 0.0
        for c in commitments:
            if c.contribution_pct <= 0 or c.weekly_cost <= 0:
                continue
            daily = float(c.weekly_cost * c.contribution_pct) / 100 / 7
            start = max(c.start, first)
            end = min(c.end or last, last, close_day)
            earned += daily * max((end - start).days + 1, 0)
            if c.is_open_on(close_day) and last > close_day:
                begin = (max(first, after) - after).days
                days = (last - after).days + 1 - begin
                ahead += daily * _outlook_days(outlook, c.category, begin, days)
        known.append(earned)
        expected.append(ahead)
    return known, expected


def _outlook_days(
    outlook: Mapping[ServiceLine, FloatArray] | None, line: ServiceLine, begin: int, days: int
) -> float:
    """Σ of the line's outlook over `days` days from day `begin` after the close (its last value
    past its end: the horizon may stop short of March)."""
    factors = None if outlook is None else outlook.get(line)
    if factors is None or len(factors) == 0:
        return float(days)
    index = np.clip(np.arange(begin, begin + days), 0, len(factors) - 1)
    return float(factors[index].sum())


def placement_outlook(
    expected: Mapping[ServiceLine, FloatArray],
) -> dict[ServiceLine, FloatArray]:
    """Each line's expected daily cost after the close as a multiple of its first day's."""
    out = {}
    for line, daily in expected.items():
        if len(daily) and daily[0] > 0:
            out[line] = np.asarray(daily, dtype=float) / float(daily[0])
    return out


def fit_income(
    ledger: Iterable[LedgerEntry],
    cost_centres: Iterable[CostCentre],
    commitments: Iterable[Commitment],
    period: Period,
    years: list[FinancialYear],
    *,
    outlook: Mapping[ServiceLine, FloatArray] | None = None,
) -> IncomeFit | None:
    """The income line's remaining postings after `period`, or None to profile it instead
    (`outlook`: see earned_by_quarter)."""
    if not years or period.number == 12:
        return None
    by_account = income_by_account(ledger, cost_centres)
    grants = grant_accounts(by_account, years)
    contributions: dict[Period, float] = defaultdict(float)
    for account, rows in by_account.items():
        if account not in grants:
            for p, amount in rows.items():
                contributions[p] += amount
    lag = posting_lag(contributions, years)
    year = period.financial_year
    known, expected = earned_by_quarter(list(commitments), year, period, outlook)
    earned = [k + e for k, e in zip(known, expected, strict=True)]
    if lag is None or not any(earned):
        return None
    alpha = year_end_share(contributions, years, lag)
    posted_in = [3 * q + 3 + lag for q in range(4)]  # period numbers; above 12 is next year
    done = [q for q in range(4) if posted_in[q] <= period.number]
    # κ: posted ÷ earned over this year's quarters already posted, with a prior quarter at 1
    posted = sum(-contributions.get(Period.of(year, posted_in[q]), 0.0) for q in done)
    prior = float(np.mean(earned))
    kappa = (posted + prior) / (sum(earned[q] for q in done) + prior)
    left = np.zeros(12 - period.number)
    for q in range(4):
        if period.number < posted_in[q] <= 12:
            left[posted_in[q] - period.number - 1] -= kappa * earned[q]
        elif posted_in[q] > 12:
            left[-1] -= alpha * kappa * earned[q]
    contributions_left = float(left.sum())
    ratios = [-contributions.get(Period.of(year, posted_in[q]), 0.0) / earned[q] for q in done]
    kappa_sd = _kappa_sd([r for r in ratios if math.isfinite(r)])
    # what the contributions after the close will be is itself a forecast: the stock of
    # contributing placements wanders as much a quarter as it did between this year's quarters
    wander = _quarterly_wander(known, period)
    ahead = 0.0
    for q, (first, last) in enumerate(quarter_bounds(year)):
        weight = 1.0 if posted_in[q] <= 12 else alpha
        if expected[q] and posted_in[q] > period.number:
            middle = max(first, period.last_day) + (last - max(first, period.last_day)) / 2
            quarters = (middle - period.last_day).days / DAYS_IN_QUARTER
            ahead += (weight * kappa * wander * math.sqrt(quarters) * expected[q]) ** 2
    alpha_sd = _alpha_spread(contributions, years, lag) * kappa * earned[3]
    grant_left, grant_sd = _grant_still_to_come(by_account, grants, years, period, left)
    total = float(left.sum())
    sd = math.sqrt((kappa_sd * contributions_left) ** 2 + ahead + alpha_sd**2 + grant_sd**2)
    relative = sd / abs(total) if total else 0.0
    return IncomeFit(
        Profiled(METHOD, left, relative),
        lag,
        kappa,
        alpha,
        tuple(grants),
        contributions_left,
        grant_left,
    )


def _kappa_sd(ratios: list[float]) -> float:
    """κ's doubt: the spread of posted ÷ earned over this year's posted quarters ÷ √n (never
    below ledger_timing's least); with fewer than two, its prior, narrowing with each seen."""
    if len(ratios) >= 2:
        return max(float(np.std(ratios, ddof=1)) / math.sqrt(len(ratios)), MIN_KAPPA_SD)
    return PRIOR_KAPPA_SD / math.sqrt(1 + len(ratios))


def _quarterly_wander(known: list[float], period: Period) -> float:
    """Root mean square change in log contributions earned between this year's complete
    quarters; before two are complete, ledger_timing's prior for a ledger-to-activity ratio."""
    complete = [k for q, k in enumerate(known) if 3 * q + 3 <= period.number and k > 0]
    changes = np.diff(np.log(complete)) if len(complete) >= 2 else np.array([])
    if not len(changes):
        return PRIOR_KAPPA_SD
    return float(np.sqrt(np.mean(changes**2)))


def _alpha_spread(monthly: dict[Period, float], years: list[FinancialYear], lag: int) -> float:
    """How much α varied between the earlier years (0 with fewer than two)."""
    values = [year_end_share(monthly, [y], lag) for y in years]
    return float(np.std(values, ddof=1)) if len(values) >= 2 else 0.0


def _grant_still_to_come(
    by_account: AccountLedger,
    grants: list[str],
    years: list[FinancialYear],
    period: Period,
    left: np.ndarray,
) -> tuple[float, float]:
    """Adds to `left` each grant not yet posted this year (last year's amount, in last year's
    month, or the month after the close if that month has passed); returns (amount, sd)."""
    year = period.financial_year
    amount = variance = 0.0
    for account in grants:
        posted = by_account[account]
        if any(p.financial_year == year and p <= period and v for p, v in posted.items()):
            continue
        seen = sorted((p, v) for p, v in posted.items() if p.financial_year in years and v)
        if not seen:
            continue
        last_period, last_amount = seen[-1]
        month = max(last_period.number, period.number + 1)
        left[month - period.number - 1] += last_amount
        amount += last_amount
        # last year's amount is the forecast, so the doubt is the size of a year's step, in
        # pounds (relative steps blow up when a small grant doubles)
        steps = np.diff([v for _, v in seen])
        if len(steps):
            variance += float(np.mean(steps**2))
        else:
            variance += (GRANT_CHANGE_SD * last_amount) ** 2
    return amount, math.sqrt(variance)
