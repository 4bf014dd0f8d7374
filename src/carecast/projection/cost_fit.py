"""What the projected children and staff cost: prices, establishment and allowances as the
council's own data gives them on the projection's start day, frozen for pricing the paths.

- Placements: a child in a placement running on the start day costs that category's mean weekly
  cost of the placements open then; a child placed after the start (an entrant or a move) the
  price of a new placement as the monthly forecast sets it (`forecast/pricing.py`: re-pricings
  told apart, the recent starts carried to the start day). Prices rise each April by the yearly
  price rise of the assumptions, times what the ledger pays per week of care beyond the prices,
  and each path draws how far a week of care will miss that rise (`cost_ledger`).
- Staffing: each role's filled FTE at its permanent and agency cost per FTE; case-holding roles
  (posts with a caseload, else social workers and practitioners) follow the children looked after
  (social workers needed = children ÷ caseload), the others stay as they are. Pay rises each April.
- Allowances: the allowances running on the start day end at the rate they have ended over the
  last three years; new ones join per child leaving care as they have over the last two, at the
  median weekly amount of those recent joiners.
- Other lines: the last complete financial year of the ledger, rising each April by inflation.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from carecast.domain.activity import Episode, Placement, derive_placements
from carecast.domain.codes import ALLOWANCE_LINES, PAID_STATUSES, PLACEMENT_LINES, ServiceLine
from carecast.domain.finance import Allowance, Commitment, Post
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.state import ActivityState
from carecast.forecast.other_lines import complete_years, monthly_ledger
from carecast.forecast.pricing import line_prices
from carecast.projection.cost_ledger import PriceUncertainty, fit_price_of_care

Spend = dict[ServiceLine, dict[Period, float]]  # the ledger by line and period (monthly_ledger)
ALLOWANCE_ENDING_YEARS = 3  # the ending rate of allowances from the last N years
JOINER_YEARS = 2  # new allowances per child leaving care from the last N years
CASE_HOLDING_WORDS = ("social worker", "practitioner")
# lines priced from activity; every other line rises from its ledger
ACTIVITY_LINES = frozenset(
    {*PLACEMENT_LINES, ServiceLine.STAFFING, ServiceLine.SPECIAL_GUARDIANSHIP}
    | {ServiceLine.ADOPTION_ALLOWANCES}
)


Rate = Annotated[float, Field(ge=-0.5, le=1.0)]
YearLabel = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$")]
# one rate for every year, or a rate per financial year ("2019-20": 0.04); a year not given
# takes the latest earlier year's rate (the earliest given before them)
Rates = Rate | dict[YearLabel, Rate]


class CostAssumptions(BaseModel):
    """The rises a projection's costs take each April (fractions: 0.03 is 3%), for every year or
    by financial year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    placement_price_rise: Rates = 0.03
    pay_award: Rates = 0.025
    inflation: Rates = 0.02
    # how case-holding staff follow the children: 1 means in proportion
    staff_follow_children: float = Field(1.0, ge=0.0, le=2.0)

    def rate(self, name: str, financial_year: str) -> float:
        """The rise `name` takes in the April that begins `financial_year`."""
        given: Rates = getattr(self, name)
        if not isinstance(given, dict):
            return float(given)
        if not given:
            return 0.0
        years = sorted(given)
        earlier = [y for y in years if y <= financial_year]
        return float(given[earlier[-1] if earlier else years[0]])


@dataclass(frozen=True)
class PlacementPrice:
    line: ServiceLine
    running_weekly: float  # mean weekly cost of the placements open on the start day
    new_weekly: float  # a placement begun after the start, priced on the start day
    running_count: int  # the open placements behind running_weekly
    new_starts: int  # the recent new placements behind new_weekly


@dataclass(frozen=True)
class RoleStaffing:
    role: str
    case_holding: bool
    permanent_fte: float
    agency_fte: float
    vacant_fte: float
    permanent_cost_per_fte: float  # a year
    agency_cost_per_fte: float
    caseload: float | None  # FTE-weighted mean caseload of its posts, where the file gives them

    @property
    def filled_fte(self) -> float:
        return self.permanent_fte + self.agency_fte

    @property
    def agency_share(self) -> float:
        return self.agency_fte / self.filled_fte if self.filled_fte else 0.0


@dataclass(frozen=True)
class AllowanceLine:
    line: ServiceLine
    running: int  # allowances open on the start day
    running_weekly: float  # their weekly total
    monthly_ending: float  # chance an allowance ends in a month
    joiners_per_exit: float  # new allowances per child leaving care before 18
    new_weekly: float  # median weekly amount of recent joiners


