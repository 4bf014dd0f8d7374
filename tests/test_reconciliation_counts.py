"""What a viewer may see of the reconciliation's counts (reports/reconciliation_counts.py): small
counts withheld as `report --public` withholds them, and whatever would give one away."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.forecast.reconcile import CostCentreCheck, OverCommitment, Reconciliation
from carecast.reports.reconciliation_counts import EVERY_COUNT, published_counts

IFA, RES = ServiceLine.PLACEMENTS_IFA, ServiceLine.PLACEMENTS_RESIDENTIAL


def over_commitments(n: int) -> tuple[OverCommitment, ...]:
    return tuple(
        OverCommitment(
            Commitment(f"T{i:03}", IFA, "Agency", date(2018, 6, 1), None, Decimal(700), "IFA1"),
            Decimal(18_200),
        )
        for i in range(n)
    )


def reconciliation(over: int, centres: dict[str, int]) -> Reconciliation:
    checks = tuple(
        CostCentreCheck(code, IFA, Decimal(0), Decimal(0), tuple(f"T{i:03}" for i in range(n)))
        for code, n in centres.items()
    )
    return Reconciliation(Period.parse("2018-09"), over_commitments(over), (), (), checks)


def counts(unplaced: dict[ServiceLine, int]) -> dict[str, Counter[ServiceLine]]:
    return {
        "placed": Counter({IFA: 40, RES: 12}),
        "unpaid": Counter(),
        "other_line": Counter(),
        "paid": Counter({IFA: 45, RES: 14}),
        "unplaced": Counter(unplaced),
    }


def test_a_small_count_is_withheld_and_so_is_the_line_that_would_give_it_away() -> None:
    # 12 over-commitments = 9 on IFA + 3 in residential: the 3 is withheld, and then the 9 too,
    # else 12 − 9 = 3; the total stays (it is withheld only when nothing else will do)
    shown = published_counts(reconciliation(12, {"IFA1": 30}), counts({IFA: 9, RES: 3}))
    assert ("line", "unplaced", RES.value) in shown.hidden
    assert ("line", "unplaced", IFA.value) in shown.hidden
    assert shown.shows(("summary", "over_commitments"))
    assert shown.shows(("line", "placed", IFA.value))
    assert shown.shows(("line", "paid", RES.value))
    assert shown.shows(("centre", "IFA1"))


def test_zeros_and_counts_of_six_or_more_are_shown() -> None:
    shown = published_counts(reconciliation(6, {"IFA1": 0, "RES1": 7}), counts({IFA: 6}))
    assert shown.hidden == frozenset()


def test_a_cost_centres_few_children_are_withheld_alone() -> None:
    shown = published_counts(reconciliation(0, {"IFA1": 2, "RES1": 40}), counts({}))
    assert shown.hidden == {("centre", "IFA1")}


def test_a_relation_the_figures_do_not_obey_reveals_nothing_and_is_not_used() -> None:
    # the summary says 20 while the lines add to 9 + 3: no line can be worked out from it
    shown = published_counts(reconciliation(20, {}), counts({IFA: 9, RES: 3}))
    assert shown.hidden == {("line", "unplaced", RES.value)}


def test_analysts_see_every_count() -> None:
    assert EVERY_COUNT.shows(("line", "unplaced", RES.value))
