"""One child's record as the store knows it now: the SSDA903 episodes and the placement
commitments that pay for them, in date order — the page a committee's question ends on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carecast.config import Settings
from carecast.domain.activity import Child, Episode
from carecast.domain.codes import placement_category
from carecast.domain.finance import Commitment
from carecast.errors import NotFound
from carecast.services.setup import council_transaction
from carecast.store.imports import list_batches
from carecast.store.state import load_state


@dataclass(frozen=True)
class ChildTimeline:
    child: Child | None  # the SSDA903 header row (None: episodes without one)
    known_on: date
    episodes: tuple[Episode, ...]
    commitments: tuple[Commitment, ...]

    def line_of(self, episode: Episode) -> str | None:
        line = placement_category(episode.place, episode.place_provider or "")
        return None if line is None else line.heading


def child_timeline(settings: Settings, child_id: str) -> ChildTimeline:
    """The child's episodes and commitments as known on the latest import."""
    with council_transaction(settings) as (connection, council):
        batches = list_batches(connection, council)
        if not batches:
            raise NotFound("nothing has been imported yet, so there is no child to show")
        known_on = max(b.as_of for b in batches)
        state = load_state(connection, council, known_on)
    episodes = tuple(
        sorted((e for e in state.episodes if e.child_id == child_id), key=lambda e: e.decom)
    )
    commitments = tuple(
        sorted((c for c in state.commitments if c.child_id == child_id), key=lambda c: c.start)
    )
    child = next((c for c in state.children if c.child_id == child_id), None)
    if not episodes and not commitments and child is None:
        raise NotFound(f"no child {child_id} is known to the store on {known_on:%d %B %Y}")
    return ChildTimeline(child, known_on, episodes, commitments)
