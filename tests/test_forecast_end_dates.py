"""End dates are believed, or known to be rolled on, from two of the council's own extracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment, Post
from carecast.forecast.end_dates import commitment_end_dates, post_end_dates

THEN, CLOSE = date(2018, 3, 31), date(2018, 9, 30)


def commitment(child: str, end: date | None) -> Commitment:
    return Commitment(
        child, ServiceLine.PLACEMENTS_IFA, "Agency A", date(2017, 6, 1), end, Decimal(900), "CC1"
    )


def post(ident: str, status: str, end: date | None) -> Post:
    return Post(ident, "Team", "Social Worker", Decimal(1), status, Decimal(50000), None, end)


def test_commitments_whose_ends_came_and_went_but_still_run_were_rolled_on() -> None:
    """Four commitments were due to end between March and September; three of them run on in
    September's extract with a later end date, one has gone: 3 of 4 rolled (share 3.5/5)."""
    then = [commitment(c, date(2018, m, 28)) for c, m in (("A", 5), ("B", 6), ("C", 7), ("D", 8))]
    then.append(commitment("E", date(2019, 1, 31)))  # not due yet: no evidence either way
    now = [commitment("A", date(2018, 11, 28)), commitment("B", None)]
    now += [commitment("C", date(2019, 1, 28)), commitment("E", date(2019, 1, 31))]
    evidence = commitment_end_dates(then, now, THEN, CLOSE)
    assert (evidence.due, evidence.rolled) == (4, 3)
    assert evidence.share == 0.7
    assert evidence.rolled_on


def test_commitments_that_end_when_they_say_are_believed() -> None:
    then = [commitment(c, date(2018, m, 28)) for c, m in (("A", 5), ("B", 6), ("C", 7))]
    now = [commitment("A", date(2018, 5, 28))]  # kept, ended on its date
    evidence = commitment_end_dates(then, now, THEN, CLOSE)
    assert (evidence.due, evidence.rolled) == (3, 0)
    assert not evidence.rolled_on


def test_too_few_end_dates_fell_due_to_tell() -> None:
    then = [commitment("A", date(2018, 5, 28))]
    now = [commitment("A", date(2018, 12, 28))]
    assert not commitment_end_dates(then, now, THEN, CLOSE).rolled_on


def test_agency_assignments_extended_between_extracts_are_rolled_on() -> None:
    """An assignment extended counts; one that turned vacant, or went permanent, does not."""
    then = [post(f"P{i}", "agency", date(2018, 6, 30)) for i in range(5)]
    now = [post("P0", "agency", date(2018, 12, 31)), post("P1", "agency", None)]
    now += [post("P2", "agency", date(2019, 3, 31)), post("P3", "vacant", None)]
    now += [post("P4", "permanent", None)]
    evidence = post_end_dates(then, now, THEN, CLOSE)
    assert (evidence.due, evidence.rolled) == (5, 3)
    assert evidence.rolled_on


def test_three_posts_running_past_their_end_date_are_evidence_on_their_own() -> None:
    now = [post(f"P{i}", "agency", date(2018, 8, 31)) for i in range(3)]
    evidence = post_end_dates((), now, CLOSE, CLOSE)
    assert (evidence.due, evidence.past_end) == (0, 3)
    assert evidence.rolled_on
