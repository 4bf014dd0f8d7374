"""What each file shows on its knowledge date: the simulated truth seen through the systems.

Nothing here may look past `as_of`: an episode's DEC shows once it has happened; a commitment shows
once it has been keyed and its END_DATE once it has been closed (the frictions' lags); an allowance
shows its planned end (the eve of the 18th birthday) until it actually stops.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from carecast.demo.children import age_on
from carecast.demo.codes import CATEGORIES
from carecast.demo.dates import fy_first_day
from carecast.demo.records import AllowanceCase, Child, Episode, Placement
from carecast.demo.sampling import PriceIndex, Sampler
from carecast.demo.simulation import ChildWorld
from carecast.demo.specs import Frictions


@dataclass(frozen=True)
class ChildRow:
    child: Child
    mother: str
    mc_dob: date | None


@dataclass(frozen=True)
class CommitmentRow:
    child_id: str
    placement_type: str
    provider: str
    start: date
    end: date | None
    weekly_cost: int  # pence
    contribution_pct: int
    cost_centre: str


@dataclass(frozen=True)
class AllowanceRow:
    case_id: str
    allowance_type: str
    start: date
    end: date | None
    weekly_amount: int  # pence


def commitment_lags(frictions: Frictions, world: ChildWorld, seed: int) -> list[tuple[int, int]]:
    """(days until keyed, days after the end until closed) for every placement, by index."""
    sampler = Sampler(seed, 6)
    lags: list[tuple[int, int]] = []
    for placement in world.placements:
        if placement.base_rate == 0:
            lags.append((0, 0))
            continue
        if sampler.chance(frictions.late_entry_share):
            entry = sampler.integer(*frictions.late_entry_days)
        else:
            entry = sampler.integer(0, frictions.prompt_entry_days)
        if sampler.chance(frictions.late_close_share):
            close = sampler.integer(*frictions.late_close_days)
        else:
            close = sampler.integer(0, frictions.prompt_close_days)
        lags.append((entry, close))
    return lags


def collection_episodes(
    world: ChildWorld, fy: int, as_of: date
) -> tuple[list[Episode], list[ChildRow]]:
    """Episodes open at any time from 1 April of `fy` to `as_of`, as known on `as_of`, and the
    header rows of their children. An episode ending on or before `as_of` shows DEC and REC."""
    start = fy_first_day(fy)
    episodes: list[Episode] = []
    children: list[ChildRow] = []
    for child, story in zip(world.children, world.episodes, strict=True):
        if child.entry > as_of or child.exit < start:
            continue
        shown = [
            _as_known(episode, as_of)
            for episode in story
            if episode.decom <= as_of and (episode.dec is None or episode.dec >= start)
        ]
        if not shown:
            continue
        episodes.extend(shown)
        known_mother = child.mc_dob is not None and child.mc_dob <= as_of
        mother = (
            "1"
            if known_mother
            else ("0" if child.sex == 2 and age_on(child.dob, as_of) >= 12 else "")
        )
        children.append(ChildRow(child, mother, child.mc_dob if known_mother else None))
    episodes.sort(key=lambda e: (e.child_id, e.decom))
    children.sort(key=lambda c: c.child.child_id)
    return episodes, children


def _as_known(episode: Episode, as_of: date) -> Episode:
    if episode.dec is not None and episode.dec <= as_of:
        return episode
    return replace(episode, dec=None, rec="", reason_place_change="")


def commitments(
    world: ChildWorld, lags: list[tuple[int, int]], fy: int, as_of: date
) -> list[CommitmentRow]:
    """Placement commitments the finance system shows on `as_of`: every costed placement keyed by
    then that is open (or not yet closed) or ended during the financial year so far."""
    start = fy_first_day(fy)
    prices = world.prices
    rows: list[CommitmentRow] = []
    for placement in world.placements:
        if placement.base_rate == 0 or placement.start > as_of:
            continue
        entry_lag, close_lag = lags[placement.index]
        keyed = placement.start + timedelta(days=entry_lag)
        if keyed > as_of:
            continue
        end = _shown_end(placement, keyed, close_lag, as_of)
        if end is not None and end < start:
            continue
        rate = prices.rate(
            placement.base_rate,
            placement.start_epoch,
            prices.epoch(end if end is not None else as_of),
        )
        line = CATEGORIES[placement.category].service_line
        rows.append(
            CommitmentRow(
                world.children[placement.child].child_id,
                line or "",
                placement.provider,
                placement.start,
                end,
                rate,
                placement.contribution_pct,
                placement.cost_centre,
            )
        )
    rows.sort(key=lambda r: (r.child_id, r.start))
    return rows


def _shown_end(placement: Placement, keyed: date, close_lag: int, as_of: date) -> date | None:
    if placement.end is None:
        return None
    # Nobody closes a commitment before the move or exit has happened (on `placement.end`, the
    # next episode's DECOM); the close-lag friction delays it further.
    closed = max(placement.end + timedelta(days=close_lag), keyed)
    return placement.end - timedelta(days=1) if closed <= as_of else None


def allowances(
    cases: list[AllowanceCase], prices: PriceIndex, fy: int, as_of: date
) -> list[AllowanceRow]:
    """Allowance cases live on `as_of` or ended during the financial year so far."""
    start = fy_first_day(fy)
    rows: list[AllowanceRow] = []
    for case in cases:
        if case.start > as_of:
            continue
        end = case.end if case.end < as_of else case.planned_end  # a stop shows once it has passed
        if end < start:
            continue
        rate = prices.rate(case.base_rate, case.start_epoch, prices.epoch(min(end, as_of)))
        rows.append(AllowanceRow(case.case_id, case.allowance_type, case.start, end, rate))
    return rows
