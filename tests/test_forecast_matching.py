"""Commitments against SSDA903 placements: which open commitments count as care being given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.matching import (
    AHEAD_PLACE,
    best_commitment,
    commitments_ahead_of_ssda903,
    match_placements,
)

RES = ServiceLine.PLACEMENTS_RESIDENTIAL
CLOSE = date(2018, 9, 30)


def commitment(child: str, start: date) -> Commitment:
    return Commitment(child, RES, "Home", start, None, Decimal(4000), "CC1")


def test_a_recent_commitment_for_a_child_ssda903_has_not_recorded_yet_is_care_given() -> None:
    """N began on 10 September: the return, recorded weeks late, does not show it yet. O's
    commitment is old and its child's placement ended in August: a phantom, still left out. R's
    child left on 20 September, after the commitment began: a phantom too."""
    placements = [
        Placement("O", "K2", "PR4", RES, date(2017, 1, 1), date(2018, 8, 1)),
        Placement("R", "K2", "PR4", RES, date(2018, 9, 1), date(2018, 9, 20)),
    ]
    commitments = [
        commitment("N", date(2018, 9, 10)),
        commitment("O", date(2017, 1, 1)),
        commitment("R", date(2018, 9, 1)),
    ]
    matching = commitments_ahead_of_ssda903(
        match_placements(placements, commitments, CLOSE), placements, CLOSE
    )
    ahead = [m for m in matching.matches if m.placement.place == AHEAD_PLACE]
    assert [(m.placement.child_id, m.placement.start, m.line) for m in ahead] == [
        ("N", date(2018, 9, 10), RES)
    ]
    assert sorted(c.child_id for c in matching.over_commitments) == ["O", "R"]


def test_a_commitment_older_than_two_months_without_a_placement_stays_an_over_commitment() -> None:
    matching = commitments_ahead_of_ssda903(
        match_placements([], [commitment("N", date(2018, 7, 1))], CLOSE), [], CLOSE
    )
    assert not matching.matches
    assert [c.child_id for c in matching.over_commitments] == ["N"]


def test_a_placement_is_priced_by_its_own_lines_commitment_before_a_longer_overlapping_one() -> (
    None
):
    """SSDA903 has the child in residential care until 1 March; finance moved the commitment to
    supported accommodation (£1,500 a week) on 1 January. The residential commitment overlaps the
    placement for less time, but it is the one that prices residential care."""
    placement = Placement("M", "K2", "PR4", RES, date(2017, 6, 1), date(2018, 3, 1))
    residential = Commitment(
        "M", RES, "Home", date(2017, 10, 1), date(2018, 1, 1), Decimal(4200), "R"
    )
    supported = Commitment(
        "M", ServiceLine.PLACEMENTS_SUPPORTED, "Flat", date(2017, 1, 1), None, Decimal(1500), "S"
    )
    assert best_commitment(placement, [supported, residential]) == residential
    assert best_commitment(placement, [supported]) == supported  # the only one there is
    later = Commitment("M", RES, "Home", date(2018, 4, 1), None, Decimal(4500), "R")
    assert best_commitment(placement, [later]) is None  # no overlap, no price