@dataclass(frozen=True)
class CostModel:
    start: date
    prices: tuple[PlacementPrice, ...]  # in the projection's category order (PLACEMENT_LINES)
    roles: tuple[RoleStaffing, ...]
    children_at_start: int
    allowances: tuple[AllowanceLine, ...]
    ledger_lines: dict[ServiceLine, float]  # the base year's net spend, for lines not priced
    base_year: str | None  # the financial year those come from
    budgets: dict[tuple[str, ServiceLine], Decimal]
    savings: dict[tuple[str, ServiceLine], Decimal]  # savings taken out of each year's budget
    assumptions: CostAssumptions
    notes: tuple[str, ...] = field(default=())
    # spend posted in the start's financial year up to the start (a first part-year adds it)
    posted_to_start: dict[ServiceLine, float] = field(default_factory=dict)
    # the base year's ledger spend on the placement lines ÷ its children's weeks in each category
    # at these prices taken back to its own by the assumed rises: what the ledger pays beyond the
    # prices (gross of contributions, care no commitment shows, step-ups); placements are priced
    # times this (1: not measured)
    ledger_ratio: float = 1.0
    # the yearly shock to that price of a week of care (cost_ledger): none unless fitted
    price_uncertainty: PriceUncertainty = field(default_factory=PriceUncertainty)

    def agency_share(self) -> float:
        filled = sum(r.filled_fte for r in self.roles)
        return sum(r.agency_fte for r in self.roles) / filled if filled else 0.0

    def caseload(self) -> float | None:
        """FTE-weighted mean caseload of the case-holding roles that give one."""
        given = [(r.caseload, r.filled_fte) for r in self.roles if r.case_holding and r.caseload]
        weight = sum(f for _, f in given)
        return sum(c * f for c, f in given if c) / weight if weight else None


def fit_costs(
    state: ActivityState,
    start: date,
    children_at_start: int,
    assumptions: CostAssumptions | None = None,
) -> CostModel:
    a = assumptions or CostAssumptions()
    notes: list[str] = []
    placements = derive_placements(state.episodes)
    prices = _placement_prices(state, start, notes, placements)
    roles = _roles(state.posts, notes)
    allowances = _allowances(state.allowances, state.episodes, start)
    ledger = monthly_ledger(state.ledger, state.cost_centres)  # read once, used three ways
    ledger_lines, base_year = _ledger_lines(ledger, start, notes)
    posted = _posted_to_start(ledger[0], start)
    ratio, uncertainty = fit_price_of_care(
        ledger,
        base_year,
        start,
        placements=placements,
        weekly={p.line: p.running_weekly for p in prices},
        commitments=state.commitments,
        rise=lambda year: a.rate("placement_price_rise", year),
        notes=notes,
    )
    budgets = {(b.financial_year, b.service_line): b.amount for b in state.budget}
    savings: dict[tuple[str, ServiceLine], Decimal] = defaultdict(Decimal)
    for action in state.actions:
        if action.kind == "saving":
            savings[(action.financial_year, action.service_line)] += action.value
    return CostModel(
        start,
        prices,
        roles,
        children_at_start,
        allowances,
        ledger_lines,
        base_year,
        budgets,
        dict(savings),
        a,
        tuple(notes),
        posted,
        ratio,
        uncertainty,
    )


def _posted_to_start(spend: Spend, start: date) -> dict[ServiceLine, float]:
    """Each line's spend posted in the periods of the start's financial year up to the start."""
    year = FinancialYear.containing(start)
    periods = {p for p in year.periods() if p.last_day <= start}
    return {
        line: sum(v for period, v in by_period.items() if period in periods)
        for line, by_period in spend.items()
    }


def _open_on(commitments: Iterable[Commitment], day: date) -> dict[ServiceLine, list[float]]:
    running: dict[ServiceLine, list[float]] = defaultdict(list)
    for c in commitments:
        if c.is_open_on(day) and c.net_weekly_cost > 0:
            running[c.category].append(float(c.net_weekly_cost))
    return running


def placement_prices(state: ActivityState, start: date) -> tuple[PlacementPrice, ...]:
    """Each placement line's weekly price on `start`: of its placements running then and of a
    new one (fit_costs' prices, without the rest of the plan's costs)."""
    return _placement_prices(state, start, [], derive_placements(state.episodes))


def _placement_prices(
    state: ActivityState, start: date, notes: list[str], placements: list[Placement]
) -> tuple[PlacementPrice, ...]:
    new = line_prices(
        state.commitments,
        start,
        365,
        {},
        placements=placements,
        earlier=state.earlier_commitments,
    )
    running = _open_on(state.commitments, start)
    out = []
    for line in PLACEMENT_LINES:
        open_costs = running.get(line, [])
        new_weekly = new.weekly.get(line, 0.0)
        running_weekly = statistics.fmean(open_costs) if open_costs else new_weekly
        if not open_costs and not new_weekly and any(p.category is line for p in placements):
            notes.append(
                f"{line.heading}: children are placed there but no commitment prices it; its "
                "placements are projected at £0 — import the placement costs that pay for them."
            )
        out.append(
            PlacementPrice(
                line,
                running_weekly,
                new_weekly or running_weekly,
                len(open_costs),
                new.recent.get(line, 0),
            )
        )
    return tuple(out)


