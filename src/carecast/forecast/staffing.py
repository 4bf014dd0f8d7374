"""Staffing to year end, post by post: current holders, leavers, and vacancies being filled.

The committed cost is each filled post at its current status and cost to its contract end or year
end (what a finance system shows). The expected cost adds what the establishment data says will
change: a holder may leave (at the fitted leaver rate for their status, never inside the notice
period, or on their END_DATE), the post is then vacant, and a vacancy is filled after the expected
time to fill — by agency with the recent agency share of new starts, at the agency premium. Known
start dates for vacancies and planned agency-to-permanent conversions are assumptions.

What a vacancy will cost once filled is what the file says it costs when that is more than
nothing (some systems keep a vacant post's budgeted cost); a vacant post shown at £0 is priced at
its role's permanent cost per FTE — left at £0, every vacancy filled added nothing and staffing
ran low on councils whose files show vacancies that way. The time to fill is measured where the
council's extracts show it: the posts vacant in the extract of about six months before, and when
each was filled (its holder's START_DATE) or that it is still vacant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from carecast.domain.codes import PAID_STATUSES
from carecast.domain.finance import Post
from carecast.domain.periods import days_between
from carecast.forecast.assumptions import StaffingAssumptions
from carecast.forecast.end_dates import post_end_dates
from carecast.forecast.history import FloatArray
from carecast.forecast.window import Window

MIN_DATED_POSTS = 5
# fewer permanent holders with a START_DATE than this: no leavers assumed
MIN_WATCHED_VACANCIES = 5
# fewer vacancies followed from the earlier extract than this: the assumed time to fill is used
DEFAULT_MONTHS_TO_FILL = 4.0


def post_cost(post: Post, first: date, last: date, days_in_year: int) -> Decimal:
    """A filled post's cost from `first` to `last`, limited by its contract dates.

    A vacant post costs nothing until it is filled (see `StaffingModel` for expected fills).
    """
    if post.status not in PAID_STATUSES:
        return Decimal(0)
    start = first if post.start is None else max(post.start, first)
    end = last if post.end is None else min(post.end, last)
    return post.annual_cost * days_between(start, end) / days_in_year


def staffing_cost(posts: Iterable[Post], first: date, last: date, days_in_year: int) -> Decimal:
    return sum((post_cost(p, first, last, days_in_year) for p in posts), Decimal(0))


@dataclass(frozen=True)
class StaffingFit:
    leaver_rate: dict[str, float]  # a year, by status
    fill_rate: float  # vacancies filled a year
    agency_fill_share: float
    agency_premium: float
    end_dates_extended: bool = False
    # how many events each rate rests on: its uncertainty in the paths follows from them
    leaver_events: int = 0
    fill_events: int = 0
    vacancy_events: int = 0  # fills seen among the vacancies followed from the earlier extract
    role_cost_per_fte: tuple[tuple[str, float], ...] = ()  # permanent, a year: prices vacancies

    def filled_cost(self, post: Post) -> float:
        """A year's cost of the post filled permanently: its own cost (less the agency premium
        for an agency holder); a vacancy shown at £0 at its role's permanent cost per FTE."""
        cost = float(post.annual_cost)
        if post.status == "agency":
            return cost / (1 + self.agency_premium)
        if post.status != "vacant" or cost > 0:
            return cost
        by_role = dict(self.role_cost_per_fte)
        per_fte = by_role.get(post.role, by_role.get("", 0.0))
        return per_fte * float(post.fte)


