"""Report sections built from a small hand-made context: the numbers in each table can be checked
by hand, and sections with nothing honest to show are left out with a reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action, Commitment, CostCentre, LedgerEntry, Post
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastLine, ForecastSnapshot
from carecast.domain.state import ActivityState
from carecast.forecast.reconcile import reconcile
from carecast.reports.builder import DisclosureBreach, build_report
from carecast.reports.context import ReportContext
from carecast.reports.model import SUPPRESSED, Column, Kind, SectionContent, Table
from carecast.reports.sections import SECTIONS, actions, staffing
from carecast.reports.sections.base import SectionSpec
from carecast.reports.sections.reconciliation import COUNTS

D = Decimal
SEPTEMBER = Period(2018, 9)
IFA, RES = ServiceLine.PLACEMENTS_IFA, ServiceLine.PLACEMENTS_RESIDENTIAL
COUNCIL = Council(1, "Test Borough", "999")


def line(
    service: ServiceLine, budget: str, forecast: str, children: int | None = None
) -> ForecastLine:
    return ForecastLine(
        service,
        D(budget),
        D(forecast) / 2,
        D(forecast) / 2,
        D(0),
        D(forecast),
        "activity",
        children=children,
        average_weekly_cost=D(900) if children else None,
    )


def snapshot(
    snapshot_id: int, period: Period, ifa: str, res: str, **extra: object
) -> ForecastSnapshot:
    forecast = Forecast(
        period,
        period.last_day,
        (
            line(IFA, "40000", ifa, 7),
            line(RES, "100000", res, 2),
            line(ServiceLine.STAFFING, "500000", "520000"),
        ),
        **extra,  # type: ignore[arg-type]
    )
    return ForecastSnapshot(snapshot_id, COUNCIL, datetime(2018, 10, 1, tzinfo=UTC), forecast)


def episodes() -> tuple[Episode, ...]:
    # Seven children in agency foster care and two in residential care since 2017; one more
    # child in agency care came and went in August 2018.
    found = [Episode(f"F{n}", date(2017, 5, 1), "S", "C2", "N1", "U4", "PR4") for n in range(7)]
    found += [Episode(f"R{n}", date(2017, 6, 1), "S", "C2", "N1", "K2", "PR4") for n in range(2)]
    found.append(
        Episode("G1", date(2018, 8, 1), "S", "V2", "N1", "U4", "PR4", date(2018, 8, 20), "E8")
    )
    return tuple(found)


STATE = ActivityState(
    known_on=date(2018, 10, 15),
    children=tuple(Child(f"F{n}", "1", date(2008, 1, 1)) for n in range(7)),
    episodes=episodes(),
    commitments=tuple(
        Commitment(f"F{n}", IFA, "Agency", date(2017, 5, 1), None, D(900), "IFA1") for n in range(6)
    ),
    ledger=(LedgerEntry(SEPTEMBER, "IFA1", "5000", D("23000")),),
    cost_centres=(CostCentre("IFA1", IFA),),
    posts=(
        Post("P1", "Safeguarding", "Social Worker", D(1), "permanent", D(40000), caseload=20),
        Post("P2", "Safeguarding", "Social Worker", D(1), "agency", D(70000), caseload=16),
        Post("P3", "Safeguarding", "Social Worker", D("0.5"), "vacant", D(20000)),
    ),
    actions=(
        Action(
            "SAV-1",
            "saving",
            "Fewer residential placements",
            RES,
            "Head",
            "2018-19",
            D(100000),
            "medium",
            "delivered",
        ),
        Action(
            "ACT-1",
            "action",
            "Step down one placement",
            RES,
            "Head",
            "2018-19",
            D(50000),
            "low",
            "proposed",
        ),
        Action(
            "RSK-1",
            "risk",
            "Secure placement",
            RES,
            "Head",
            "2018-19",
            D(200000),
            "60%",
            "proposed",
        ),
    ),
)


def context(**changes: object) -> ReportContext:
    current = snapshot(2, SEPTEMBER, "63000", "140000")
    base = ReportContext(
        council=COUNCIL,
        snapshot=current,
        state=STATE,
        year_snapshots=(snapshot(1, Period(2018, 6), "60000", "120000"), current),
        previous=snapshot(1, Period(2018, 6), "60000", "120000"),
        batches=(),
        warnings=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_placements_table_counts_children_by_line_with_mix_and_flows() -> None:
    report = build_report(context())
    table = report.section("placements").tables[0]
    assert table.cell("Independent fostering agencies", "children") == 7
    assert table.cell("Residential care", "children") == 2
    assert table.cell("Total", "children") == 9
    assert table.cell("Residential care", "mix") == D(2) / D(9)
    assert table.cell("Independent fostering agencies", "started") == 1  # G1 in August
    assert table.cell("Independent fostering agencies", "ended") == 1


def test_the_movement_is_explained_line_by_line_from_the_earlier_snapshot() -> None:
    section = build_report(context()).section("movement")
    assert section.paragraphs == (
        "The forecast overspend rose by £23k since June 2018 (period 3), mainly from "
        "residential care (£20k).",
    )
    table = section.tables[0]
    assert table.cell("Residential care", "movement") == D(20000)
    assert table.cell("Total", "movement") == D(23000)
    assert section.charts[0].key == "movement_waterfall"


def test_without_an_earlier_forecast_the_movement_is_left_out_and_the_methodology_says_why() -> (
    None
):
    report = build_report(context(previous=None, year_snapshots=()))
    assert "movement" not in [part.key for part in report.sections]
    methodology = " ".join(report.section("methodology").paragraphs)
    assert "Left out — Movement since the last report: no forecast for an earlier period" in (
        methodology
    )
    assert "Left out — Special guardianship and allowances: no allowances have been imported" in (
        methodology
    )


def test_staffing_counts_fte_agency_share_and_caseloads_against_the_target() -> None:
    table = staffing.staffing_table(context(caseload_target=18))
    total = table.rows[-1]
    assert total[1:5] == (
        D("2.5"),
        D(1),
        D(1),
        D("0.5"),
    )  # establishment, permanent, agency, vacant
    assert total[5] == D("0.5")  # agency share of the 2 filled FTE
    assert total[6] == D("0.2")  # vacancy: 0.5 of 2.5 FTE
    assert total[7:] == (2, D(18), 1)  # two caseloads averaging 18; one above 18


def test_actions_are_weighted_and_rated_with_the_forecast_s_own_weights() -> None:
    assumptions = {"used": {"actions": {"confidence": {"high": 0.9, "medium": 0.6, "low": 0.3}}}}
    current = snapshot(2, SEPTEMBER, "63000", "140000", assumptions=assumptions)
    section = build_report(context(snapshot=current)).section("actions")
    summary, register = section.tables
    assert summary.cell("Saving", "delivered") == D(100000)
    assert summary.cell("Management action", "weighted") == D(15000)  # 50,000 × 30%
    assert summary.cell("Risk", "weighted") == D(120000)  # 200,000 × 60%
    assert register.column("rag") == ["Green", "Red", "Red"]
    assert actions.likelihood("medium") == D("0.5")  # carecast's default without assumptions
    assert "Residential care (£40k over): ACT-1 step down one placement (£50k)." in (
        section.paragraphs
    )


def test_the_reconciliation_matches_ssda903_commitments_and_the_ledger() -> None:
    table = build_report(context()).section("reconciliation").tables[0]
    assert table.cell("Independent fostering agencies", "placed") == 7
    assert table.cell("Independent fostering agencies", "paid") == 6
    assert table.cell("Independent fostering agencies", "unpaid") == 1
    assert table.cell("Independent fostering agencies", "unplaced") == 0
    assert table.cell("Independent fostering agencies", "ledger") == D(23000)
    # Six commitments of £900 a week for the 30 days of September: 6 × 900 × 30 / 7.
    committed = table.cell("Independent fostering agencies", "committed")
    assert isinstance(committed, Decimal)
    assert committed.quantize(D("0.01")) == D("23142.86")


def test_the_report_counts_over_commitments_as_the_forecast_s_reconciliation_does() -> None:
    """F0 has a second open agency commitment (from June 2018) beside the one that pays for its
    placement, and Z9 has a commitment but no episode at all: two over-commitments, as the
    forecast and 'carecast reconcile' count them (one commitment pays for one placement)."""
    extra = (
        Commitment("F0", IFA, "Agency", date(2018, 6, 1), None, D(950), "IFA1"),
        Commitment("Z9", IFA, "Agency", date(2018, 7, 1), None, D(900), "IFA1"),
    )
    state = replace(STATE, commitments=(*STATE.commitments, *extra))
    section = build_report(context(state=state)).section("reconciliation")
    table = section.tables[0]
    engine = reconcile(state, SEPTEMBER)
    assert len(engine.over_commitments) == 2
    assert table.cell("Total", "unplaced") == len(engine.over_commitments)
    assert table.cell("Total", "unpaid") == len(engine.under_reported) == 3  # F6, R0 and R1
    # Seven placed, one of them unpaid; eight commitments, two of them with no placement.
    row = [table.cell("Independent fostering agencies", key) for key in COUNTS]
    assert row == [7, 1, 0, 8, 2]
    assert "2 open commitments have no live placement behind them" in section.paragraphs[1]


def test_a_placement_paid_on_another_line_is_counted_once_on_each_side() -> None:
    """R0 is in a children's home (K2) but its only commitment is recorded as agency fostering."""
    extra = (Commitment("R0", IFA, "Home", date(2017, 6, 1), None, D(3000), "IFA1"),)
    state = replace(STATE, commitments=(*STATE.commitments, *extra))
    table = build_report(context(state=state)).section("reconciliation").tables[0]
    residential = [table.cell("Residential care", key) for key in COUNTS]
    agency = [table.cell("Independent fostering agencies", key) for key in COUNTS]
    assert residential == [2, 1, 1, 0, 0]  # R0 paid on another line, R1 unpaid
    assert agency == [7, 1, 0, 7, 0]  # six agency commitments and R0's
    assert table.cell("Total", "unplaced") == 0


