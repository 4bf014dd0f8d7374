"""The placement history as arrays: what the ending rates, moves and arrivals are fitted on.

Only what was known at the activity date is used (no look-ahead): an episode that starts after it
is dropped and one that ends after it is open. Each placement knows the one before and after it
(contiguous: the next starts the day this one ends), so a start is an *arrival* into costed care
(nothing costed just before it) or a *move* (a step-up, step-down or change within a category),
and an ending is a move or a *leaving* of costed care. A placement that runs to the 18th birthday
is not an early ending: that end is certain and is costed as such, so it is censored here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from carecast.domain.activity import Child, Episode, Placement, derive_placements
from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import eighteenth_birthday

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LINES: tuple[ServiceLine, ...] = PLACEMENT_LINES
LINE_INDEX = {line: i for i, line in enumerate(LINES)}
NO_COST = len(LINES)  # placed with parents, placed for adoption: in care, nothing to pay
OUT = -1  # no placement follows: the child left care
# Age bands of DOMAIN.md's durations: under 1, 1–4, 5–9, 10–15, 16–17 (birthdays at the limits).
AGE_LIMITS = (1, 5, 10, 16)
AGE_BANDS = len(AGE_LIMITS) + 1
# Duration bands in days since the placement started: early endings are far likelier at first.
DURATION_LIMITS = (7, 28, 91, 182, 365, 730)
DURATION_BANDS = len(DURATION_LIMITS) + 1


# Every placement of a child, in every fit and history replay of a close, asks again.
@lru_cache(maxsize=1 << 16)
def birthday_ordinal(dob: date, years: int) -> int:
    try:
        return dob.replace(year=dob.year + years).toordinal()
    except ValueError:  # 29 February in a non-leap year: the birthday falls on 1 March
        return date(dob.year + years, 3, 1).toordinal()


@dataclass(frozen=True)
class History:
    """One row per placement of a child with a known date of birth."""

    child_ids: tuple[str, ...]
    line: IntArray  # index into LINES, or NO_COST
    start: IntArray  # date ordinals
    end: IntArray  # ordinal of the day the child left (DEC), or `until + 1` when open
    ended: BoolArray  # False: still open on `until` (censored)
    adult: IntArray  # ordinal of the 18th birthday
    age_bounds: IntArray  # (n, 4): ordinals of the 1st, 5th, 10th and 16th birthdays
    previous: IntArray  # line of the contiguous placement before, NO_COST, or OUT
    following: IntArray  # line of the contiguous placement after, NO_COST, or OUT
    until: int  # the activity date's ordinal: nothing after it is known

    @property
    def costed(self) -> BoolArray:
        return np.asarray(self.line != NO_COST)

    @property
    def arrival(self) -> BoolArray:
        """Costed placements that did not follow another costed placement."""
        return np.asarray(self.costed & ((self.previous == OUT) | (self.previous == NO_COST)))

    @property
    def at_adulthood(self) -> BoolArray:
        """Ended on (or after) the 18th birthday: a certain end, not an early one."""
        return np.asarray(self.ended & (self.end >= self.adult))


def known_placements(episodes: Iterable[Episode], until: date) -> list[Placement]:
    """Placements as they were known on `until`: later starts dropped, later ends reopened."""
    known = [
        e if e.dec is None or e.dec <= until else replace(e, dec=None, rec=None)
        for e in episodes
        if e.decom <= until
    ]
    return derive_placements(known)


def build_history(
    placements: Iterable[Placement], children: Iterable[Child], until: date
) -> History:
    dobs = {child.child_id: child.dob for child in children}
    rows = sorted(
        (p for p in placements if p.child_id in dobs and p.start <= until),
        key=lambda p: (p.child_id, p.start),
    )
    n = len(rows)
    until_ord = until.toordinal()
    line = np.array(
        [NO_COST if p.category is None else LINE_INDEX[p.category] for p in rows], dtype=np.int64
    )
    start = np.array([p.start.toordinal() for p in rows], dtype=np.int64)
    end = np.array(
        [until_ord + 1 if p.end is None else p.end.toordinal() for p in rows], dtype=np.int64
    )
    ended = np.array([p.end is not None for p in rows], dtype=np.bool_)
    ids = [p.child_id for p in rows]
    # a child's birthdays once, however many placements it has had
    born = {
        child: (
            eighteenth_birthday(dobs[child]).toordinal(),
            *(birthday_ordinal(dobs[child], y) for y in AGE_LIMITS),
        )
        for child in dict.fromkeys(ids)
    }
    adult = np.array([born[child][0] for child in ids], np.int64)
    bounds = np.array([born[child][1:] for child in ids], np.int64).reshape(n, len(AGE_LIMITS))
    previous = np.full(n, OUT, dtype=np.int64)
    following = np.full(n, OUT, dtype=np.int64)
    # a placement follows the one before when it is the same child's, begun the day that ended
    same_child = np.array([a == b for a, b in zip(ids[1:], ids[:-1], strict=True)], np.bool_)
    joined = same_child & (start[1:] == end[:-1]) & ended[:-1]
    previous[1:][joined] = line[:-1][joined]
    following[:-1][joined] = line[1:][joined]
    return History(
        tuple(p.child_id for p in rows),
        line,
        start,
        end,
        ended,
        adult,
        bounds,
        previous,
        following,
        until_ord,
    )


def age_band(bounds: IntArray, day: IntArray) -> IntArray:
    """Age band on `day` (broadcasting: bounds (n, 4) against days (n, ...))."""
    extra = (slice(None),) + (None,) * (day.ndim - 1)
    return sum(  # type: ignore[return-value]
        (day >= bounds[:, k][extra]).astype(np.int64) for k in range(len(AGE_LIMITS))
    )


def duration_band(days: IntArray) -> IntArray:
    return np.searchsorted(np.array(DURATION_LIMITS), days, side="right").astype(np.int64)