def _is_case_holding(role: str, posts: Sequence[Post], any_caseload: bool) -> bool:
    if any_caseload:
        return any(p.caseload for p in posts)
    return any(word in role.lower() for word in CASE_HOLDING_WORDS)


def _per_fte(posts: Sequence[Post]) -> float:
    fte = sum(float(p.fte) for p in posts)
    return sum(float(p.annual_cost) for p in posts) / fte if fte else 0.0


def _roles(posts: Sequence[Post], notes: list[str]) -> tuple[RoleStaffing, ...]:
    by_role: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_role[post.role].append(post)
    any_caseload = any(p.caseload for p in posts)
    everyone = _per_fte([p for p in posts if p.status == "permanent"])
    roles = []
    for role, held in sorted(by_role.items()):
        permanent = [p for p in held if p.status in PAID_STATUSES and p.status != "agency"]
        agency = [p for p in held if p.status == "agency"]
        vacant = [p for p in held if p.status not in PAID_STATUSES]
        permanent_cost = _per_fte(permanent) or _per_fte(vacant) or everyone
        agency_cost = _per_fte(agency) or permanent_cost
        with_caseload = [p for p in held if p.caseload and p.status in PAID_STATUSES]
        weight = sum(float(p.fte) for p in with_caseload)
        caseload = (
            sum(float(p.fte) * (p.caseload or 0) for p in with_caseload) / weight
            if weight
            else None
        )
        roles.append(
            RoleStaffing(
                role,
                _is_case_holding(role, held, any_caseload),
                sum(float(p.fte) for p in permanent),
                sum(float(p.fte) for p in agency),
                sum(float(p.fte) for p in vacant),
                permanent_cost,
                agency_cost,
                caseload,
            )
        )
    if posts and not any(r.case_holding for r in roles):
        notes.append(
            "No post gives a caseload and no role is a social worker or practitioner: staffing "
            "is held as it is, whatever the number of children."
        )
    return tuple(roles)


def _months(first: date, last: date) -> float:
    return max((last - first).days, 0) / (365.25 / 12)


def _care_exits(episodes: Iterable[Episode], first: date, last: date) -> int:
    """Children leaving care (an episode ending without another beginning that day)."""
    return sum(1 for e in episodes if e.dec is not None and first < e.dec <= last and e.rec != "X1")


def _allowances(
    allowances: Sequence[Allowance], episodes: Sequence[Episode], start: date
) -> tuple[AllowanceLine, ...]:
    ending_from = start - timedelta(days=round(365.25 * ALLOWANCE_ENDING_YEARS))
    joiners_from = start - timedelta(days=round(365.25 * JOINER_YEARS))
    exits = _care_exits(episodes, joiners_from, start)
    out = []
    for line in (ServiceLine.SPECIAL_GUARDIANSHIP, ServiceLine.ADOPTION_ALLOWANCES):
        mine = [x for x in allowances if ALLOWANCE_LINES.get(x.allowance_type) is line]
        running = [x for x in mine if x.start <= start and (x.end is None or x.end >= start)]
        exposure = sum(
            _months(max(x.start, ending_from), min(x.end or start, start))
            for x in mine
            if x.start <= start and (x.end is None or x.end >= ending_from)
        )
        ended = sum(1 for x in mine if x.end is not None and ending_from <= x.end < start)
        joiners = [x for x in mine if joiners_from < x.start <= start]
        out.append(
            AllowanceLine(
                line,
                len(running),
                sum(float(x.weekly_amount) for x in running),
                ended / exposure if exposure else 0.0,
                len(joiners) / exits if exits else 0.0,
                statistics.median(float(x.weekly_amount) for x in joiners) if joiners else 0.0,
            )
        )
    return tuple(out)


def _ledger_lines(
    ledger: tuple[Spend, set[Period]], start: date, notes: list[str]
) -> tuple[dict[ServiceLine, float], str | None]:
    spend, seen = ledger
    after = FinancialYear.containing(start + timedelta(days=1))
    complete = complete_years(seen, after, 1)
    if not complete:
        if seen:
            notes.append(
                "The ledger has no complete financial year before the start: lines not priced "
                "from activity (support, other costs, income) are left out of the projection."
            )
        return {}, None
    year = complete[0]
    periods = set(year.periods())
    lines = {
        line: sum(v for period, v in by_period.items() if period in periods)
        for line, by_period in spend.items()
        if line not in ACTIVITY_LINES
    }
    return lines, year.label
