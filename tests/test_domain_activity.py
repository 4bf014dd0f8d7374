"""Placements are derived from SSDA903 episodes; categories follow DOMAIN.md's mapping."""

from __future__ import annotations

from datetime import date

import pytest

from carecast.domain.activity import Episode, derive_placements, live_placements
from carecast.domain.codes import ServiceLine, placement_category


def episode(
    child: str,
    decom: date,
    place: str,
    provider: str,
    dec: date | None = None,
    rne: str = "P",
    ls: str = "C2",
) -> Episode:
    return Episode(child, decom, rne, ls, "N1", place, provider, dec)


@pytest.mark.parametrize(
    ("place", "provider", "line"),
    [
        ("U4", "PR1", ServiceLine.PLACEMENTS_IN_HOUSE),
        ("U6", "PR2", ServiceLine.PLACEMENTS_IN_HOUSE),
        ("U5", "PR4", ServiceLine.PLACEMENTS_IFA),
        ("U4", "PR5", ServiceLine.PLACEMENTS_IFA),
        ("U1", "PR1", ServiceLine.PLACEMENTS_KINSHIP),
        ("K2", "PR4", ServiceLine.PLACEMENTS_RESIDENTIAL),
        ("K1", "PR2", ServiceLine.PLACEMENTS_SECURE),
        ("H5", "PR4", ServiceLine.PLACEMENTS_SUPPORTED),
        ("K3", "PR4", ServiceLine.PLACEMENTS_SUPPORTED),
        ("R3", "PR4", ServiceLine.PLACEMENTS_PARENT_CHILD),
        ("Z11", "PR4", ServiceLine.PLACEMENTS_OTHER),
        ("P1", "PR0", None),
        ("A4", "PR1", None),
    ],
)
def test_placement_category_follows_place_and_provider(
    place: str, provider: str, line: ServiceLine | None
) -> None:
    assert placement_category(place, provider) == line


def test_a_legal_status_change_does_not_start_a_new_placement() -> None:
    episodes = [
        episode("C1", date(2018, 1, 10), "U4", "PR4", date(2018, 3, 1), rne="S", ls="V2"),
        episode("C1", date(2018, 3, 1), "U4", "PR4", None, rne="L", ls="C2"),
    ]
    [placement] = derive_placements(episodes)
    assert placement.start == date(2018, 1, 10)
    assert placement.end is None
    assert placement.category is ServiceLine.PLACEMENTS_IFA


def test_a_move_starts_a_new_placement_and_ends_the_old_one() -> None:
    episodes = [
        episode("C1", date(2018, 1, 10), "K2", "PR4", date(2018, 6, 1), rne="S"),
        episode("C1", date(2018, 6, 1), "U4", "PR1", None),
    ]
    residential, foster = derive_placements(episodes)
    assert (residential.category, residential.end) == (
        ServiceLine.PLACEMENTS_RESIDENTIAL,
        date(2018, 6, 1),
    )
    assert (foster.category, foster.start) == (ServiceLine.PLACEMENTS_IN_HOUSE, date(2018, 6, 1))


def test_a_gap_in_care_separates_placements_even_in_the_same_place() -> None:
    episodes = [
        episode("C1", date(2017, 1, 1), "U4", "PR1", date(2017, 5, 1), rne="S"),
        episode("C1", date(2017, 9, 1), "U4", "PR1", None, rne="S"),
    ]
    assert len(derive_placements(episodes)) == 2


def test_live_placements_on_a_date_exclude_those_ended_that_day() -> None:
    placements = derive_placements(
        [
            episode("C1", date(2018, 1, 1), "U4", "PR1", date(2018, 9, 30), rne="S"),
            episode("C2", date(2018, 9, 30), "U4", "PR1", None, rne="S"),
        ]
    )
    live = live_placements(placements, date(2018, 9, 30))
    assert [p.child_id for p in live] == ["C2"]
