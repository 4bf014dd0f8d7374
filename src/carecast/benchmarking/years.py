"""Which published year goes with which of the council's own figures.

Published years are labelled as their publishers label them: '2019' is 31 March 2019 (or the
year to it) for DfE's children looked after, '2018' is the census of 30 September 2018 for the
social work workforce, '2018-19' is a financial year for MHCLG's revenue outturn. A council's
own figure sits in a published year's row only when it describes that very date or year; any
other own figure gets a row of its own, labelled with its own date or year, so that no figure is
ever shown under another year's label.

A benchmark made for a financial year (the forecast's) shows, where the published data has it,
the published year that belongs to that financial year: the 31 March that closes it, the
30 September census within it, the financial year itself; where it has not, the nearest year
published, labelled as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from carecast.domain.periods import FinancialYear

# Section keys (figures.Section.key) by the kind of year their rows are labelled with.
MARCH = ("cla_rate", "flows", "placement_mix")
SEPTEMBER = ("workforce",)
FINANCIAL = ("spend",)


def day_label(day: date) -> str:
    """A point in time as a row's label: '30 Sep 2018'."""
    return f"{day.day} {day:%b %Y}"


def march_year(year: FinancialYear) -> str:
    """The 31 March that closes `year`: '2019' for 2018-19."""
    return str(year.last_day.year)


def september_year(year: FinancialYear) -> str:
    """The 30 September census within `year`: '2018' for 2018-19."""
    return str(year.first_day.year)


def aligned_year(section: str, year: FinancialYear) -> str:
    """The published year a section's rows show for the financial year `year`."""
    if section in SEPTEMBER:
        return september_year(year)
    if section in FINANCIAL:
        return year.label
    return march_year(year)


def nearest_year(wanted: str, published: Iterable[str]) -> str | None:
    """`wanted` if published, else the published year nearest to it (the later on a tie)."""
    pool = sorted(set(published))
    if wanted in pool:
        return wanted
    if not pool:
        return None
    return min(reversed(pool), key=lambda label: abs(int(label[:4]) - int(wanted[:4])))


def point_label(day: date, published_day: Callable[[int], date]) -> str:
    """The label of an own figure measured on `day`: the published year's label when a
    publication falls on that very day (`published_day(2018)` is that year's date), else the
    day itself."""
    return str(day.year) if published_day(day.year) == day else day_label(day)


def at_31_march_of(year: int) -> date:
    return date(year, 3, 31)


def at_30_september_of(year: int) -> date:
    return date(year, 9, 30)


def label_order(label: str, published_day: Callable[[int], date]) -> tuple[date, str]:
    """Sorts a section's row labels in time: '2017', '30 Sep 2018', '2024'; '2018-19' by the
    year it begins."""
    head = label[:4]
    if head.isdigit() and (len(label) == 4 or label[4] == "-"):
        return published_day(int(head)), label
    try:
        return datetime.strptime(label, "%d %b %Y").date(), label
    except ValueError:
        return date.max, label