USED = {
    "placements": {
        "history_years": 3.0,
        "price_history_days": 365,
        "arrival_trend": "damped",
        "arrival_seasonality": True,
        "early_ending_factor": 1.0,
        "moves": True,
        "uplifts": [],
    },
}


def methodology(**assumptions: object) -> tuple[str, ...]:
    current = snapshot(2, SEPTEMBER, "63000", "140000", assumptions=assumptions)
    return build_report(context(snapshot=current)).section("methodology").paragraphs


def test_the_methodology_says_placements_are_costed_from_live_placements_not_commitments() -> None:
    placements = next(p for p in methodology(used=USED) if p.startswith("Independent fostering"))
    assert placements.startswith(
        "Independent fostering agencies, residential care and staffing: ledger actuals to date, "
        "plus each placement live in SSDA903 at the close, costed at the weekly price of the open "
        "commitment that pays for it"
    )
    assert "an open commitment with no live placement behind it (an over-commitment) is left " in (
        placements
    )
    assert "or sooner as the ending rates fitted to the last 3 years of the council's own " in (
        placements
    )
    assert "children arrive at their recent level with a damped trend and the season" in (
        placements
    )
    assert "new placements cost what those started in the last 365 days cost" in placements
    assert "every open placement commitment" not in placements


def test_the_methodology_follows_the_assumptions_the_snapshot_stored() -> None:
    changed = {
        "placements": {
            **USED["placements"],
            "history_years": 5,
            "arrival_trend": "none",
            "arrival_seasonality": False,
            "moves": False,
        }
    }
    placements = next(p for p in methodology(used=changed) if p.startswith("Independent"))
    assert "fitted to the last 5 years of the council's own episodes" in placements
    assert "children arrive at their recent level, with no trend;" in placements
    assert "a child whose placement ends early is not expected to move on" in placements


