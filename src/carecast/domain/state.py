"""Everything known about one council on one date: the input of every engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from carecast.domain.activity import Child, Episode
from carecast.domain.finance import (
    Action,
    Allowance,
    BudgetLine,
    Commitment,
    CostCentre,
    LedgerEntry,
    Post,
)


@dataclass(frozen=True)
class CommitmentsExtract:
    """One past commitments extract as it was imported: its as-of date and its rows."""

    as_of: date
    commitments: tuple[Commitment, ...]


@dataclass(frozen=True)
class ActivityState:
    """The council's activity and finance data as known on `known_on`."""

    known_on: date
    children: tuple[Child, ...] = ()
    episodes: tuple[Episode, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    ledger: tuple[LedgerEntry, ...] = ()
    cost_centres: tuple[CostCentre, ...] = ()
    budget: tuple[BudgetLine, ...] = ()
    posts: tuple[Post, ...] = ()
    allowances: tuple[Allowance, ...] = ()
    actions: tuple[Action, ...] = field(default_factory=tuple)
    # The commitments and establishment as an extract about six months earlier showed them, and
    # that extract's date: comparing tells whether end dates are kept or routinely rolled on.
    earlier_commitments_on: date | None = None
    earlier_commitments: tuple[Commitment, ...] = ()
    earlier_posts_on: date | None = None
    earlier_posts: tuple[Post, ...] = ()
    # The extracts nearest each of the last few 31 Marches: they price the placements of past
    # years that today's extract no longer lists (the ledger-timing fit, the history replays).
    past_extracts: tuple[CommitmentsExtract, ...] = ()

    @property
    def past_commitments(self) -> tuple[Commitment, ...]:
        return tuple(c for extract in self.past_extracts for c in extract.commitments)
