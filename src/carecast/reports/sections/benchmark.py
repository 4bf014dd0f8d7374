"""Benchmarking: the council beside its statistical neighbours and England, from published data."""

from __future__ import annotations

from carecast.reports import narrative
from carecast.reports.charts import bar_chart
from carecast.reports.context import (
    BenchmarkMeasure,
    BenchmarkView,
    NeighbourRateView,
    ReportContext,
)
from carecast.reports.model import Cell, Chart, Column, Kind, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, measure, pence, text

KEY = "benchmark"
TITLE = "Benchmarking"
UNITS = {"rate": "per 10,000 children", "percent": "%", "pounds": "£", "count": "number"}


PUBLISHERS = {
    "Department for Education": "DfE",
    "Ministry of Housing, Communities and Local Government": "MHCLG",
    "Office for National Statistics": "ONS",
}
VALUE_COLUMNS = ("council", "own", "neighbours", "england")


def short_source(source: str) -> str:
    """DfE, MHCLG or ONS for the publishers carecast ships data from."""
    return next((short for name, short in PUBLISHERS.items() if source.startswith(name)), "")


def labelled(m: BenchmarkMeasure) -> str:
    """The measure with its unit, unless its name already says it."""
    unit = UNITS.get(m.unit, m.unit)
    return (
        m.measure
        if any(mark in m.measure for mark in ("%", "10,000", "£"))
        else f"{m.measure} ({unit})"
    )


def _value_columns(kind: Kind) -> tuple[Column, ...]:
    headings = ("Council (published)", "Council (own data)", "Statistical neighbours", "England")
    return tuple(
        Column(key, heading, kind) for key, heading in zip(VALUE_COLUMNS, headings, strict=True)
    )


def _sources(chosen: list[BenchmarkMeasure]) -> tuple[str, ...]:
    return tuple(
        f"Source: {s}." for s in sorted({m.source for m in chosen if short_source(m.source)})
    )


def trend_tables(view: BenchmarkView) -> list[Table]:
    """A measure shown over the years becomes its own table, one row a year."""
    names = [m.measure for m in view.measures if m.trend]
    tables: list[Table] = []
    for name in dict.fromkeys(names):
        chosen = [m for m in view.measures if m.measure == name and m.trend]
        rows: list[tuple[Cell, ...]] = [
            (m.year, m.council, m.own, m.neighbours, m.england, short_source(m.source))
            for m in chosen
        ]
        kind = Kind.POUNDS if chosen[0].unit == "pounds" else Kind.NUMBER
        tables.append(
            Table(
                f"benchmark_trend_{len(tables) + 1}",
                labelled(chosen[0]),
                (text("year", "Year"), *_value_columns(kind), text("source", "Source")),
                tuple(rows),
                notes=_sources(chosen),
            )
        )
    return tables


def measures_table(view: BenchmarkView, money: bool) -> Table | None:
    """The measures of the report's year, in one unit family: money or rates and shares. Each
    row is labelled with its year: where the latest published year is not the council's own, a
    measure has a row for each."""
    chosen = [m for m in view.measures if (m.unit == "pounds") == money and not m.trend]
    if not chosen:
        return None
    rows: list[tuple[Cell, ...]] = [
        (labelled(m), m.year, m.council, m.own, m.neighbours, m.england, short_source(m.source))
        for m in chosen
    ]
    return Table(
        "benchmark_spending" if money else "benchmark_measures",
        "Spending (£)" if money else "Rates and shares",
        (
            text("measure", "Measure"),
            text("year", "Year"),
            *_value_columns(Kind.POUNDS if money else Kind.NUMBER),
            text("source", "Source"),
        ),
        tuple(rows),
        notes=_sources(chosen),
    )


def public_table(table: Table) -> Table:
    """Own-data shares and rates of small groups could reveal small counts of children; only the
    rate of all children looked after (a published total) keeps its own-data column."""
    if "looked after per 10,000" in table.title.lower() or "own" not in {
        c.key for c in table.columns
    }:
        return table
    shown = table.without("own", note="The council's own-data figures are in the internal version.")
    values = [n for n, column in enumerate(shown.columns) if column.key in VALUE_COLUMNS]
    # A row that held only the council's own figure has nothing left to show.
    return shown.with_rows([row for row in shown.rows if any(row[n] is not None for n in values)])


