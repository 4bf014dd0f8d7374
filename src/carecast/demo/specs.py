"""The small value types a DemoProfile is made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryCost:
    """Prices and dynamics of one placement category."""

    weekly_cost: float  # mean weekly cost at `DemoProfile.price_base_year` prices, £
    sigma: float  # lognormal spread of individual prices
    move_rate: float  # expected placement changes a year while in this category
    contribution_share: float = 0.0  # share of placements part-funded by health or education
    contribution_pct: tuple[float, float] = (20.0, 50.0)  # range of that share, %


@dataclass(frozen=True)
class Frictions:
    """Finance-system frictions; `Frictions.none()` switches them all off."""

    prompt_entry_days: int = 5  # a commitment is normally keyed 0..n days after the start
    late_entry_share: float = 0.10  # … but this share is keyed late (under-commitment)
    late_entry_days: tuple[int, int] = (14, 90)
    prompt_close_days: int = 5  # an ended commitment is normally closed 0..n days after the end
    late_close_share: float = 0.10  # … but this share stays open for weeks (over-commitment)
    late_close_days: tuple[int, int] = (21, 120)
    posting_lag_share: float = 0.08  # share of a month's placement spend posted the next period

    @classmethod
    def none(cls) -> Frictions:
        return cls(0, 0.0, (0, 0), 0, 0.0, (0, 0), 0.0)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    annual_cost: float  # permanent full-year cost per FTE incl. on-costs, at staffing base prices
    agency_premium: float  # an agency worker costs this much more
    can_be_agency: bool = True
    caseload: int = 0  # cases per FTE when filled; 0 for posts that hold no cases


@dataclass(frozen=True)
class TeamSpec:
    name: str
    cost_centre: str
    share: float  # share of the establishment's FTE
    roles: tuple[tuple[str, float], ...]  # role name, share of the team's posts


@dataclass(frozen=True)
class OtherLineSpec:
    """A line the ledger carries without activity data: a level, a trend, noise, seasonality."""

    cost_centres: tuple[tuple[str, float], ...]
    annual: float  # in the current financial year, £
    growth: float  # a year
    noise: float  # lognormal sigma of each month
    seasonality: tuple[float, ...] = (1.0,) * 12  # April … March


@dataclass(frozen=True)
class ActionSpec:
    action_id: str
    kind: str  # saving | action | risk
    title: str
    service_line: str
    owner: str
    value: float  # £ for the current financial year
    confidence: str
    status: str
    due_period: int | None = None  # period 1..12 of the current financial year
    notes: str = ""
