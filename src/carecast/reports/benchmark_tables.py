"""The benchmark in the terminal: one Rich table per section, the neighbours'-rate sums, sources."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from carecast.benchmarking.figures import BenchmarkResult, Figure, NeighbourRateEstimate, Section
from carecast.reports.figures import millions


def show(figure: Figure | None) -> str:
    """A figure as a table cell: '–' when there is none, the suppression mark when suppressed,
    '≥' before a lower bound."""
    if figure is None or figure.value is None:
        if figure is not None and figure.note.startswith("suppressed"):
            return figure.note.removeprefix("suppressed ").strip("()")
        return "–"
    value = figure.value
    if figure.unit.startswith("£"):
        text = f"£{value:,.0f}"
    elif figure.unit in {"children", "children aged 0–17"}:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.1f}"
    if figure.unit == "%":
        text += "%"
    if figure.note.startswith("lower bound"):
        text = "≥" + text
    return text


def _sources(section: Section) -> str:
    files = sorted(
        {
            f.source.file
            for row in section.rows
            for f in (row.council, row.neighbours, row.england, row.own)
            if f is not None and f.source.file and f.value is not None
        }
    )
    return "Sources: " + "; ".join(files) if files else ""


def section_table(section: Section, own_name: str | None, council: str) -> Table:
    caption = "\n".join([*section.notes, _sources(section)])
    table = Table(title=section.title, caption=caption, caption_justify="left")
    table.add_column("Measure")
    table.add_column("Year")
    for heading in (council, "Neighbours", "England"):
        table.add_column(heading, justify="right")
    if own_name is not None:
        table.add_column(f"{own_name} (own data)", justify="right")
    for row in section.rows:
        cells = [row.measure, row.year, show(row.council), show(row.neighbours), show(row.england)]
        if own_name is not None:
            cells.append(show(row.own))
        table.add_row(*cells)
    return table


def estimate_text(result: BenchmarkResult, estimate: NeighbourRateEstimate) -> Text:
    """The case study's sentence, with the arithmetic spelled out."""
    more = estimate.children_fewer >= 0
    own_data = estimate.basis == "own data" and result.own is not None
    name = result.own.name if own_data and result.own is not None else result.name
    children = abs(estimate.children_fewer)
    spend = abs(estimate.annual_difference)
    cost = estimate.average_weekly_cost
    cost_note = f" ({cost.note})" if cost.note else ""
    sentence = (
        f"At its statistical neighbours' rate ({show(estimate.neighbours_rate)} against "
        f"{show(estimate.council_rate)} per 10,000, {estimate.as_at}; {estimate.basis}) "
        f"{name} would look after {children:,.1f} {'fewer' if more else 'more'} children "
        f"({show(estimate.population)} aged 0–17). At {show(cost)} a week{cost_note} for "
        f"365/7 weeks that is {millions(spend)} a year {'less' if more else 'more'}: "
        f"({estimate.council_rate.value} − {estimate.neighbours_rate.value}) × "
        f"{estimate.population.value:,} ÷ 10,000 = {estimate.children_fewer} children; "
        f"{estimate.children_fewer} × £{cost.value:,} × 365/7 = £{estimate.annual_difference:,}."
    )
    return Text(sentence)


def benchmark_view(result: BenchmarkResult) -> RenderableType:
    """Everything `carecast benchmark` prints."""
    parts: list[RenderableType] = []
    code = f"{result.la_code}" + (f", {result.ons_code}" if result.ons_code else "")
    parts.append(
        Text(f"{result.name} ({code}) against its statistical neighbours and England", style="bold")
    )
    group = result.neighbours
    if group.members:
        names = ", ".join(f"{n.name} ({n.closeness})" for n in group.members)
        parts.append(
            Text(f"Statistical neighbours ({group.source.year}, {group.source.file}): {names}")
        )
    if result.own is not None:
        parts.append(
            Text(
                f"Own data: {result.own.name} in the store, as at {result.own.known_on:%d %B %Y}"
                + (
                    f" (forecast snapshot {result.own.snapshot_id})"
                    if result.own.snapshot_id
                    else ""
                )
            )
        )
    own_name = result.own.name if result.own is not None else None
    for section in result.sections:
        parts.append(section_table(section, own_name, result.name))
    for estimate in result.estimates:
        parts.append(estimate_text(result, estimate))
    parts.extend(Text(note, style="yellow") for note in result.notes)
    return Group(*parts)
