"""Rich tables for the terminal."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text

from carecast.documents.forecast import actions_json
from carecast.domain.provenance import Council, ForecastSnapshot, ImportBatch
from carecast.forecast.movements import Movements
from carecast.forecast.reconcile import Reconciliation
from carecast.reports.figures import pounds


def _band(low: Decimal | None, high: Decimal | None) -> str:
    return "" if low is None or high is None else f"{pounds(low)} – {pounds(high)}"


def _actions_caption(snapshot: ForecastSnapshot) -> str:
    """Risks, actions and savings in one line, apart from the forecast (never netted off)."""
    summary = actions_json(snapshot)
    if not summary["items"]:
        return "No risks, actions or savings recorded for the year."
    return (
        f"Apart from the forecast: risks {pounds(Decimal(summary['risks_expected']), signed=True)}"
        f" and actions −{pounds(Decimal(summary['actions_expected']))} expected (after both: "
        f"{pounds(Decimal(summary['forecast_after_actions_and_risks']))}); savings undelivered "
        f"{pounds(Decimal(summary['savings']['undelivered']))}, at risk "
        f"{pounds(Decimal(summary['savings']['at_risk']))}. Details: --json."
    )


def readiness_lines(snapshot: ForecastSnapshot) -> list[Text]:
    """The flags raised on the data the forecast stood on, one line each (printed under its
    table; the table's title says how many there are)."""
    return [Text.assemble(("Flagged ", "bold yellow"), f.format()) for f in snapshot.readiness]


def _money_column(table: Table, heading: str) -> None:
    """Money prints in full: a money column is never wrapped or cut; text columns give way."""
    table.add_column(heading, justify="right", no_wrap=True)


def _text_column(table: Table, heading: str) -> None:
    """Text wraps at spaces, and folds a word too long for its column rather than cut it."""
    table.add_column(heading, overflow="fold")


def forecast_table(snapshot: ForecastSnapshot) -> Table:
    forecast = snapshot.forecast
    flagged = f" — FLAGGED ({len(snapshot.readiness)})" if snapshot.readiness else ""
    table = Table(
        title=f"{snapshot.council.name}: forecast outturn {forecast.period.financial_year} "
        f"at period {forecast.period.number} ({forecast.period}){flagged}",
        caption=f"Snapshot {snapshot.snapshot_id}; data known on {forecast.knowledge_date}. "
        "Forecast = actual to date + committed + demand allowance; P10–P90 is the 80% interval.\n"
        + _actions_caption(snapshot),
        # Eight columns of money fit a terminal 100 columns wide only without padding.
        show_edge=False,
        padding=(0, 0),
    )
    _text_column(table, "Service line")
    for heading in ("Budget", "Actual\nto date", "Committed", "Demand\nallowance", "Forecast"):
        _money_column(table, heading)
    # The band wraps after its dash, each end still whole.
    table.add_column("P10 – P90", justify="right", min_width=len("£99,999,999 –"))
    _money_column(table, "Variance")
    for line in forecast.lines:
        style = "red" if line.variance > 0 else "green"
        table.add_row(
            line.service_line.heading,
            pounds(line.budget),
            pounds(line.actual_to_date),
            pounds(line.committed),
            pounds(line.demand_allowance, signed=True),
            pounds(line.forecast_outturn),
            _band(line.p10, line.p90),
            f"[{style}]{pounds(line.variance, signed=True)}[/]",
        )
    table.add_section()
    table.add_row(
        "Total",
        pounds(forecast.budget),
        pounds(forecast.actual_to_date),
        pounds(sum((x.committed for x in forecast.lines), Decimal(0))),
        pounds(sum((x.demand_allowance for x in forecast.lines), Decimal(0)), signed=True),
        pounds(forecast.forecast_outturn),
        _band(forecast.p10, forecast.p90),
        pounds(forecast.variance, signed=True),
        style="bold",
    )
    return table


def movements_table(movements: Movements) -> Table:
    """The change since the earlier snapshot by driver, then by line: both add up exactly."""
    previous, current = movements.previous, movements.current
    table = Table(
        title=f"Forecast movement {previous.period} → {current.period}: "
        f"{pounds(previous.forecast_outturn)} → {pounds(current.forecast_outturn)}",
        caption="Each driver in pounds; the drivers add up to the change to the penny.",
    )
    _text_column(table, "Driver")
    _money_column(table, "Movement")
    for driver, amount in movements.by_driver().items():
        table.add_row(DRIVER_TITLES.get(driver, driver), pounds(amount, signed=True))
    table.add_section()
    table.add_row("Change in the forecast", pounds(movements.change, signed=True), style="bold")
    table.add_section()
    for line, amount in sorted(movements.by_line().items(), key=lambda kv: -abs(kv[1])):
        if amount:
            table.add_row(f"  of which {line.heading}", pounds(amount, signed=True))
    return table


DRIVER_TITLES = {
    "actuals": "Actuals posted against what was forecast for those months",
    "new_placements": "New placements",
    "ended_placements": "Ended placements",
    "step_ups_downs": "Step-ups and step-downs",
    "price_changes": "Price changes",
    "end_date_changes": "Changed end dates",
    "staffing_changes": "Posts: new, ended, status and cost changes",
    "allowance_changes": "Allowances: new, ended, amount changes",
    "expected_arrivals": "Expected arrivals (demand allowance)",
    "expected_early_endings": "Expected early endings (demand allowance)",
    "expected_moves": "Expected moves (demand allowance)",
    "expected_step_ups_downs": "Expected step-ups and step-downs (demand allowance)",
    "arrears": "Spend incurred but not yet posted",
    "expected_staffing_changes": "Expected leavers and vacancy fills",
    "expected_allowance_changes": "Expected allowance joiners, stops and other spend",
    "profiled_lines": "Lines profiled from the ledger",
    "assumption_changes": "Assumption changes",
    "unexplained": "Not explained by the stored build-up",
}


def reconciliation_tables(council: Council, result: Reconciliation) -> list[Table]:
    """Over-commitments, under-reporting and cost centres, each with the items behind it."""
    over = Table(
        title=f"{council.name}: open commitments with no live placement at {result.period}",
        caption=f"{pounds(result.over_committed_to_year_end)} would be counted to year end "
        "by a commitments-only forecast.",
    )
    for heading in ("Child", "Line", "Provider", "Start", "Weekly", "Cost centre", "To year end"):
        if heading in ("Weekly", "To year end"):
            _money_column(over, heading)
        else:
            _text_column(over, heading)
    for o in result.over_commitments:
        c = o.commitment
        over.add_row(
            c.child_id,
            c.category.heading,
            c.provider,
            c.start.isoformat(),
            pounds(c.net_weekly_cost),
            c.cost_centre,
            pounds(o.cost_to_year_end),
        )
    under = Table(title="Live placements with no open commitment (costed at the line's average)")
    for heading in ("Child", "Line", "PLACE", "Provider", "Start"):
        _text_column(under, heading)
    _money_column(under, "Costed weekly")
    for u in result.under_reported:
        p = u.placement
        line = "" if p.category is None else p.category.heading
        under.add_row(
            p.child_id,
            line,
            p.place,
            p.place_provider or "",
            p.start.isoformat(),
            pounds(u.priced_weekly),
        )
    centres = Table(title=f"Ledger against activity, {result.period.financial_year} to date")
    for heading in ("Cost centre", "Line"):
        _text_column(centres, heading)
    for heading in ("Ledger", "Activity implies", "Difference"):
        _money_column(centres, heading)
    centres.add_column("Children", justify="right")
    for check in result.cost_centres:
        centres.add_row(
            check.cost_centre,
            "" if check.service_line is None else check.service_line.heading,
            pounds(check.ledger),
            pounds(check.implied),
            pounds(check.difference, signed=True),
            str(len(check.children)),
        )
    return [over, under, centres]


def imports_table(council: Council, batches: list[ImportBatch]) -> Table:
    # The council's and the files' names are shown as given: Rich would read "[x]" or ":100:" in
    # them as markup or an emoji code.
    table = Table(title=Text(f"Imports for {council.name} ({council.la_code})"))
    for heading in (
        "Batch",
        "As of",
        "Input",
        "File",
        "Rows",
        "Warnings",
        "Imported at",
        "SHA-256",
    ):
        table.add_column(heading)
    for b in batches:
        table.add_row(
            str(b.batch_id),
            b.as_of.isoformat(),
            b.dataset,
            Text(b.file_name),
            str(b.row_count),
            str(b.warnings),
            f"{b.imported_at:%Y-%m-%d %H:%M}",
            b.sha256[:12],
        )
    return table
