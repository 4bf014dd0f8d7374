"""What the simulation produces: children, their placements and episodes, posts, allowance cases.

Dates follow one convention throughout: a placement or episode runs from `start` (inclusive) to
`end` (exclusive) — `end` is the SSDA903 DEC, the day the next episode starts. Money is held in
whole pence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Placement:
    index: int
    child: int  # index of the child
    category: str
    place: str
    provider_code: str
    provider: str
    urn: str
    pl_post: str
    start: date
    end: date | None = None  # exclusive; None while still open at the simulation horizon
    base_rate: int = 0  # weekly pence at the price epoch of `start` (0: no placement cost)
    start_epoch: int = 0
    contribution_pct: int = 0
    cost_centre: str = ""
    end_reason: str = ""  # REASON_PLACE_CHANGE when another placement follows


@dataclass
class Child:
    index: int
    child_id: str
    sex: int
    dob: date
    ethnic: str
    upn: str
    cin: str
    uasc: bool
    home_post: str
    entry: date
    exit: date  # planned exit (exclusive end of care); may lie beyond the simulation horizon
    route: str
    ls_changes: list[tuple[date, str]]
    terminal: tuple[date, str] | None = None  # last placement of a route home or to adoption
    move_at_16: date | None = None
    rec: str = ""
    mc_dob: date | None = None  # set when a girl in care has a baby (parent and child placement)
    placements: list[Placement] = field(default_factory=list)
    token: int = 0
    in_care: bool = False


@dataclass(frozen=True)
class Episode:
    child_id: str
    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    provider_code: str
    dec: date | None
    rec: str
    reason_place_change: str
    home_post: str
    pl_post: str
    urn: str


@dataclass(frozen=True)
class PostState:
    """One post in one month (status effective from the 1st, shown at the month end)."""

    post_id: str
    team: str
    cost_centre: str
    role: str
    fte: float
    status: str
    annual_cost: int  # pence; for a vacant post, what it would cost filled permanently
    start: date | None
    end: date | None
    caseload: int | None


@dataclass(frozen=True)
class AllowanceCase:
    case_id: str
    allowance_type: str  # sgo | cao | adoption
    start: date
    end: date  # last day paid (inclusive): the eve of the 18th birthday or an earlier stop
    planned_end: date  # the eve of the 18th birthday, known from the start
    base_rate: int  # weekly pence at the price epoch of `start`
    start_epoch: int


@dataclass(frozen=True)
class LedgerRow:
    period: tuple[int, int]
    cost_centre: str
    account: str
    amount: int  # pence
    description: str
