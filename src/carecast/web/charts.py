"""The dashboard's charts: the report's own Vega-Lite specifications (reports/charts.py), drawn in
the browser by the Vega bundle in static/, each with the sentence and the figures a reader without
the picture needs; and a sparkline per service line, drawn here as a small SVG.

Why the sparklines are not Vega: a dashboard has a dozen lines and a total, and a Vega view each
would load the page with thirteen dataflows and layout passes for a line of five points; a
polyline needs no script, is in the page before any JavaScript runs, and its <title> gives a
screen reader every figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from carecast.domain.codes import ServiceLine
from carecast.domain.provenance import ForecastSnapshot
from carecast.reports import narrative
from carecast.reports.charts import BLUE, outturn_fan, waterfall
from carecast.reports.model import Chart
from carecast.reports.sections.movement import WATERFALL_STEPS, line_movements
from carecast.services.dashboard import Dashboard
from carecast.services.memo import Memo
from carecast.web.rendering import pounds

# The Vega bundle, and its versions: vl-convert's bundle of the Vega-Lite release that Altair's
# specifications name (altair.SCHEMA_VERSION), so the browser draws what the report's SVGs show.
VEGA_BUNDLE = "vega-6.2.0-lite-6.4.1-embed-7.0.2.min.js"
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 3


@dataclass(frozen=True, slots=True)
class ChartView:
    """A chart as a page embeds it: the specification as JSON that is safe inside a <script>
    element, and the sentence that says what it shows. Its key, the id of what it is drawn
    into, names the snapshot: when the period picker swaps one snapshot for another, htmx would
    copy the style Vega gave the old chart onto a new one of the same id, which the
    Content-Security-Policy refuses."""

    key: str
    alt_text: str
    spec_json: Markup

    @classmethod
    def of(cls, chart: Chart) -> ChartView:
        spec = htmlsafe_json_dumps(chart.spec, separators=(",", ":"))
        return cls(chart.key, chart.alt_text, spec)


@dataclass(frozen=True, slots=True)
class Step:
    """One bar of the movement waterfall: a line's change, and the total once it is added."""

    label: str
    amount: Decimal
    total_after: Decimal


@dataclass(frozen=True, slots=True)
class MovementChart:
    """From the previous snapshot's forecast outturn to this one's, line by line."""

    since: ForecastSnapshot
    steps: tuple[Step, ...]
    chart: ChartView


@dataclass(frozen=True, slots=True)
class DashboardCharts:
    fan: ChartView | None
    movement: MovementChart | None
    sparklines: Mapping[ServiceLine | None, Markup]  # None: the total


def dashboard_charts(board: Dashboard, memo: Memo | None) -> DashboardCharts:
    """The dashboard's charts, kept by an open store under the snapshots they are drawn from:
    stored snapshots never change, and building a specification with Altair costs more than the
    rest of the page."""
    key = (
        "dashboard_charts",
        board.snapshot.council,
        tuple((s.snapshot_id, s.created_at) for s in board.year),
    )
    kept = None if memo is None else memo.recall(key)
    if isinstance(kept, DashboardCharts):
        return kept
    charts = DashboardCharts(_fan(board), _movement(board), _sparklines(board))
    if memo is not None:
        memo.keep(key, charts)
    return charts


def _fan(board: Dashboard) -> ChartView | None:
    forecast = board.snapshot.forecast
    year = forecast.period.financial_year
    points = narrative.join(
        [
            f"{narrative.money(s.forecast.forecast_outturn)} at {s.forecast.period}"
            + (
                f" (80% interval {narrative.money(s.forecast.p10)} to "
                f"{narrative.money(s.forecast.p90)})"
                if s.forecast.p10 is not None and s.forecast.p90 is not None
                else ""
            )
            for s in board.year
        ]
    )
    sentence = (
        f"Fan chart of the forecast outturn for {year} at each close: {points}; the budget, "
        f"a dashed line, is {narrative.money(forecast.budget)}."
    )
    chart = outturn_fan(
        f"forecast-fan-{board.snapshot.snapshot_id}",
        f"Forecast outturn {year} by period, with its 80% interval (£m)",
        sentence,
        [s.forecast for s in board.year],
    )
    return None if chart is None else ChartView.of(chart)


