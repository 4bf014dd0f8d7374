"""Activity as a committee reads it, counted from the SSDA903 episodes and the finance extracts.

Pure functions over domain records: children looked after on a date, the 31 March series, children
starting and ceasing, placements starting and ending by category, allowance cases. Placements are
matched to commitments in one place only, the forecast engine's `forecast.reconcile`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from carecast.domain.activity import Episode, Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance
from carecast.domain.periods import Period

# REC X1: the episode ends and another starts at once, so the child does not leave care.
CONTINUES = "X1"
STARTED_CARE = "S"


def looked_after_on(episodes: Iterable[Episode], day: date) -> int:
    """Children with an episode open on `day` (DEC is the first day out of care)."""
    return len({e.child_id for e in episodes if e.is_open_on(day)})


def first_complete_day(episodes: Iterable[Episode]) -> date | None:
    """The first day the history is complete for: the earliest recorded end of an episode.

    An SSDA903 return lists every episode open during its year, ended or not, so the earliest DEC
    falls early in the oldest return held; counts before it would miss children who left. With no
    ended episode at all, only the latest start is certain.
    """
    ends = [e.dec for e in episodes if e.dec is not None]
    if ends:
        return min(ends)
    starts = [e.decom for e in episodes]
    return max(starts) if starts else None


def march_series(episodes: tuple[Episode, ...], until: date) -> list[tuple[date, int]]:
    """Children looked after on each 31 March the history covers, up to `until`."""
    first = first_complete_day(episodes)
    if first is None:
        return []
    year = first.year if first <= date(first.year, 3, 31) else first.year + 1
    series = []
    while date(year, 3, 31) <= until:
        day = date(year, 3, 31)
        series.append((day, looked_after_on(episodes, day)))
        year += 1
    return series


def monthly_series(
    episodes: tuple[Episode, ...], period: Period, months: int = 24
) -> list[tuple[Period, int]]:
    """Children looked after at each month end, for up to `months` months to `period`."""
    first = first_complete_day(episodes)
    if first is None:
        return []
    periods = [period]
    while len(periods) < months:
        periods.append(periods[-1].previous())
    return [
        (p, looked_after_on(episodes, p.last_day)) for p in reversed(periods) if p.last_day >= first
    ]


def children_starting(episodes: Iterable[Episode], first: date, last: date) -> int:
    """Children who started to be looked after between `first` and `last` (RNE S)."""
    return len(
        {
            (e.child_id, e.decom)
            for e in episodes
            if e.rne == STARTED_CARE and first <= e.decom <= last
        }
    )


def children_ceasing(episodes: Iterable[Episode], first: date, last: date) -> int:
    """Children who ceased to be looked after between `first` and `last`."""
    return len(
        {
            (e.child_id, e.dec)
            for e in episodes
            if e.dec is not None and first <= e.dec <= last and e.rec != CONTINUES
        }
    )


def placements_started(
    placements: Iterable[Placement], first: date, last: date
) -> Counter[ServiceLine | None]:
    return Counter(p.category for p in placements if first <= p.start <= last)


def placements_ended(
    placements: Iterable[Placement], first: date, last: date
) -> Counter[ServiceLine | None]:
    return Counter(p.category for p in placements if p.end is not None and first <= p.end <= last)


def live_by_category(placements: Iterable[Placement], day: date) -> Counter[ServiceLine | None]:
    return Counter(p.category for p in placements if p.is_live_on(day))


def open_allowances(allowances: Iterable[Allowance], day: date) -> list[Allowance]:
    return [a for a in allowances if a.start <= day and (a.end is None or a.end >= day)]


def allowances_started(allowances: Iterable[Allowance], first: date, last: date) -> Counter[str]:
    return Counter(a.allowance_type for a in allowances if first <= a.start <= last)


def allowances_ended(allowances: Iterable[Allowance], first: date, last: date) -> Counter[str]:
    return Counter(
        a.allowance_type for a in allowances if a.end is not None and first <= a.end <= last
    )


def year_to_date(period: Period) -> tuple[date, date]:
    return period.financial_year.first_day, period.last_day
