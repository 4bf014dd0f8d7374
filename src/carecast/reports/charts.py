"""Charts a committee member reads at a glance, drawn with Altair (Vega-Lite).

Each builder returns a `Chart`: the Vega-Lite specification with its title and alt text. The same
specification becomes SVG for the HTML and PDF reports and PNG for Word and Excel (vl-convert, no
browser), so every format shows the same figure. Money is plotted in £m.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from carecast.domain.provenance import Forecast
from carecast.reports.model import Chart

BLUE, RED, GREEN, GREY, DARK, ORANGE = (
    "#1d70b8",
    "#d4351c",
    "#00703c",
    "#b1b4b6",
    "#0b0c0c",
    "#f47738",
)
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 520, 220


def _m(value: Decimal) -> float:
    return round(float(value) / 1_000_000, 3)


def _config(spec: dict[str, Any], title: str) -> dict[str, Any]:
    spec["title"] = {"text": title, "anchor": "start", "fontSize": 13, "color": DARK}
    spec["config"] = {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#e5e5e5"},
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
    }
    spec["background"] = "white"
    return spec


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data for a chart (Altair's Data constructor is untyped)."""
    import altair as alt

    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _altair_spec(chart: Any, title: str) -> dict[str, Any]:
    # The specification is built by this module alone; skip Altair's slow JSON-schema validation.
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return _config(spec, title)


def line_chart(
    key: str,
    title: str,
    alt_text: str,
    points: Sequence[tuple[str, float, str]],
    y_title: str,
) -> Chart:
    """Lines over time; points are (x label in time order, value, series)."""
    import altair as alt

    order = list(dict.fromkeys(x for x, _, _ in points))
    data = _data([{"x": x, "y": y, "series": s} for x, y, s in points])
    series = list(dict.fromkeys(s for _, _, s in points))
    base = alt.Chart(data).encode(
        x=alt.X("x:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=series, range=[BLUE, ORANGE, GREEN, DARK][: len(series)]),
            legend=alt.Legend() if len(series) > 1 else None,
        ),
        tooltip=["x:O", "series:N", "y:Q"],
    )
    chart = (base.mark_line(strokeWidth=2.5) + base.mark_point(filled=True, size=40)).properties(
        width=WIDTH, height=HEIGHT
    )
    return Chart(key, title, alt_text, _altair_spec(chart, title))


def bar_chart(
    key: str,
    title: str,
    alt_text: str,
    bars: Sequence[tuple[str, float]],
    x_title: str,
    *,
    signed: bool = False,
    highlight: str | None = None,
    label_format: str = ",.0f",
) -> Chart:
    """Horizontal bars, largest first; `signed` colours overspends red and underspends green,
    `highlight` picks one bar out in blue among grey ones (a council among its neighbours)."""
    import altair as alt

    rows = [{"label": label, "value": value} for label, value in bars]
    order = [str(row["label"]) for row in rows]
    if signed:
        color: Any = alt.condition(alt.datum.value > 0, alt.value(RED), alt.value(GREEN))
    elif highlight is not None:
        color = alt.condition(alt.datum.label == highlight, alt.value(BLUE), alt.value(GREY))
    else:
        color = alt.value(BLUE)
    values = [value for _, value in bars] or [0.0]
    low, high = min(0.0, *values), max(0.0, *values)
    room = (high - low) * 0.12  # space for the labels beyond the longest bars
    domain = [low - room if low < 0 else 0.0, high + room]
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", title=x_title, scale=alt.Scale(domain=domain, nice=False)),
        tooltip=["label:N", "value:Q"],
    )
    bars_layer = base.mark_bar().encode(color=color)
    label = alt.Text("value:Q", format=label_format)
    # Labels sit beyond the end of each bar: right of positive bars, left of negative ones.
    right = base.transform_filter("datum.value >= 0").mark_text(
        align="left", dx=3, fontSize=10, color=DARK
    )
    left = base.transform_filter("datum.value < 0").mark_text(
        align="right", dx=-3, fontSize=10, color=DARK
    )
    height = max(60, 19 * len(rows))
    chart = (bars_layer + right.encode(text=label) + left.encode(text=label)).properties(
        width=WIDTH - 140, height=height
    )
    return Chart(key, title, alt_text, _altair_spec(chart, title))


def waterfall(
    key: str,
    title: str,
    alt_text: str,
    *,
    start: tuple[str, Decimal],
    steps: Sequence[tuple[str, Decimal]],
    end: tuple[str, Decimal],
) -> Chart:
    """From one total to another through signed steps (red adds to spend, green reduces it).

    The axis is cut to the range the steps move through, so that small movements on a large
    total stay visible; the totals are drawn from the bottom of that range.
    """
    import altair as alt

    levels = [start[1]]
    for _, amount in steps:
        levels.append(levels[-1] + amount)
    low_level, high_level = _m(min([*levels, end[1]])), _m(max([*levels, end[1]]))
    pad = max((high_level - low_level) * 0.6, 0.05)
    floor = round(low_level - pad, 3)
    rows: list[dict[str, Any]] = [_step(start[0], floor, _m(start[1]), "total", _m(start[1]))]
    for (label, amount), before in zip(steps, levels, strict=False):
        after = before + amount
        kind = "increase" if amount > 0 else "decrease"
        rows.append(_step(label, _m(min(before, after)), _m(max(before, after)), kind, _m(amount)))
    rows.append(_step(end[0], floor, _m(end[1]), "total", _m(end[1])))
    order = [str(row["label"]) for row in rows]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160))
    )
    bars = base.mark_bar(size=28).encode(
        y=alt.Y(
            "low:Q",
            title="£m (axis does not start at zero)",
            scale=alt.Scale(domain=[floor, round(high_level + pad, 3)], nice=False, zero=False),
        ),
        y2="high:Q",
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=["total", "increase", "decrease"], range=[BLUE, RED, GREEN]),
            legend=alt.Legend(
                values=["increase", "decrease"],
                labelExpr="datum.label == 'increase' ? 'adds to spend' : 'reduces spend'",
            ),
        ),
        tooltip=["label:N", alt.Tooltip("amount:Q", format=",.2f", title="£m")],
    )
    text = base.mark_text(dy=-6, fontSize=10, color=DARK).encode(
        y="high:Q", text=alt.Text("amount:Q", format=",.2f")
    )
    chart = (bars + text).properties(width=WIDTH, height=HEIGHT + 20)
    return Chart(key, title, alt_text, _altair_spec(chart, title))


