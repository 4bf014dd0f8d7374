"""Children, SSDA903 episodes and the placements derived from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from carecast.domain.codes import ServiceLine, placement_category


@dataclass(frozen=True, slots=True)
class Child:
    """One child's SSDA903 header row."""

    child_id: str
    sex: str
    dob: date
    ethnic: str | None = None
    upn: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """One SSDA903 episode: a period of care with one legal status and one placement."""

    child_id: str
    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str | None
    dec: date | None = None
    rec: str | None = None
    reason_place_change: str | None = None
    home_post: str | None = None
    pl_post: str | None = None
    urn: str | None = None

    def is_open_on(self, day: date) -> bool:
        """Open on `day`: started on or before it and not yet ceased (DEC is the first day out)."""
        return self.decom <= day and (self.dec is None or self.dec > day)


@dataclass(frozen=True, slots=True)
class Placement:
    """A child's stay in one placement: consecutive episodes with the same PLACE and provider.

    A change of legal status alone starts a new episode but not a new placement.
    `end` is the episode's DEC (the day the child left) or None while the placement is live.
    """

    child_id: str
    place: str
    place_provider: str | None
    category: ServiceLine | None
    start: date
    end: date | None

    def is_live_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def derive_placements(episodes: Iterable[Episode]) -> list[Placement]:
    """Placements from episodes, joining an episode onto the previous one when the child stayed put."""
    placements: list[Placement] = []
    ordered = sorted(episodes, key=lambda e: (e.child_id, e.decom))
    for child_id, group in groupby(ordered, key=lambda e: e.child_id):
        current: Placement | None = None
        for episode in group:
            same_place = (
                current is not None
                and current.end == episode.decom
                and current.place == episode.place
                and current.place_provider == episode.place_provider
            )
            if current is not None and same_place:
                current = Placement(
                    child_id,
                    current.place,
                    current.place_provider,
                    current.category,
                    current.start,
                    episode.dec,
                )
                continue
            if current is not None:
                placements.append(current)
            category = placement_category(episode.place, episode.place_provider or "")
            current = Placement(
                child_id,
                episode.place,
                episode.place_provider,
                category,
                episode.decom,
                episode.dec,
            )
        if current is not None:
            placements.append(current)
    return placements


def live_placements(placements: Iterable[Placement], day: date) -> list[Placement]:
    return [p for p in placements if p.is_live_on(day)]