def fit_staffing(
    posts: Sequence[Post],
    close: date,
    a: StaffingAssumptions,
    earlier: tuple[Sequence[Post], date] | None = None,
) -> StaffingFit:
    """The permanent leaver rate from how many holders started in the last year (a steady turnover
    of μ a year leaves 1 − e^−μ of holders with under a year in post); the agency share of recent
    starts; the agency premium from the average cost per FTE of agency and permanent holders."""
    year_ago = close - timedelta(days=365)
    dated = [p for p in posts if p.status == "permanent" and p.start is not None]
    recent = sum(1 for p in dated if p.start is not None and p.start > year_ago)
    # Without start dates there is no evidence of turnover: the posts run as they are (the
    # assumption can set a rate).
    permanent = (
        -math.log(1 - min(recent / len(dated), 0.9)) if len(dated) >= MIN_DATED_POSTS else 0.0
    )
    if a.leaver_rate_permanent is not None:
        permanent = a.leaver_rate_permanent
    # An agency worker who goes is mostly replaced by another straight away (a new start date but
    # no vacancy), so agency churn says little about vacancies: agency posts fall vacant at the
    # permanent rate unless the assumption says otherwise.
    agency = permanent if a.leaver_rate_agency is None else a.leaver_rate_agency
    rates = {"permanent": permanent, "agency": agency, "secondee": 0.0}
    starters = [
        p
        for p in posts
        if p.status in ("permanent", "agency") and p.start is not None and p.start > year_ago
    ]
    share = sum(p.status == "agency" for p in starters) / len(starters) if starters else 0.0
    if a.agency_fill_share is not None:
        share = a.agency_fill_share
    earlier_posts, earlier_on = earlier if earlier is not None else ((), close)
    extended = post_end_dates(earlier_posts, posts, earlier_on, close).rolled_on
    if a.end_dates_extended is not None:
        extended = a.end_dates_extended
    fills, exposure_years = observed_vacancy_fills(earlier_posts, earlier_on, posts, close)
    fill_rate = 12 / DEFAULT_MONTHS_TO_FILL
    if a.months_to_fill_vacancy is not None:
        fill_rate, fills = 12 / a.months_to_fill_vacancy, 0
    elif exposure_years > 0 and fills > 0:
        fill_rate = fills / exposure_years
    return StaffingFit(
        rates,
        fill_rate,
        share,
        _premium(posts, a),
        extended,
        leaver_events=recent if a.leaver_rate_permanent is None else 0,
        fill_events=len(starters),
        vacancy_events=fills,
        role_cost_per_fte=_role_cost_per_fte(posts),
    )


def observed_vacancy_fills(
    earlier: Sequence[Post], earlier_on: date, posts: Sequence[Post], close: date
) -> tuple[int, float]:
    """Fills and years of exposure among the posts vacant in the earlier extract: a post filled
    since (its holder's START_DATE after the earlier extract) is a fill at that date; one still
    vacant is watched to the close (censored: the exponential's estimate is fills ÷ exposure)."""
    now = {p.post_id: p for p in posts}
    watched = [p for p in earlier if p.status == "vacant" and p.post_id in now]
    if len(watched) < MIN_WATCHED_VACANCIES or close <= earlier_on:
        return 0, 0.0
    fills, days = 0, 0
    for post in watched:
        later = now[post.post_id]
        filled_on = later.start if later.status in PAID_STATUSES else None
        if filled_on is not None and earlier_on < filled_on <= close:
            fills += 1
            days += (filled_on - earlier_on).days
        elif later.status == "vacant":
            days += (close - earlier_on).days
        # filled with no START_DATE, or by a holder said to start before the earlier extract:
        # the fill date is unknown, so the post tells nothing about the time to fill
    return fills, days / 365


def _role_cost_per_fte(posts: Sequence[Post]) -> tuple[tuple[str, float], ...]:
    """The median permanent cost per FTE, a year, by role; "" for all roles together."""
    by_role: dict[str, list[float]] = {}
    for post in posts:
        if post.status == "permanent" and post.fte > 0 and post.annual_cost > 0:
            per_fte = float(post.annual_cost / post.fte)
            by_role.setdefault(post.role, []).append(per_fte)
            by_role.setdefault("", []).append(per_fte)
    return tuple(sorted((role, float(np.median(v))) for role, v in by_role.items()))


def _premium(posts: Sequence[Post], a: StaffingAssumptions) -> float:
    if a.agency_premium is not None:
        return a.agency_premium
    ratios: list[tuple[float, float]] = []
    # roles in an order of their own, not a set's (which differs from process to process): the
    # premium is a sum, and the assumptions as used must be the same in every run
    for role in sorted({p.role for p in posts}):
        per_fte = {
            status: [
                float(p.annual_cost / p.fte)
                for p in posts
                if p.role == role and p.status == status and p.fte > 0
            ]
            for status in ("permanent", "agency")
        }
        if per_fte["permanent"] and per_fte["agency"]:
            ratio = np.mean(per_fte["agency"]) / np.mean(per_fte["permanent"]) - 1
            ratios.append((float(ratio), len(per_fte["agency"])))
    if not ratios:
        return 0.0
    weight = sum(w for _, w in ratios)
    return max(0.0, sum(r * w for r, w in ratios) / weight)