def _step(label: str, low: float, high: float, kind: str, amount: float) -> dict[str, Any]:
    return {"label": label, "low": low, "high": high, "kind": kind, "amount": amount}


def range_chart(
    key: str,
    title: str,
    alt_text: str,
    ranges: Sequence[tuple[str, Decimal, Decimal, Decimal]],
) -> Chart:
    """Each row's range as a bar from low to high with a dot at the central value, around a zero
    line; ranges are (label, low, central, high), e.g. variances against budget."""
    import altair as alt

    rows = [
        {"label": label, "low": _m(low), "mid": _m(mid), "high": _m(high)}
        for label, low, mid, high in ranges
    ]
    order = [str(row["label"]) for row in rows]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    data = _data(rows)
    band = (
        alt.Chart(data)
        .mark_bar(height=10, color=BLUE, opacity=0.4)
        .encode(
            y=y,
            x=alt.X("low:Q", title="£m (positive = overspend)"),
            x2="high:Q",
            tooltip=["label:N", "low:Q", "high:Q"],
        )
    )
    dot = (
        alt.Chart(data)
        .mark_point(filled=True, color=DARK, size=40)
        .encode(y=y, x="mid:Q", tooltip=["label:N", "mid:Q"])
    )
    zero = alt.Chart(_data([{"zero": 0.0}])).mark_rule(color=GREY).encode(x="zero:Q")
    chart = (zero + band + dot).properties(width=WIDTH - 140, height=max(60, 22 * len(rows)))
    return Chart(key, title, alt_text, _altair_spec(chart, title))


def fan_chart(
    key: str,
    title: str,
    alt_text: str,
    points: Sequence[tuple[str, Decimal, Decimal | None, Decimal | None]],
    budget: Decimal,
) -> Chart:
    """Forecast outturn by period with its 80% interval as a band, against the budget line."""
    import altair as alt

    order = [label for label, *_ in points]
    rows = [
        {
            "period": label,
            "forecast": _m(central),
            "p10": _m(low) if low is not None else None,
            "p90": _m(high) if high is not None else None,
        }
        for label, central, low, high in points
    ]
    data = _data(rows)
    x = alt.X("period:O", sort=order, title=None)
    band = (
        alt.Chart(data)
        .transform_filter("datum.p10 != null")
        .mark_area(opacity=0.25, color=BLUE)
        .encode(x=x, y=alt.Y("p10:Q", title="£m", scale=alt.Scale(zero=False)), y2="p90:Q")
    )
    whiskers = (
        alt.Chart(data)
        .transform_filter("datum.p10 != null")
        .mark_rule(color=BLUE, strokeWidth=6, opacity=0.35)
        .encode(x=x, y="p10:Q", y2="p90:Q", tooltip=["period:O", "p10:Q", "p90:Q"])
    )
    line = (
        alt.Chart(data)
        .mark_line(point=True, color=BLUE, strokeWidth=2.5)
        .encode(x=x, y="forecast:Q", tooltip=["period:O", "forecast:Q"])
    )
    budget_row = [{"budget": _m(budget), "text": f"budget £{_m(budget):,.1f}m"}]
    rule = (
        alt.Chart(_data(budget_row)).mark_rule(color=DARK, strokeDash=[6, 4]).encode(y="budget:Q")
    )
    label = (
        alt.Chart(_data(budget_row))
        .mark_text(align="left", dy=-7, x=4, fontSize=10, color=DARK)
        .encode(y="budget:Q", text="text:N")
    )
    chart = (band + whiskers + line + rule + label).properties(width=WIDTH, height=HEIGHT)
    return Chart(key, title, alt_text, _altair_spec(chart, title))


def outturn_fan(key: str, title: str, alt_text: str, forecasts: Sequence[Forecast]) -> Chart | None:
    """The fan of a year's forecasts, one point per close: `forecasts` are the latest forecast of
    each period, in period order, and the budget line is the last one's. None when no forecast
    carries an interval: a fan without its band says nothing the figures beside it do not.

    The report's interval section and the web dashboard both draw it from here."""
    points = [(str(f.period), f.forecast_outturn, *_interval(f)) for f in forecasts]
    if not forecasts or all(low is None for _, _, low, _ in points):
        return None
    return fan_chart(key, title, alt_text, points, forecasts[-1].budget)


def _interval(forecast: Forecast) -> tuple[Decimal | None, Decimal | None]:
    # The total's own P10 and P90: line intervals do not add up to the total's.
    if forecast.p10 is None or forecast.p90 is None:
        return None, None
    return forecast.p10, forecast.p90


def render_svg(chart: Chart) -> str:
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(chart.spec)
    return svg


def render_png(chart: Chart, scale: float = 2.0, svg: str | None = None) -> bytes:
    """The chart as PNG; from its SVG when already drawn (three times faster than laying out
    the chart again)."""
    import vl_convert

    png: bytes = (
        vl_convert.svg_to_png(svg, scale=scale)
        if svg is not None
        else vl_convert.vegalite_to_png(chart.spec, scale=scale)
    )
    return png
