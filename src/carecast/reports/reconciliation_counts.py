"""The reconciliation's counts of children as a viewer may see them: small counts withheld.

Viewers see aggregates only, published as `report --public` publishes them (disclosure.py): a
count of 1 to 5 children is withheld, and so is whatever else would let it be worked out — here
the page's summary counts are the sums of the by-line columns (over-commitments, placements with
no commitment, placements paid on another line), so a withheld line is protected by withholding
another, or the total. A relation is used only when the figures obey it exactly: one that does
not hold reveals nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from carecast.domain.codes import ServiceLine
from carecast.forecast.reconcile import Reconciliation
from carecast.reports.disclosure import Identity, Position, suppress

SUMMARY_OF = {  # the summary row's count, and the by-line column it adds up
    "over_commitments": "unplaced",
    "under_reported": "unpaid",
    "line_mismatches": "other_line",
}


@dataclass(frozen=True)
class PublishedCounts:
    """Which of the page's counts are withheld: ("summary", item), ("line", column, line value)
    and ("centre", cost centre code)."""

    hidden: frozenset[Hashable]

    def shows(self, key: tuple[str, ...]) -> bool:
        return key not in self.hidden


EVERY_COUNT = PublishedCounts(frozenset())  # what analysts and above see


def published_counts(
    result: Reconciliation, counts: dict[str, Counter[ServiceLine]]
) -> PublishedCounts:
    values: dict[Hashable, int] = {
        ("summary", "over_commitments"): len(result.over_commitments),
        ("summary", "under_reported"): len(result.under_reported),
        ("summary", "line_mismatches"): len(result.line_mismatches),
    }
    lines = sorted({line for column in counts.values() for line in column}, key=str)
    for column, by_line in counts.items():
        for line in lines:
            values[("line", column, line.value)] = by_line[line]
    for centre in result.cost_centres:
        values[("centre", centre.cost_centre)] = len(centre.children)
    position: dict[Hashable, Position] = {key: (n, 0) for n, key in enumerate(values)}
    sums = []
    for item, column in SUMMARY_OF.items():
        parts = [("line", column, line.value) for line in lines]
        if values[("summary", item)] == sum(values[p] for p in parts):
            sums.append(Identity.total(position[("summary", item)], [position[p] for p in parts]))
    totals = frozenset(position[("summary", item)] for item in SUMMARY_OF)
    numbered = {position[key]: value for key, value in values.items()}
    hidden = suppress(numbered, sums, totals=totals)
    by_position = {p: key for key, p in position.items()}
    return PublishedCounts(frozenset(by_position[p] for p in hidden))
