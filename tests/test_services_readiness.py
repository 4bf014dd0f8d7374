"""Close readiness: what a forecast stands on is checked first; refusals store nothing, flags are
stored with the snapshot.

The pure checks run on hand-made states; the refusals and flags then run through the store on
SQLite and PostgreSQL with the small council of tests/fixtures_small.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import BudgetLine, CostCentre, LedgerEntry
from carecast.domain.periods import Period
from carecast.domain.provenance import ImportBatch
from carecast.domain.readiness import Gravity, ReadinessFinding
from carecast.domain.state import ActivityState
from carecast.errors import CloseNotReady
from carecast.services import import_paths, latest_forecast, run_forecast
from carecast.services.movements import reconciliation
from carecast.services.readiness import check_readiness
from tests.fixtures_small import FILES, MONTHS
from tests.storehelp import dump

SEPTEMBER = Period(2018, 9)
CLOSE = date(2018, 10, 15)  # September's knowledge date
CENTRES = (
    CostCentre("IFA1", ServiceLine.PLACEMENTS_IFA),
    CostCentre("SW1", ServiceLine.STAFFING),
)
BUDGET = (
    BudgetLine("2018-19", ServiceLine.PLACEMENTS_IFA, Decimal(40000)),
    BudgetLine("2018-19", ServiceLine.STAFFING, Decimal(500000)),
)


def months(first: str, last: str) -> list[Period]:
    """Every period from `first` to `last`, inclusive."""
    out: list[Period] = []
    period = Period.parse(first)
    while period <= Period.parse(last):
        out.append(period)
        period = period.next()
    return out


def posted(code: str, periods: Iterable[Period], amount: int = 1000) -> list[LedgerEntry]:
    return [LedgerEntry(p, code, "5000", Decimal(amount)) for p in periods]


def batch(dataset: str, as_of: date, batch_id: int = 1) -> ImportBatch:
    return ImportBatch(
        batch_id, dataset, f"{dataset}.csv", "0" * 64, 1, as_of, datetime(2018, 10, 1, tzinfo=UTC)
    )


EXTRACTS = [
    batch(d, date(2018, 9, 30), i)
    for i, d in enumerate(("gl_actuals", "placement_costs", "establishment", "ssda903_episodes"))
]


def state(ledger: Iterable[LedgerEntry], budget: tuple[BudgetLine, ...] = BUDGET) -> ActivityState:
    return ActivityState(CLOSE, ledger=tuple(ledger), cost_centres=CENTRES, budget=budget)


YEAR_TO_DATE = months("2018-04", "2018-09")
COMPLETE = posted("IFA1", YEAR_TO_DATE) + posted("SW1", YEAR_TO_DATE)


def codes(findings: list[ReadinessFinding]) -> list[tuple[str, Gravity]]:
    return [(f.code, f.severity) for f in findings]


def test_a_close_on_complete_current_data_raises_nothing() -> None:
    assert check_readiness(state(COMPLETE), SEPTEMBER, EXTRACTS) == []


def test_ledger_periods_missing_from_the_year_are_refused_saying_which_and_how_to_fix() -> None:
    only_september = posted("IFA1", [SEPTEMBER]) + posted("SW1", [SEPTEMBER])
    [finding] = check_readiness(state(only_september), SEPTEMBER, EXTRACTS)
    assert (finding.code, finding.severity) == ("ledger-periods-missing", Gravity.REFUSE)
    assert finding.message == (
        "the ledger holds no actuals for 2018-04 … 2018-08 of 2018-19: import those periods' "
        "gl_actuals, or rerun with --allow-incomplete to forecast anyway (the forecast will be "
        "flagged)"
    )


def test_separate_gaps_are_each_named() -> None:
    gappy = [e for e in COMPLETE if e.period not in {Period(2018, 5), Period(2018, 7)}]
    [finding] = check_readiness(state(gappy), SEPTEMBER, EXTRACTS)
    assert "no actuals for 2018-05, 2018-07 of 2018-19" in finding.message


def test_with_allow_incomplete_missing_periods_are_flagged_instead() -> None:
    only_september = posted("SW1", [SEPTEMBER])
    [finding] = check_readiness(state(only_september), SEPTEMBER, EXTRACTS, allow_incomplete=True)
    assert (finding.code, finding.severity) == ("ledger-periods-missing", Gravity.FLAG)
    assert finding.message.startswith("the ledger holds no actuals for 2018-04 … 2018-08")
    assert "--allow-incomplete" in finding.message
    assert "forecast again" in finding.message


@pytest.mark.parametrize("allow_incomplete", [False, True])
def test_a_period_beyond_the_data_is_always_refused(allow_incomplete: bool) -> None:
    # The demo's defect: 2019-09 forecast from data that ends in September 2018.
    later = ActivityState(
        date(2019, 10, 15), ledger=tuple(COMPLETE), cost_centres=CENTRES, budget=BUDGET
    )
    findings = check_readiness(later, Period(2019, 9), EXTRACTS, allow_incomplete=allow_incomplete)
    assert codes(findings) == [("period-beyond-data", Gravity.REFUSE)]
    assert findings[0].message == (
        "period 2019-09 is beyond the data known by 15 October 2019: the ledger's latest period "
        "is 2018-09 and the newest import is as of 30 September 2018, before 2019-09 began; "
        "import 2019-09's gl_actuals and extracts (with an --as-of date in or after 2019-09), or "
        "forecast 2018-09 or an earlier period"
    )


def test_an_extract_as_of_the_period_is_data_for_it_even_before_its_ledger_posts() -> None:
    to_august = [e for e in COMPLETE if e.period != SEPTEMBER]
    findings = check_readiness(state(to_august), SEPTEMBER, EXTRACTS)
    assert codes(findings) == [("ledger-periods-missing", Gravity.REFUSE)]
    assert "no actuals for 2018-09 of 2018-19" in findings[0].message


def test_imports_after_the_close_do_not_count_as_data_for_it() -> None:
    to_august = [e for e in COMPLETE if e.period != SEPTEMBER]
    imported_later = [batch("placement_costs", date(2018, 10, 31))]
    findings = check_readiness(state(to_august), SEPTEMBER, imported_later)
    assert codes(findings) == [("period-beyond-data", Gravity.REFUSE)]


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        (date(2018, 8, 16), False),  # 45 days before 30 September: still current
        (date(2018, 8, 15), True),  # 46 days
        (date(2018, 6, 30), True),
    ],
)
def test_an_extract_much_older_than_the_period_is_flagged(as_of: date, stale: bool) -> None:
    batches = [b for b in EXTRACTS if b.dataset != "placement_costs"]
    batches.append(batch("placement_costs", as_of, 9))
    findings = check_readiness(state(COMPLETE), SEPTEMBER, batches)
    if not stale:
        assert findings == []
        return
    [finding] = findings
    assert (finding.code, finding.severity) == ("extract-stale", Gravity.FLAG)
    days = (SEPTEMBER.last_day - as_of).days
    assert finding.message.startswith(
        f"the latest placement commitments (placement_costs) extract is as of "
        f"{as_of.day} {as_of:%B %Y}, {days} days before 2018-09 ended"
    )


def test_only_the_latest_extract_of_each_kind_counts() -> None:
    batches = [*EXTRACTS, batch("establishment", date(2018, 5, 31), 9)]
    assert check_readiness(state(COMPLETE), SEPTEMBER, batches) == []


def test_a_budget_line_no_cost_centre_maps_to_is_flagged() -> None:
    budget = (
        *BUDGET,
        BudgetLine("2018-19", ServiceLine.PLACEMENTS_RESIDENTIAL, Decimal(100000)),
        BudgetLine("2017-18", ServiceLine.OTHER_COSTS, Decimal(5000)),  # another year
        BudgetLine("2018-19", ServiceLine.SPECIALIST_SUPPORT, Decimal(0)),  # nothing to spend
    )
    [finding] = check_readiness(state(COMPLETE, budget=budget), SEPTEMBER, EXTRACTS)
    assert (finding.code, finding.severity) == ("budget-line-without-cost-centre", Gravity.FLAG)
    assert finding.message == (
        "the 2018-19 budget gives Residential care (placements_residential) £100,000.00 but no "
        "cost centre maps to that line, so no spend can be counted against it; add its cost "
        "centres to cost_centres.csv with SERVICE_LINE placements_residential and import it"
    )


def test_a_silent_month_on_a_line_that_always_posts_is_flagged() -> None:
    history = months("2017-04", "2018-09")
    june = Period(2018, 6)
    ledger = posted("IFA1", history) + posted("SW1", [p for p in history if p != june])
    [finding] = check_readiness(state(ledger), SEPTEMBER, EXTRACTS)
    assert (finding.code, finding.severity) == ("line-zero-postings", Gravity.FLAG)
    assert finding.message == (
        "Staffing (staffing) posted in each of the 12 months before 2018-06 but nothing in "
        "2018-06: actuals to date are probably too low (a missing feed or a miscoded cost "
        "centre); check those periods' gl_actuals for SW1 and re-import them"
    )


def test_postings_that_net_to_nothing_are_a_silent_month() -> None:
    history = months("2017-04", "2018-09")
    reversal = [LedgerEntry(Period(2018, 7), "SW1", "5000", Decimal(-1000))]
    ledger = posted("IFA1", history) + posted("SW1", history) + reversal
    [finding] = check_readiness(state(ledger), SEPTEMBER, EXTRACTS)
    assert "nothing in 2018-07" in finding.message


def test_a_line_without_a_full_year_of_postings_before_is_not_flagged() -> None:
    started = months("2017-10", "2018-09")
    ledger = posted("IFA1", months("2017-04", "2018-09")) + posted(
        "SW1", [p for p in started if p != Period(2018, 6)]
    )
    assert check_readiness(state(ledger), SEPTEMBER, EXTRACTS) == []


def test_a_month_missing_from_the_whole_ledger_is_reported_once_as_missing() -> None:
    history = [p for p in months("2017-04", "2018-09") if p != Period(2018, 6)]
    ledger = posted("IFA1", history) + posted("SW1", history)
    findings = check_readiness(state(ledger), SEPTEMBER, EXTRACTS, allow_incomplete=True)
    assert codes(findings) == [("ledger-periods-missing", Gravity.FLAG)]


# Through the store: the small council with a ledger that has only September.
ONLY_SEPTEMBER = {
    **FILES,
    "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION\n" + MONTHS[-1],
}


def import_files(settings: Settings, folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_paths(settings, [folder], date(2018, 9, 30))


@pytest.fixture
def incomplete(settings: Settings, tmp_path: Path) -> Settings:
    import_files(settings, tmp_path / "sep", ONLY_SEPTEMBER)
    return settings


@pytest.fixture
def complete(settings: Settings, tmp_path: Path) -> Settings:
    import_files(settings, tmp_path / "sep", FILES)
    return settings


def test_a_ledger_missing_april_to_august_is_refused_and_nothing_is_stored(
    incomplete: Settings,
) -> None:
    before = dump(incomplete.database_url)
    with pytest.raises(CloseNotReady) as refused:
        run_forecast(incomplete, SEPTEMBER)
    assert refused.value.lines() == [
        "ledger-periods-missing: the ledger holds no actuals for 2018-04 … 2018-08 of 2018-19: "
        "import those periods' gl_actuals, or rerun with --allow-incomplete to forecast anyway "
        "(the forecast will be flagged)",
        "1 problem(s) with the data behind this close; nothing was stored.",
    ]
    assert refused.value.exit_code == 1
    assert dump(incomplete.database_url) == before


def test_allowed_incomplete_the_snapshot_is_stored_with_its_flag(incomplete: Settings) -> None:
    made = run_forecast(incomplete, SEPTEMBER, allow_incomplete=True)
    assert codes(list(made.readiness)) == [("ledger-periods-missing", Gravity.FLAG)]
    stored = latest_forecast(incomplete)
    assert stored.snapshot_id == made.snapshot_id
    assert stored.readiness == made.readiness


def test_a_complete_close_is_stored_without_flags(complete: Settings) -> None:
    assert run_forecast(complete, SEPTEMBER).readiness == ()


@pytest.mark.parametrize("allow_incomplete", [False, True])
def test_a_forecast_beyond_the_data_is_refused_and_the_default_period_stays(
    complete: Settings, allow_incomplete: bool
) -> None:
    before = dump(complete.database_url)
    with pytest.raises(CloseNotReady) as refused:
        run_forecast(complete, Period(2019, 9), allow_incomplete=allow_incomplete)
    assert refused.value.lines()[0].startswith("period-beyond-data: period 2019-09 is beyond")
    assert dump(complete.database_url) == before
    assert run_forecast(complete).forecast.period == SEPTEMBER


def test_reconcile_refuses_a_period_beyond_the_data(complete: Settings) -> None:
    with pytest.raises(CloseNotReady) as refused:
        reconciliation(complete, Period(2019, 9))
    assert refused.value.lines()[0].startswith("period-beyond-data: period 2019-09 is beyond")
    _, result = reconciliation(complete, SEPTEMBER)
    assert result.period == SEPTEMBER