def at_neighbours_rate(view: NeighbourRateView) -> Table:
    """The case study's arithmetic, as the benchmarking capability did it."""
    rows: list[tuple[Cell, ...]] = [
        ("Council's rate per 10,000", view.council_rate, None),
        ("Statistical neighbours' rate per 10,000", view.neighbours_rate, None),
        ("Population aged 0–17", view.population, None),
        ("Children fewer at the neighbours' rate", view.children_fewer, None),
        ("Average weekly cost of a placement", None, view.average_weekly_cost),
        ("Weeks in a year", view.weeks, None),
        ("Difference in a year's cost", None, view.annual_difference),
    ]
    return Table(
        "at_neighbours_rate",
        f"At the statistical neighbours' rate ({view.basis}, {view.as_at})",
        (text("item", "Item"), measure("number", "Number"), pence("amount", "£")),
        tuple(rows),
        notes=(
            "Children fewer = (council's rate − neighbours' rate) × population ÷ 10,000; the "
            "difference in cost = children fewer × average weekly cost × weeks. An illustration, "
            "not a target.",
        ),
    )


def peer_chart(m: BenchmarkMeasure, council_name: str) -> Chart:
    bars = [(p.name, float(p.value)) for p in sorted(m.peers, key=lambda p: -p.value)]
    highlight = next((p.name for p in m.peers if p.is_council), council_name)
    return bar_chart(
        f"benchmark_{len(m.measure)}_{m.year}".replace(" ", "_"),
        f"{m.measure.split(' on ')[0]}, {m.year}",
        f"Horizontal bars of {m.measure.lower()} ({UNITS.get(m.unit, m.unit)}) in {m.year} for "
        f"{council_name}, highlighted, and each of its statistical neighbours.",
        bars,
        UNITS.get(m.unit, m.unit),
        highlight=highlight,
        label_format=",.1f",
    )


def build(context: ReportContext) -> Built:
    view = context.benchmark
    if view is None or not view.measures:
        reason = context.unavailable.get(
            "benchmark", "the benchmarking capability is not available"
        )
        return Omitted(KEY, TITLE, reason)
    tables = trend_tables(view)
    tables += [t for t in (measures_table(view, False), measures_table(view, True)) if t]
    if context.public:
        tables = [public_table(table) for table in tables]
    paragraphs: list[str] = []
    rate = next(
        (m for m in view.measures if m.peers),
        max(
            (m for m in view.measures if m.unit == "rate" and m.council is not None),
            key=lambda m: m.year,
            default=None,
        ),
    )
    if rate is not None and rate.council is not None and rate.neighbours is not None:
        compare = "above" if rate.council > rate.neighbours else "below"
        when = f"On 31 March {rate.year}"
        if view.year_end and rate.year != view.year_end:
            when += f" (the latest published; this report is for {view.for_year})"
        paragraphs.append(
            f"{when} the published rate for {view.council_name} was "
            f"{narrative.number(rate.council)} children looked after per 10,000, {compare} its "
            f"statistical neighbours ({narrative.number(rate.neighbours)})"
            + (
                f" and England ({narrative.number(rate.england)})"
                if rate.england is not None
                else ""
            )
            + "."
        )
    estimate = view.at_neighbours_rate
    if estimate is not None:
        tables.append(at_neighbours_rate(estimate))
        fewer, cost = estimate.children_fewer, estimate.annual_difference
        paragraphs.append(
            f"At its neighbours' rate the council would look after {narrative.number(abs(fewer))} "
            f"{'fewer' if fewer > 0 else 'more'} children, and at "
            f"{narrative.pounds(estimate.average_weekly_cost)} a week would spend about "
            f"{narrative.money(cost)} a year {'less' if cost > 0 else 'more'}."
        )
    charts = [peer_chart(m, view.council_name) for m in view.measures if m.peers][:3]
    return SectionContent(KEY, TITLE, tuple(paragraphs), tuple(tables), tuple(charts), view.notes)


SECTION = SectionSpec(KEY, TITLE, build)
