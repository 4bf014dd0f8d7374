"""What the web dashboard shows: a stored snapshot with the periods to pick from, and the
placements behind one of its service lines. Read only; every figure comes from the snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carecast.config import Settings
from carecast.domain.activity import Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.domain.provenance import (
    Council,
    ForecastItem,
    ForecastSnapshot,
    SnapshotSummary,
)
from carecast.errors import NotFound
from carecast.forecast.history import known_placements
from carecast.forecast.matching import Match, commitments_ahead_of_ssda903, match_placements
from carecast.services.setup import council_transaction, memo_of
from carecast.store.imports import list_batches
from carecast.store.reporting import year_snapshot_ids
from carecast.store.snapshots import latest_snapshot_id, list_snapshots, load_snapshot
from carecast.store.state import load_placement_records


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A snapshot, every period that has a snapshot in use (for the period picker), and the
    course of its year: the latest snapshot in use of each earlier period of the year, then this
    one (the points of its sparklines and fan, as the report draws them)."""

    snapshot: ForecastSnapshot
    periods: tuple[Period, ...]
    year: tuple[ForecastSnapshot, ...] = ()

    @property
    def previous(self) -> ForecastSnapshot | None:
        """The snapshot the movement is measured from: the latest of an earlier period of the
        year, as the report's movement section and `carecast movements` take it."""
        return self.year[-2] if len(self.year) > 1 else None

    @property
    def variance_interval(self) -> tuple[Decimal, Decimal] | None:
        """The 80% interval of the variance: the total's P10 and P90 less the budget."""
        forecast = self.snapshot.forecast
        if forecast.p10 is None or forecast.p90 is None:
            return None
        return forecast.p10 - forecast.budget, forecast.p90 - forecast.budget


@dataclass(frozen=True, slots=True)
class PlacementRow:
    """One live placement behind a line's forecast, as the snapshot costed it."""

    child_id: str
    place: str
    provider: str
    start: date
    weekly_cost: Decimal
    planned_end: date | None
    committed: Decimal
    flag: str | None


@dataclass(frozen=True, slots=True)
class LinePlacements:
    snapshot: ForecastSnapshot
    line: ServiceLine
    rows: tuple[PlacementRow, ...]


def _periods(summaries: list[SnapshotSummary]) -> tuple[Period, ...]:
    return tuple(
        sorted({s.period for s in summaries if s.withdrawal is None}, key=lambda p: p.label)
    )


def dashboard(
    settings: Settings, period: Period | None = None, snapshot_id: int | None = None
) -> Dashboard:
    """Snapshot `snapshot_id`, else the latest in use of `period`, else the latest in use.

    The earlier snapshots of the year never change once stored (a withdrawal takes one out of
    the ids asked for), so an open store keeps them by their ids: a page then reads one list of
    ids, not three rows per earlier close."""
    memo = memo_of(settings)
    with council_transaction(settings) as (connection, council):
        summaries = list_snapshots(connection, council)
        if snapshot_id is None:
            snapshot_id = latest_snapshot_id(connection, council, period)
        # a stored snapshot never changes but for being withdrawn, which the key holds
        withdrawn = [s.withdrawal for s in summaries if s.snapshot_id == snapshot_id]
        own_key = ("snapshot", council, snapshot_id, tuple(withdrawn))
        snapshot = None if memo is None else memo.recall(own_key)
        if not isinstance(snapshot, ForecastSnapshot):
            snapshot = load_snapshot(connection, council, snapshot_id, build_up=False)
            if memo is not None:
                memo.keep(own_key, snapshot)
        now = snapshot.forecast.period
        ids = tuple(year_snapshot_ids(connection, council, now.financial_year, now.label))
        key = ("year_snapshots", council, ids)
        earlier = None if memo is None else memo.recall(key)
        if not isinstance(earlier, tuple):
            earlier = tuple(load_snapshot(connection, council, i, build_up=False) for i in ids)
            if memo is not None:
                memo.keep(key, earlier)
        periods = _periods(summaries)
    return Dashboard(snapshot, periods, (*earlier, snapshot))


def line_placements(settings: Settings, snapshot_id: int, line: ServiceLine) -> LinePlacements:
    """The placements a snapshot costed on `line`, with their provider, start and planned end as
    the data known at the snapshot's knowledge date shows them.

    A web server asks this again and again of a snapshot that never changes, and reading and
    matching the records takes 60 to 100 ms on the demo council: its open store keeps the rows,
    keyed by the snapshot and by every import batch known at the knowledge date (an import dated
    on or before it, or undoing one, makes a new key)."""
    if not line.is_placement:
        raise NotFound(f"{line.heading} is not a placement line; it has no placements to list")
    memo = memo_of(settings)
    with council_transaction(settings) as (connection, council):
        snapshot = load_snapshot(connection, council, snapshot_id, build_up=False)
        knowledge_date = snapshot.forecast.knowledge_date
        known = tuple(b for b in list_batches(connection, council) if b.as_of <= knowledge_date)
        key = ("line_placements", council, snapshot_id, snapshot.created_at, line, known)
        kept = None if memo is None else memo.recall(key)
        if isinstance(kept, tuple):
            return LinePlacements(snapshot, line, kept)
        costed = load_snapshot(connection, council, snapshot_id).forecast.items
        items = [i for i in costed if i.kind == "placement" and i.service_line == line]
        episodes, commitments = load_placement_records(
            connection, council, knowledge_date, {i.key for i in items}
        )
    rows = _rows(items, episodes, commitments, snapshot.forecast.period.last_day)
    if memo is not None:
        memo.keep(key, rows)
    return LinePlacements(snapshot, line, rows)


def _rows(
    items: list[ForecastItem],
    episodes: tuple[Episode, ...],
    commitments: tuple[Commitment, ...],
    close: date,
) -> tuple[PlacementRow, ...]:
    """The items' rows, each with its placement and commitment as matched at `close`."""
    placements = known_placements(episodes, close)
    matching = commitments_ahead_of_ssda903(
        match_placements(placements, commitments, close), placements, close
    )
    by_child: dict[str, Match] = {}
    for match in matching.matches:
        by_child.setdefault(match.placement.child_id, match)
    return tuple(
        sorted(
            (_row(item, by_child.get(item.key)) for item in items),
            key=lambda r: (-r.weekly_cost, r.start, r.child_id),
        )
    )


def _row(item: ForecastItem, match: Match | None) -> PlacementRow:
    placement = None if match is None else match.placement
    commitment = None if match is None else match.commitment
    provider = (
        commitment.provider
        if commitment is not None
        else (placement.place_provider or "")
        if placement is not None
        else ""
    )
    return PlacementRow(
        child_id=item.key,
        place="" if placement is None else placement.place,
        provider=provider,
        start=item.first_day if placement is None else placement.start,
        weekly_cost=item.weekly_cost,
        planned_end=None if commitment is None else commitment.end,
        committed=item.committed,
        flag=item.flag,
    )


def check_store(settings: Settings) -> Council:
    """The store's council, refused as the CLI refuses when the store is not ready."""
    with council_transaction(settings) as (_connection, council):
        return council
