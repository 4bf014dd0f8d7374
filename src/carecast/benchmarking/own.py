"""The council's own figures, counted from its SSDA903 episodes and its establishment the way DfE
counts them, so they can sit beside the published ones.

- Children looked after on a day: distinct children with an episode open that day (DEC is the
  first day out, as everywhere in carecast).
- Starting in the year to 31 March: distinct children with an episode whose RNE is S (started to be
  looked after) beginning in that year; ceasing: distinct children with an episode ending in it
  whose REC is not X1 (an episode that ends only because another starts).
- A history only counts from when it is complete: children who left before the earliest return
  in the store are not in it, so no count is made for a 31 March before the first recorded leaver.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carecast.domain.activity import Episode
from carecast.domain.finance import Post
from carecast.domain.provenance import ForecastSnapshot

CONTINUING = "X1"
STARTED = "S"
PRIVATE_OR_VOLUNTARY = frozenset({"PR4", "PR5"})

# DfE placement groups at 31 March → SSDA903 PLACE codes (every collection year's codes).
PLACEMENT_GROUPS: dict[str, frozenset[str]] = {
    "foster": frozenset({"U1", "U2", "U3", "U4", "U5", "U6"}),
    "residential": frozenset({"K1", "K2", "K3", "H5", "P2", "P3", "R1", "R2", "R3", "R5", "S1"}),
    "parents": frozenset({"P1"}),
    "adoption": frozenset({"A1", "A2", "A3", "A4", "A5", "A6"}),
    "other": frozenset({"T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"}),
}


def group_of(place: str) -> str:
    return next((g for g, places in PLACEMENT_GROUPS.items() if place in places), "other")


def open_on(episodes: Iterable[Episode], day: date) -> list[Episode]:
    """Each child's episode open on `day` (the latest starting, should a history overlap)."""
    latest: dict[str, Episode] = {}
    for episode in episodes:
        if episode.is_open_on(day):
            held = latest.get(episode.child_id)
            if held is None or episode.decom > held.decom:
                latest[episode.child_id] = episode
    return list(latest.values())


def history_start(episodes: Iterable[Episode], known_on: date) -> date:
    """The first day from which the history is complete: the 31 March before the first leaver.

    With no leaver at all (a single extract of open episodes) nothing before `known_on` is known
    to be complete: children who left earlier would simply be missing.
    """
    ended = [e.dec for e in episodes if e.dec is not None]
    if not ended:
        return known_on
    first = min(ended)
    year = first.year if first > date(first.year, 3, 31) else first.year - 1
    return date(year, 3, 31)


def years_covered(episodes: list[Episode], known_on: date) -> list[int]:
    """The years whose 31 March the history covers completely, up to `known_on`."""
    start = history_start(episodes, known_on)
    return [
        year
        for year in range(start.year, known_on.year + 1)
        if start <= date(year, 3, 31) <= known_on
    ]


def children_on_31_march(episodes: list[Episode], known_on: date) -> dict[int, int]:
    return {
        year: len(open_on(episodes, date(year, 3, 31)))
        for year in years_covered(episodes, known_on)
    }


def flows(episodes: list[Episode], known_on: date) -> dict[int, tuple[int, int]]:
    """(starting, ceasing) in each year to 31 March that the history covers whole."""
    covered = years_covered(episodes, known_on)
    result: dict[int, tuple[int, int]] = {}
    for year in covered[1:]:  # the first covered 31 March opens the history; its year is partial
        first, last = date(year - 1, 4, 1), date(year, 3, 31)
        started = {e.child_id for e in episodes if e.rne == STARTED and first <= e.decom <= last}
        ceased = {
            e.child_id
            for e in episodes
            if e.dec is not None and first <= e.dec <= last and (e.rec or "") != CONTINUING
        }
        result[year] = (len(started), len(ceased))
    return result


def placement_mix(episodes: list[Episode], day: date) -> tuple[Counter[str], int, int]:
    """Children by DfE placement group on `day`, all children, and those with private or
    voluntary providers."""
    live = open_on(episodes, day)
    groups = Counter(group_of(e.place) for e in live)
    external = sum(1 for e in live if (e.place_provider or "") in PRIVATE_OR_VOLUNTARY)
    return groups, len(live), external


@dataclass(frozen=True, slots=True)
class Staffing:
    """Full-time equivalents of the establishment's posts on a day, by status."""

    permanent: Decimal
    agency: Decimal
    vacant: Decimal
    secondee: Decimal

    @property
    def agency_rate(self) -> Decimal | None:
        """Agency FTE ÷ (agency + FTE in post), DfE's agency rate."""
        filled = self.permanent + self.secondee + self.agency
        return None if not filled else self.agency / filled * 100

    @property
    def vacancy_rate(self) -> Decimal | None:
        """Posts not filled by an employee (vacant or covered by agency) ÷ all posts, DfE's way."""
        posts = self.permanent + self.secondee + self.agency + self.vacant
        return None if not posts else (self.vacant + self.agency) / posts * 100


def staffing_on(posts: Iterable[Post], day: date) -> Staffing:
    fte: dict[str, Decimal] = {}
    for post in posts:
        if (post.start is None or post.start <= day) and (post.end is None or post.end >= day):
            fte[post.status] = fte.get(post.status, Decimal(0)) + post.fte
    return Staffing(
        fte.get("permanent", Decimal(0)),
        fte.get("agency", Decimal(0)),
        fte.get("vacant", Decimal(0)),
        fte.get("secondee", Decimal(0)),
    )


def average_weekly_cost(snapshot: ForecastSnapshot) -> tuple[Decimal, int] | None:
    """Across the placement lines of a forecast: Σ(children × average weekly cost) ÷ Σ children.

    The average of what a placement costs a week now, weighted by how many children each kind of
    placement has; children placed at no cost (with parents, for adoption) are not in it.
    """
    weighted = Decimal(0)
    children = 0
    for line in snapshot.forecast.lines:
        if not line.service_line.is_placement or not line.children:
            continue
        if line.average_weekly_cost is None:
            continue
        weighted += line.average_weekly_cost * line.children
        children += line.children
    return None if not children else (weighted / children, children)


def placement_outturn(snapshot: ForecastSnapshot) -> Decimal:
    return sum(
        (
            line.forecast_outturn
            for line in snapshot.forecast.lines
            if line.service_line.is_placement
        ),
        Decimal(0),
    )


# SSDA903 reasons an episode ceased (REC), grouped as the sections compare them.
CEASED_GROUPS: dict[str, frozenset[str]] = {
    "adopted": frozenset({"E11", "E12"}),
    "sgo": frozenset({"E43", "E44", "E45", "E46", "E47", "E48"}),
    "cao": frozenset({"E41"}),
    "home": frozenset({"E4", "E4A", "E4B"}),
    "adulthood": frozenset({"E5", "E6", "E7", "E17"}),
}


def ceased_reasons(episodes: list[Episode], year: int) -> tuple[Counter[str], int]:
    """Children ceasing in the year to 31 March by reason group (their last ceasing episode)."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)
    final: dict[str, Episode] = {}
    for e in episodes:
        if e.dec is not None and first <= e.dec <= last and (e.rec or "") != CONTINUING:
            held = final.get(e.child_id)
            if held is None or (held.dec is not None and e.dec > held.dec):
                final[e.child_id] = e
    groups: Counter[str] = Counter()
    for episode in final.values():
        for group, codes in CEASED_GROUPS.items():
            if (episode.rec or "") in codes:
                groups[group] += 1
    return groups, len(final)