def _movement(board: Dashboard) -> MovementChart | None:
    previous = board.previous
    if previous is None:
        return None
    before, after = previous.forecast, board.snapshot.forecast
    moved = [(line.heading, amount) for line, amount in line_movements(before, after) if amount]
    # As the report's waterfall: the largest movements get a bar each, the rest one bar together.
    moved.sort(key=lambda m: (-abs(m[1]), m[0]))
    shown = moved[:WATERFALL_STEPS]
    rest = moved[WATERFALL_STEPS:]
    if len(rest) == 1:
        shown += rest
    elif rest:
        shown.append((f"The other {len(rest)} lines", sum((a for _, a in rest), Decimal(0))))
    steps: list[Step] = []
    total = before.forecast_outturn
    for label, amount in shown:
        total += amount
        steps.append(Step(label, amount, total))
    change = after.forecast_outturn - before.forecast_outturn
    moves = [f"{label.lower()} {_signed(amount)}" for label, amount in moved]
    sentence = (
        f"Waterfall chart from the forecast outturn at {before.period}, "
        f"{narrative.money(before.forecast_outturn)}, to the forecast at {after.period}, "
        f"{narrative.money(after.forecast_outturn)}: "
        + (
            f"{_direction(change)} by {narrative.money(change)}; by line, largest first, "
            f"{narrative.join(moves)}."
            if moved
            else "no line moved."
        )
    )
    chart = waterfall(
        f"movement-waterfall-{board.snapshot.snapshot_id}",
        f"From the {before.period} forecast to the {after.period} forecast, by service line (£m)",
        sentence,
        start=(f"Forecast at {before.period}", before.forecast_outturn),
        steps=[(s.label, s.amount) for s in steps],
        end=(f"Forecast at {after.period}", after.forecast_outturn),
    )
    return MovementChart(previous, tuple(steps), ChartView.of(chart))


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "−") + narrative.money(amount)


def _direction(change: Decimal) -> str:
    return "up" if change > 0 else "down" if change < 0 else "unchanged"


def _sparklines(board: Dashboard) -> dict[ServiceLine | None, Markup]:
    year = board.snapshot.forecast.period.financial_year
    periods = [str(s.forecast.period) for s in board.year]
    found: dict[ServiceLine | None, Markup] = {}
    for line in board.snapshot.forecast.lines:
        values = [_line_outturn(s, line.service_line) for s in board.year]
        title = f"{line.service_line.heading}: forecast outturn at each close of {year}"
        found[line.service_line] = sparkline(
            f"spark-{line.service_line.value}", title, periods, values
        )
    totals = [s.forecast.forecast_outturn for s in board.year]
    found[None] = sparkline(
        "spark-total", f"Total: forecast outturn at each close of {year}", periods, totals
    )
    return found


def _line_outturn(snapshot: ForecastSnapshot, line: ServiceLine) -> Decimal | None:
    return next(
        (x.forecast_outturn for x in snapshot.forecast.lines if x.service_line is line), None
    )


def sparkline(
    element_id: str, title: str, labels: Sequence[str], values: Sequence[Decimal | None]
) -> Markup:
    """A line through `values` (one point per label, left to right, a dot on the last), scaled
    to its own range; its <title> names every figure. A close that did not forecast the line
    (None) leaves a gap in the figures and is skipped by the line."""
    known = [float(v) for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    span = high - low
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    points: list[tuple[float, float]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        share = 0.5 if span == 0 else (float(value) - low) / span
        x = SPARK_PAD + index * step
        y = SPARK_HEIGHT - SPARK_PAD - share * (SPARK_HEIGHT - 2 * SPARK_PAD)
        points.append((round(x, 1), round(y, 1)))
    figures = "; ".join(
        f"{label} {'not forecast' if value is None else pounds(float(value))}"
        for label, value in zip(labels, values, strict=True)
    )
    parts = [
        f'<svg class="sparkline" id="{escape(element_id)}" width="{SPARK_WIDTH}" '
        f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f'aria-labelledby="{escape(element_id)}-title">',
        f'<title id="{escape(element_id)}-title">{escape(title)}: {escape(figures)}</title>',
    ]
    if len(points) > 1:
        drawn = " ".join(f"{x},{y}" for x, y in points)
        parts.append(
            f'<polyline points="{drawn}" fill="none" stroke="{BLUE}" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
    if points:
        x, y = points[-1]
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{BLUE}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every value in it is a number or escaped above