def test_the_methodology_lists_the_ledger_timing_found_for_each_line() -> None:
    timing = {
        "placements_residential": {
            "lag_months": 1.0,
            "unposted": 812000.0,
            "finding": "the ledger runs about one month behind placements",
        },
    }
    current = snapshot(
        2, SEPTEMBER, "63000", "140000", assumptions={"used": {**USED, "ledger_timing": timing}}
    )
    section = build_report(context(snapshot=current)).section("methodology")
    table = section.tables[0]
    assert table.key == "ledger_timing"
    assert table.rows == (
        (
            "Residential care",
            "the ledger runs about one month behind placements",
            D("1.0"),
            D("812000.0"),
        ),
    )
    assert "what the forecast found for each line is in the first table below" in " ".join(
        section.paragraphs
    )
    assert section.tables[1].key == "assumptions"


def test_ledger_timing_findings_stored_apart_from_the_assumptions_are_listed_too() -> None:
    findings = {
        "ledger_timing": {
            "placements_ifa": {
                "finding": "placements_ifa: the ledger is a month behind; £8,123.45 unposted",
                "unposted": 8123.45,
            }
        }
    }
    current = snapshot(
        2, SEPTEMBER, "63000", "140000", assumptions={"used": USED, "findings": findings}
    )
    table = build_report(context(snapshot=current)).section("methodology").tables[0]
    assert table.rows == (
        (
            "Independent fostering agencies",
            "the ledger is a month behind; £8,123 unposted",
            D("8123.45"),
        ),
    )
    assert [column.key for column in table.columns] == ["line", "finding", "unposted"]


