"""The children of a block walked through their months, one child at a time, compiled.

Compiled with numba: a child's stretches follow one another (where it is after one is where the
next begins), so they are a loop, and a loop in Python over every child of 1,000 paths of 150
councils is minutes. The kernel takes the block's random stream itself (numba draws from a numpy
Generator's own bit generator, the same numbers numpy would give): the children are walked in a
fixed order, so the same seed gives the same paths wherever the block runs. Compiled once and
cached beside this file (numba's `cache`), so a new process loads it rather than compiling.

The arithmetic is segments.py's docstring's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from carecast.forecast.history import AGE_BANDS
from carecast.projection.transitions import (
    ADULT_MONTHS,
    AGE_MONTHS,
    CARE_BANDS,
    CARE_MONTHS,
    CATEGORIES,
    DURATION_BANDS,
    DURATION_MONTHS,
)

_NEVER = 10**6  # months: past every band's last limit
AGE_ENDS = np.array([*AGE_MONTHS, ADULT_MONTHS], dtype=np.int64)  # the 18th ends the last band
PLACEMENT_ENDS = np.array([*DURATION_MONTHS, _NEVER], dtype=np.int64)
CARE_ENDS = np.array([*CARE_MONTHS, _NEVER], dtype=np.int64)
_C, _A, _K, _T = CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS
_ADULT = ADULT_MONTHS


def _bands(ends: np.ndarray, last: int) -> tuple[np.ndarray, np.ndarray]:
    """For whole months 0…`last`: the band each is in and the months left in it (a look-up
    each, not a loop whose end the processor must guess at every stretch)."""
    months = np.arange(last + 1)
    band = np.searchsorted(ends, months, side="right").clip(0, len(ends) - 1)
    return band.astype(np.int64), np.maximum(ends[band] - months, 0).astype(np.int64)


# past the last of its limits a clock's band and months left no longer matter: read at the cap
_PLACEMENT_CAP = int(DURATION_MONTHS[-1])
_CARE_CAP = int(CARE_MONTHS[-1])
AGE_BAND, AGE_LEFT = _bands(AGE_ENDS, ADULT_MONTHS)
PLACEMENT_BAND, PLACEMENT_LEFT = _bands(PLACEMENT_ENDS, _PLACEMENT_CAP)
CARE_BAND, CARE_LEFT = _bands(CARE_ENDS, _CARE_CAP)


@njit(cache=True, inline="always")
def _destination(rng: Any, destination: Any, row: int) -> int:
    """The category a move out of cell `row` goes to, by its cumulative shares."""
    pick = rng.random() * destination[row, _C - 1]
    for category in range(_C - 1):
        if destination[row, category] >= pick:
            return category
    return _C - 1


# One long body with every array an argument of its own, on purpose: calling a function for
# each child, or unpacking tuples of arrays there, cost as much again as the walk itself.
@njit(cache=True)
def walk(  # noqa: PLR0912, PLR0915, PLR0917
    rng: Any,
    size: int,
    looked_after: Any,  # (4, n): category, whole months of age, in placement, in care
    arrival_path: Any,  # (m,) each entrant's path
    arrival_month: Any,  # (m,) the month it arrives in
    arrival_pick: Any,  # (m,) a uniform: who it is, by its path's weights of the recent entrants
    arrival_share: Any,  # (m,) the part of its month left when it arrives
    cumulative: Any,  # (paths, kinds) each path's cumulative weights of the recent entrants
    kinds: Any,  # (3, kinds) float: each recent entrant's category, age in months and age band
    leave: Any,  # (paths × cells,) monthly rates of leaving care
    move: Any,  # (paths × cells,) monthly rates of moving
    destination: Any,  # (cells, categories) cumulative shares of a move's destinations
    scales: Any,  # (steps,) each month's scaling of the rates of leaving care
    scale_until: Any,  # (steps,) the first later month whose scaling differs
    counts: Any,  # out (paths, steps + 2, groups): +1 where a count in a group begins, −1 past
    left: Any,  # out (paths, steps) children leaving care
    turned_18: Any,  # out (paths, steps)
    begun: Any,  # out (paths, steps, categories) placements begun
    entries: Any,  # out (paths, steps)
) -> None:
    """Walk every child looked after at the start, on each path in turn, then every entrant,
    from its first month to leaving care, its 18th birthday or the horizon.

    An entrant is the recent entrant its path's weights reach at its pick; it arrives with its
    share of the month left, at risk of leaving or moving for that part (with no time in
    placement or in care yet: their first bands), and goes on from the next month. One body
    walks both (a function called for each child cost as much as the walk itself)."""
    steps = len(scales)
    cells = len(destination)
    n = looked_after.shape[1]
    for index in range(size * n + len(arrival_path)):
        # the hazard left before the placement ends: one exponential a placement, used up
        # stretch by stretch (memoryless, so the same chances as a fresh draw each stretch)
        wait = rng.standard_exponential()
        if index < size * n:
            path, child = index // n, index % n
            category, placed, month = looked_after[0, child], 0, 0
            age, placement, care = (
                looked_after[1, child],
                looked_after[2, child],
                looked_after[3, child],
            )
        else:
            entrant = index - size * n
            path, month = arrival_path[entrant], arrival_month[entrant]
            share = arrival_share[entrant]
            pick = arrival_pick[entrant] * cumulative[path, cumulative.shape[1] - 1]
            who = _first_reaching(cumulative, path, pick)
            category, age_months = int(kinds[0, who]), kinds[1, who]
            age_band = int(kinds[2, who])
            entries[path, month] += 1
            begun[path, month, category] += 1
            row = ((category * _A + age_band) * _K) * _T
            cell = path * cells + row
            quit_care = leave[cell] * scales[month]
            rate = quit_care + move[cell]
            if wait < rate * share:
                if rng.random() * rate < quit_care:
                    left[path, month] += 1
                    continue
                category = _destination(rng, destination, row)
                begun[path, month, category] += 1
                wait = rng.standard_exponential()
            else:
                wait -= rate * share
            age = int(np.floor(age_months + share))  # whole months of age at the month's end
            placed, placement, care = 1, 0, 0
            month += 1  # (one 18 by now is looked after at this month end, and gone at the next)
        counted = -1  # the group the child is counted in since `month`
        gone = False
        while month < steps:
            at_age = min(age, _ADULT)
            at_placement = min(placement, _PLACEMENT_CAP)
            at_care = min(care, _CARE_CAP)
            age_band = AGE_BAND[at_age]
            placement_band = PLACEMENT_BAND[at_placement]
            care_band = CARE_BAND[at_care]
            span = min(
                AGE_LEFT[at_age],
                PLACEMENT_LEFT[at_placement],
                CARE_LEFT[at_care],
                scale_until[month] - month,
            )
            span = max(span, 1)
            group = (placed * _C + category) * _A + age_band
            if group != counted:
                if counted >= 0:
                    counts[path, month, counted] -= 1
                counts[path, month, group] += 1
                counted = group
            row = ((category * _A + age_band) * _K + placement_band) * _T + care_band
            cell = path * cells + row
            quit_care = leave[cell] * scales[month]
            rate = quit_care + move[cell]
            if wait < rate * span:
                before = min(int(wait / rate), span - 1)  # whole months before the change
                month += before
                if rng.random() * rate < quit_care:
                    left[path, month] += 1
                    counts[path, month + 1, counted] -= 1
                    gone = True
                    break
                category = _destination(rng, destination, row)
                begun[path, month, category] += 1
                placed = 1
                # a move's placement began at the start of its month: a month old at the next
                age += before + 1
                care += before + 1
                placement = 1
                month += 1
                wait = rng.standard_exponential()
            else:
                wait -= rate * span
                age += span
                placement += span
                care += span
                month += span
            if age >= _ADULT:
                turned_18[path, month - 1] += 1
                counts[path, month, counted] -= 1
                gone = True
                break
        if not gone:  # looked after at the horizon, in the group of its age then
            final = (placed * _C + category) * _A + AGE_BAND[min(age, _ADULT)]
            if final != counted:
                if counted >= 0:
                    counts[path, steps, counted] -= 1
                counts[path, steps, final] += 1


@njit(cache=True, inline="always")
def _first_reaching(cumulative: Any, row: int, target: float) -> int:
    """The first column where `cumulative`'s `row` reaches `target` (the last at most)."""
    low, high = 0, cumulative.shape[1] - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[row, middle] >= target:
            high = middle
        else:
            low = middle + 1
    return low


@njit(cache=True)
def stock_of(counts: Any, months: int) -> tuple[Any, Any]:
    """From walk's counts (+1 where a count in a group begins, −1 past its end): children at
    each month end (months, paths, categories, age bands) and of them those placed since the
    start (months, paths, categories)."""
    size, groups = counts.shape[0], counts.shape[2]
    stock = np.zeros((months, size, _C, _A), dtype=np.int32)
    placed = np.zeros((months, size, _C), dtype=np.int32)
    running = np.zeros(groups, dtype=np.int64)
    for path in range(size):
        running[:] = 0
        for month in range(months):
            for group in range(groups):
                running[group] += counts[path, month, group]
                now = running[group]
                if now:
                    since, rest = divmod(group, _C * _A)
                    category, age_band = divmod(rest, _A)
                    stock[month, path, category, age_band] += now
                    if since:
                        placed[month, path, category] += now
    return stock, placed
