"""Activity counts for the report, on a handful of synthetic children counted by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.activity import Episode, derive_placements
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance
from carecast.domain.periods import Period
from carecast.reports import activity


def episode(
    child: str,
    start: date,
    end: date | None = None,
    *,
    rne: str = "S",
    place: str = "U4",
    provider: str = "PR1",
    rec: str | None = None,
) -> Episode:
    return Episode(
        child, start, rne, "C2", "N1", place, provider, end, rec or ("E8" if end else None)
    )


# T1 in care throughout; T2 leaves on 10 May 2018; T3 arrives 2 May 2018 in an IFA placement and
# moves (X1: a new episode, not leaving care) to residential on 1 June 2018; T4 ended in 2016.
EPISODES = (
    episode("T1", date(2016, 1, 5)),
    episode("T2", date(2017, 3, 1), date(2018, 5, 10)),
    episode("T3", date(2018, 5, 2), date(2018, 6, 1), provider="PR4", rec="X1"),
    episode("T3", date(2018, 6, 1), rne="P", place="K2", provider="PR4"),
    episode("T4", date(2015, 6, 1), date(2016, 2, 1)),
)


def test_children_looked_after_on_a_day() -> None:
    assert activity.looked_after_on(EPISODES, date(2018, 4, 30)) == 2  # T1, T2
    assert activity.looked_after_on(EPISODES, date(2018, 5, 10)) == 2  # T2 has left: T1, T3
    assert activity.looked_after_on(EPISODES, date(2018, 6, 30)) == 2  # T1, T3


def test_the_31_march_series_starts_where_the_history_is_complete() -> None:
    # The earliest end is 1 February 2016, so 31 March 2016 is the first complete 31 March.
    series = activity.march_series(EPISODES, date(2018, 9, 30))
    assert series == [(date(2016, 3, 31), 1), (date(2017, 3, 31), 2), (date(2018, 3, 31), 2)]


def test_monthly_series() -> None:
    months = activity.monthly_series(EPISODES, Period(2018, 6), months=3)
    assert months == [(Period(2018, 4), 2), (Period(2018, 5), 2), (Period(2018, 6), 2)]


def test_starting_and_ceasing_ignore_changes_of_placement() -> None:
    may = (date(2018, 5, 1), date(2018, 5, 31))
    june = (date(2018, 6, 1), date(2018, 6, 30))
    assert activity.children_starting(EPISODES, *may) == 1  # T3 (RNE S)
    assert activity.children_ceasing(EPISODES, *may) == 1  # T2
    assert activity.children_starting(EPISODES, *june) == 0  # T3's move is RNE P
    assert activity.children_ceasing(EPISODES, *june) == 0  # REC X1 is not leaving care


def test_placements_start_and_end_by_category() -> None:
    placements = derive_placements(EPISODES)
    first, last = activity.year_to_date(Period(2018, 9))
    started = activity.placements_started(placements, first, last)
    ended = activity.placements_ended(placements, first, last)
    assert started == {ServiceLine.PLACEMENTS_IFA: 1, ServiceLine.PLACEMENTS_RESIDENTIAL: 1}
    assert ended == {ServiceLine.PLACEMENTS_IN_HOUSE: 1, ServiceLine.PLACEMENTS_IFA: 1}
    assert activity.live_by_category(placements, date(2018, 9, 30)) == {
        ServiceLine.PLACEMENTS_IN_HOUSE: 1,
        ServiceLine.PLACEMENTS_RESIDENTIAL: 1,
    }


def test_allowances_open_started_and_ended() -> None:
    allowances = [
        Allowance("A1", "sgo", date(2015, 1, 1), None, Decimal(200)),
        Allowance("A2", "sgo", date(2018, 5, 1), None, Decimal(210)),
        Allowance("A3", "cao", date(2014, 1, 1), date(2018, 7, 31), Decimal(160)),
    ]
    first, last = activity.year_to_date(Period(2018, 9))
    assert [a.case_id for a in activity.open_allowances(allowances, last)] == ["A1", "A2"]
    assert activity.allowances_started(allowances, first, last) == {"sgo": 1}
    assert activity.allowances_ended(allowances, first, last) == {"cao": 1}