def test_without_ledger_timing_findings_there_is_no_timing_table() -> None:
    current = snapshot(2, SEPTEMBER, "63000", "140000", assumptions={"used": USED})
    tables = build_report(context(snapshot=current)).section("methodology").tables
    assert [table.key for table in tables] == ["assumptions"]


def test_the_public_report_withholds_small_counts_everywhere() -> None:
    report = build_report(context(public=True))
    placements = report.section("placements").tables[0]
    assert placements.cell("Residential care", "children") is SUPPRESSED
    assert placements.cell("Residential care", "mix") is SUPPRESSED
    reconciliation = report.section("reconciliation").tables[0]
    assert [c.key for c in reconciliation.columns if c.child_count] == []
    movement = report.section("movement").tables[0]
    assert [c.key for c in movement.columns if c.child_count] == []
    assert "Disclosure control: this is the public version." in " ".join(
        report.section("methodology").paragraphs
    )


def test_a_section_that_leaks_a_small_count_stops_the_public_report() -> None:
    def leaky(_context: ReportContext) -> SectionContent:
        table = Table(
            "leak",
            "Leak",
            (Column("a", "A", Kind.TEXT), Column("n", "N", Kind.COUNT, child_count=True)),
            (("one child", 1),),
        )
        return SectionContent("leak", "Leak", tables=(table,))

    sections = (*SECTIONS, SectionSpec("leak", "Leak", leaky))
    with pytest.raises(DisclosureBreach, match="one child"):
        build_report(context(public=True), sections)
    assert build_report(context(), sections).section("leak").tables[0].rows == (("one child", 1),)


def test_a_new_section_joins_the_report_without_touching_the_writers() -> None:
    def projection(ctx: ReportContext) -> SectionContent:
        return SectionContent("projection", "Three-year projection", (f"From {ctx.period}.",))

    report = build_report(
        context(), (*SECTIONS, SectionSpec("projection", "Three-year projection", projection))
    )
    keys = [part.key for part in report.sections]
    assert keys[-2:] == ["projection", "methodology"]
    assert report.section("projection").paragraphs == ("From 2018-09.",)
