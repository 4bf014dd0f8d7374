"""Medium-term financial plan: each year's spend projected from the close, by service line, with
its 80% range, against the budget — the forward half of the monitoring report."""

from __future__ import annotations

from decimal import Decimal

from carecast.reports import narrative
from carecast.reports.charts import fan_chart
from carecast.reports.context import MtfpView, PlanYearView, ReportContext
from carecast.reports.model import Cell, Column, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, count, pounds, text

KEY = "mtfp"
TITLE = "Medium-term financial plan"


def _label(year: PlanYearView) -> str:
    if year.posted:
        return f"{year.financial_year} (to date + {year.months} months)"
    if year.months < 12:
        return f"{year.financial_year} ({year.months} months)"
    return year.financial_year


def years_table(view: MtfpView) -> Table:
    columns: tuple[Column, ...] = (
        text("year", "Financial year"),
        count("months", "Months projected"),
        pounds("budget", "Budget"),
        pounds("central", "Projected spend"),
        pounds("p10", "Low (P10)"),
        pounds("p90", "High (P90)"),
        pounds("variance", "Over (+) / under (−) budget"),
    )
    rows: list[tuple[Cell, ...]] = [
        (
            _label(y) + ("*" if y.budget_from else ""),
            y.months,
            y.budget,
            y.cost.central,
            y.cost.p10,
            y.cost.p90,
            None if y.budget is None else y.cost.central - y.budget,
        )
        for y in view.years
    ]
    notes = [
        "Projected spend is the middle (P50) of the simulated years; the low and high figures "
        "bound an 80% range.",
    ]
    if any(y.budget_from for y in view.years):
        notes.append(
            "* No budget has been imported for this year: the latest earlier year's stands in."
        )
    if any(y.posted for y in view.years):
        notes.append(
            "The current year adds the ledger's spend posted before the close; the monthly "
            "forecast, which adds what is incurred but not yet posted, is its fuller estimate."
        )
    return Table(
        "mtfp_years",
        "Spend by year against the budget (£)",
        columns,
        tuple(rows),
        notes=tuple(notes),
    )


def lines_table(view: MtfpView) -> Table:
    headings = [name for name, _ in view.years[0].lines] if view.years else []
    columns: tuple[Column, ...] = (
        text("line", "Service line"),
        *(pounds(f"y{i}", _label(y)) for i, y in enumerate(view.years)),
    )
    rows: list[tuple[Cell, ...]] = []
    for index, heading in enumerate(headings):
        rows.append((heading, *(y.lines[index][1].central for y in view.years)))
    rows.append(("Total", *(sum((f.central for _, f in y.lines), Decimal(0)) for y in view.years)))
    return Table(
        "mtfp_lines",
        "Projected spend by service line (£, P50)",
        columns,
        tuple(rows),
        total_row=True,
        notes=("Each line's P50; the lines' P50s need not add to the P50 of the total.",),
    )


def children_table(view: MtfpView) -> Table:
    columns: tuple[Column, ...] = (
        text("day", "31 March"),
        count("central", "Children looked after (P50)"),
        count("p10", "Low (P10)"),
        count("p90", "High (P90)"),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (day, int(f.central), int(f.p10), int(f.p90)) for day, f in view.children
    )
    return Table("mtfp_children", "Children looked after projected at each 31 March", columns, rows)


def _paragraph(view: MtfpView) -> str:
    full = [y for y in view.years if y.months == 12 and not y.posted]
    first = view.years[0]
    words = (
        f"Projected from the {view.children_at_start:,} children looked after on "
        f"{view.start:%d %B %Y}, with the council's own rates of entering, moving and leaving "
        f"care, its placement prices and its establishment, spend on children's social care is "
        f"{narrative.money(first.cost.central)} in {first.financial_year}"
    )
    if full:
        last = full[-1]
        words += (
            f" and {narrative.money(last.cost.central)} in {last.financial_year} (80% range "
            f"{narrative.money(last.cost.p10)} to {narrative.money(last.cost.p90)})"
        )
        if last.budget is not None:
            gap = last.cost.central - last.budget
            side = "above" if gap > 0 else "below"
            words += f", {narrative.money(gap)} {side} a budget of {narrative.money(last.budget)}"
    return words + "."


def build(context: ReportContext) -> Built:
    view = context.mtfp
    if view is None or not view.years:
        reason = context.unavailable.get(KEY, "no projection could be made from this close")
        return Omitted(KEY, TITLE, reason)
    points = [(_label(y), y.cost.central, y.cost.p10, y.cost.p90) for y in view.years]
    budget = next((y.budget for y in view.years if y.budget is not None), Decimal(0))
    chart = fan_chart(
        "mtfp",
        "Projected spend by financial year with its 80% range, against this year's budget (£m)",
        "Chart of projected spend for each financial year with an 80% range. " + _paragraph(view),
        points,
        budget,
    )
    return SectionContent(
        KEY,
        TITLE,
        paragraphs=(_paragraph(view),),
        tables=(years_table(view), context.disclose(children_table(view)), lines_table(view)),
        charts=(chart,),
        notes=tuple(narrative.pounds_in(n) for n in view.notes),
    )


SECTION = SectionSpec(KEY, TITLE, build)