@dataclass(frozen=True)
class StaffingModel:
    """Daily expected cost of every post: (posts, days) arrays and what drives them."""

    post_ids: tuple[str, ...]
    committed: FloatArray  # current holder at current cost to contract end / year end
    holder: FloatArray  # expected: the current holder still in post
    newcomer: FloatArray  # expected: a new holder in a post vacant now or vacated later
    rate: FloatArray  # (posts,) current daily cost
    fill_rate_daily: FloatArray  # (posts,) daily cost once (re)filled, status mix included
    leave_from: FloatArray  # (posts,) day from which the holder may leave (inf: cannot)
    vacant_from: FloatArray  # (posts,) day the post is vacant for sure (inf: not known)
    leaver_rate: FloatArray  # (posts,) a day
    fit: StaffingFit


def build_staffing(
    posts: Sequence[Post],
    window: Window,
    days_in_year: int,
    a: StaffingAssumptions,
    earlier: tuple[Sequence[Post], date] | None = None,
) -> StaffingModel:
    """`earlier`: the establishment of an earlier extract and its date, to tell whether this
    council's contract end dates are kept or rolled on (end_dates.py)."""
    close = window.first - timedelta(days=1)
    fit = fit_staffing(posts, close, a, earlier)
    days = window.days
    d = np.arange(days, dtype=float)
    nu = fit.fill_rate / 365
    conversions = {c.post_id: c for c in a.agency_conversions}
    n = len(posts)
    committed = np.zeros((n, days))
    holder = np.zeros((n, days))
    newcomer = np.zeros((n, days))
    rate = np.zeros(n)
    refill = np.zeros(n)
    leave_from = np.full(n, np.inf)
    vacant_from = np.full(n, np.inf)
    mu = np.zeros(n)
    for i, post in enumerate(posts):
        cost = float(post.annual_cost) / days_in_year
        filled = post.status in PAID_STATUSES
        permanent_cost = fit.filled_cost(post) / days_in_year
        refill[i] = permanent_cost * (1 + fit.agency_fill_share * fit.agency_premium)
        rate[i] = cost if filled else 0.0
        end = None if post.end is None else window.offset(post.end)  # last day in post
        if end is not None and (end < 0 or fit.end_dates_extended):
            end = None  # still in post after its END_DATE, or END_DATEs are rolled on here
        starts = 0 if post.start is None else max(0, window.offset(post.start))
        if filled:
            last = days - 1 if end is None else min(end, days - 1)
            committed[i] = cost * ((d >= starts) & (d <= last))
            if end is not None and end < days - 1:
                vacant_from[i] = end + 1
            elif post.status != "secondee":
                leave_from[i] = a.notice_days
                mu[i] = fit.leaver_rate[post.status] / 365
        else:
            vacant_from[i] = 0.0
        if post.post_id in a.vacancy_fills and not filled:
            newcomer[i] = refill[i] * (d >= window.offset(a.vacancy_fills[post.post_id]))
            vacant_from[i] = np.inf
        holder[i] = committed[i] * np.exp(-mu[i] * np.clip(d - leave_from[i] + 1, 0, None))
        if np.isfinite(vacant_from[i]):
            newcomer[i] = refill[i] * np.where(
                d >= vacant_from[i], 1 - np.exp(-nu * (d - vacant_from[i] + 1)), 0.0
            )
        elif mu[i] > 0:
            x = np.clip(d - leave_from[i] + 1, 0, None)
            newcomer[i] = refill[i] * _vacated_and_filled(x, mu[i], nu)
        conversion = conversions.get(post.post_id)
        if conversion is not None and post.status == "agency":
            on = window.offset(conversion.date)
            new_cost = (
                float(conversion.annual_cost) / days_in_year
                if conversion.annual_cost is not None
                else permanent_cost
            )
            scale = np.where(d >= on, new_cost / cost if cost else 0.0, 1.0)
            holder[i] *= scale
    return StaffingModel(
        tuple(p.post_id for p in posts),
        committed,
        holder,
        newcomer,
        rate,
        refill,
        leave_from,
        vacant_from,
        mu,
        fit,
    )


def _vacated_and_filled(x: FloatArray, mu: float, nu: float) -> FloatArray:
    """P(a holder leaving at rate mu has gone and the post has been refilled at rate nu) after x
    days: ∫₀ˣ mu e^(−mu s) (1 − e^(−nu (x − s))) ds."""
    gone = 1 - np.exp(-mu * x)
    if abs(nu - mu) < 1e-12:
        return gone - mu * x * np.exp(-mu * x)
    return gone - mu / (nu - mu) * (np.exp(-mu * x) - np.exp(-nu * x))
