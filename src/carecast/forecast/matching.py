"""Live placements (SSDA903) matched to placement commitments (the finance system).

The activity decides who is placed where; the commitment supplies the price. A live placement with
no open commitment is *under-reported* (costed at the line's recent average and flagged); an open
commitment with no live placement behind it is an *over-commitment* (left out of the activity
forecast, listed for the finance team to close).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment


@dataclass(frozen=True, slots=True)
class Match:
    placement: Placement
    commitment: Commitment | None

    @property
    def line(self) -> ServiceLine:
        """The placement's line (only costed placements are matched)."""
        category = self.placement.category
        if category is None:
            raise ValueError(f"placement of {self.placement.child_id} carries no cost")
        return category

    @property
    def category_differs(self) -> bool:
        return self.commitment is not None and self.commitment.category != self.placement.category


@dataclass(frozen=True)
class Matching:
    matches: tuple[Match, ...]  # one per live costed placement
    over_commitments: tuple[Commitment, ...]

    @property
    def unmatched(self) -> tuple[Placement, ...]:
        return tuple(m.placement for m in self.matches if m.commitment is None)


def best_commitment(placement: Placement, commitments: Iterable[Commitment]) -> Commitment | None:
    """The commitment (of the same child) whose dates overlap the placement's, of the placement's
    own line before any other, and then the one that overlaps it the most. (A child's move from
    residential care to supported accommodation, say, recorded weeks apart in the two systems,
    must not price the residential placement at the supported one's rate.)"""
    best, rank = None, (False, -1)
    end = placement.end or date.max
    for c in commitments:
        days = (min(end, c.end or date.max) - max(placement.start, c.start)).days
        candidate = (c.category == placement.category, days)
        if days >= 0 and candidate > rank:
            best, rank = c, candidate
    return best


def _score(placement: Placement, commitment: Commitment) -> tuple[int, int]:
    """Lower is better: the same line first, then the start date nearest the placement's."""
    return (
        0 if commitment.category == placement.category else 1,
        abs((commitment.start - placement.start).days),
    )


def match_placements(
    placements: Iterable[Placement], commitments: Iterable[Commitment], day: date
) -> Matching:
    """Match each costed placement live on `day` to one commitment of the same child open on it."""
    live = sorted(
        (p for p in placements if p.category is not None and p.is_live_on(day)),
        key=lambda p: (p.child_id, p.start),
    )
    open_by_child: dict[str, list[Commitment]] = defaultdict(list)
    for commitment in commitments:
        if commitment.is_open_on(day):
            open_by_child[commitment.child_id].append(commitment)
    used: set[int] = set()
    matches: list[Match] = []
    for placement in live:
        candidates = [c for c in open_by_child.get(placement.child_id, []) if id(c) not in used]
        best = min(candidates, key=lambda c: _score(placement, c), default=None)
        if best is not None:
            used.add(id(best))
        matches.append(Match(placement, best))
    over = tuple(
        c
        for child in sorted(open_by_child)
        for c in sorted(open_by_child[child], key=lambda c: c.start)
        if id(c) not in used
    )
    return Matching(tuple(matches), over)


AHEAD_DAYS = 62  # a commitment begun this recently may be a placement SSDA903 has yet to record
AHEAD_PLACE = "ahead_of_ssda903"


def commitments_ahead_of_ssda903(
    matching: Matching, placements: Iterable[Placement], day: date
) -> Matching:
    """Count as live the over-commitments begun in the last AHEAD_DAYS whose child has no
    placement ending since the commitment began: the finance system has keyed a placement that
    the SSDA903 extract, recorded later, does not show yet (a phantom commitment is one left
    open after its placement ended, and is still left out)."""
    latest_end: dict[str, date] = {}
    for p in placements:
        if p.end is not None and p.end > latest_end.get(p.child_id, date.min):
            latest_end[p.child_id] = p.end
    since = date.fromordinal(day.toordinal() - AHEAD_DAYS)
    ahead, over = [], []
    for c in matching.over_commitments:
        ended = latest_end.get(c.child_id)
        if c.category.is_placement and c.start >= since and (ended is None or ended < c.start):
            placement = Placement(c.child_id, AHEAD_PLACE, None, c.category, c.start, None)
            ahead.append(Match(placement, c))
        else:
            over.append(c)
    return Matching((*matching.matches, *ahead), tuple(over))
