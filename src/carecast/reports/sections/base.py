"""What a report section is: a key, a title and a build step from the context to content.

A section returns `Omitted` with a reason when it has nothing honest to show (no earlier forecast
to compare with, a capability not yet available); the methodology then lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Kind, Omitted, SectionContent, Suppressed

Built = SectionContent | Omitted


class Section(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    def build(self, context: ReportContext) -> Built: ...


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """A section made from a build function (satisfies `Section`)."""

    key: str
    title: str
    builder: Callable[[ReportContext], Built]

    def build(self, context: ReportContext) -> Built:
        return self.builder(context)


def text(key: str, heading: str) -> Column:
    return Column(key, heading, Kind.TEXT)


def pence(key: str, heading: str) -> Column:
    return Column(key, heading, Kind.PENCE)


def pounds(key: str, heading: str, *depends_on: str) -> Column:
    return Column(key, heading, Kind.POUNDS, depends_on=depends_on)


def children(key: str, heading: str) -> Column:
    return Column(key, heading, Kind.COUNT, child_count=True)


def count(key: str, heading: str) -> Column:
    """A count of something other than children (posts, files): never suppressed."""
    return Column(key, heading, Kind.COUNT)


def share(key: str, heading: str, *depends_on: str) -> Column:
    return Column(key, heading, Kind.PERCENT, depends_on=depends_on)


def measure(key: str, heading: str, *depends_on: str) -> Column:
    return Column(key, heading, Kind.NUMBER, depends_on=depends_on)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a fraction, or None when the whole is zero."""
    return None if not whole else Decimal(part) / Decimal(whole)


def shown_count(cell: Cell) -> int | None:
    """A count the narrative may quote: None when withheld or absent."""
    if isinstance(cell, Suppressed) or not isinstance(cell, int):
        return None
    return cell


def shown_decimal(cell: Cell) -> Decimal | None:
    return cell if isinstance(cell, Decimal) else None
