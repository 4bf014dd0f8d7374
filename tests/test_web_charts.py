"""The dashboard's charts: the fan of the year's closes and the movement waterfall as the report's
Vega-Lite specifications embedded in the page, a sparkline per line, the sentences and tables
that say the same for a reader without the picture, and the Vega scripts served from the package.

The small council (tests/webhelp.py) closes twice, figures from its snapshots:

    close     forecast     P10          P90          budget      staffing
    2018-08   £608,950.00  £595,902.69  £621,673.71  £740,000.00  £292,400.00
    2018-09   £652,950.00  £641,859.69  £663,721.48  £740,000.00  £336,400.00

Only staffing moves (+£44,000.00); the other lines stand still between the closes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.dashboard import dashboard
from carecast.services.memo import Memo
from carecast.web.charts import VEGA_BUNDLE, dashboard_charts, sparkline
from carecast.web.rendering import STATIC
from tests.webhelp import add_role_users, client, forecast_small_council, signed_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings, snapshot_id


def _page(settings: Settings, url: str = "/dashboard") -> Any:
    response = signed_in(settings, Role.VIEWER).get(url)
    assert response.status_code == 200
    return html.fromstring(response.text)


def _spec(page: Any, key: str) -> dict[str, Any]:
    (source,) = page.xpath(f"//script[starts-with(@data-chart-for, '{key}')]")
    assert source.get("type") == "application/json"
    spec: dict[str, Any] = json.loads(source.text)
    return spec


def _rows(spec: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """The rows that have `field` among the specification's inline data: the chart's own, which
    its layers share, and any a layer has of its own."""
    found = [spec.get("data", {}), *(layer.get("data", {}) for layer in spec["layer"])]
    return [row for data in found for row in data.get("values", []) if field in row]


def _pence(cell: Any) -> int:
    (data,) = cell.xpath(".//data")
    return int(data.get("value"))


def test_the_fan_has_one_point_per_close_of_the_year(site: tuple[Settings, int]) -> None:
    page = _page(site[0])
    rows = _rows(_spec(page, "forecast-fan"), "period")
    assert rows == [
        {"period": "2018-08", "forecast": 0.609, "p10": 0.596, "p90": 0.622},
        {"period": "2018-09", "forecast": 0.653, "p10": 0.642, "p90": 0.664},
    ]
    # the budget line, and a chart drawn into an element named by its caption
    assert _rows(_spec(page, "forecast-fan"), "budget")[0]["budget"] == 0.74
    (view,) = page.xpath("//div[contains(@class, 'chart-view')][starts-with(@id, 'forecast-fan')]")
    assert view.get("role") == "img"
    assert view.get("hidden") is not None  # until the script draws it: no empty picture without JS
    assert page.get_element_by_id(view.get("aria-labelledby")).tag == "figcaption"


def test_the_fan_in_words_and_in_a_table(site: tuple[Settings, int]) -> None:
    page = _page(site[0])
    caption = page.xpath("//figcaption[starts-with(@id, 'forecast-fan')]")[0].text_content()
    assert "£0.6m at 2018-08 (80% interval £0.6m to £0.6m)" in caption
    assert "£0.7m at 2018-09" in caption
    assert "the budget, a dashed line, is £0.7m" in caption
    table = [
        [row[0].text_content().strip()] + [_pence(cell) for cell in row[2:]]
        for row in page.xpath("//table[@id='course']/tbody/tr")
    ]
    assert table == [
        ["2018-08", 60895000, 59603940, 62164251, 74000000],
        ["2018-09", 65295000, 64198946, 66365598, 74000000],
    ]


def test_the_waterfall_steps_from_the_previous_total_to_this_one(
    site: tuple[Settings, int],
) -> None:
    """£608,950.00 at 2018-08, staffing +£44,000.00, £652,950.00 at 2018-09; the lines that did
    not move get no step."""
    page = _page(site[0])
    steps = [
        (row["label"], row["kind"], row["amount"])
        for row in _rows(_spec(page, "movement-waterfall"), "kind")
    ]
    assert steps == [
        ("Forecast at 2018-08", "total", 0.609),
        ("Staffing", "increase", 0.044),
        ("Forecast at 2018-09", "total", 0.653),
    ]
    table = page.xpath("//table[@id='movement-steps']")[0]
    (start,) = table.xpath("./tbody/tr[1]")
    moves = table.xpath("./tbody/tr[position() > 1]")
    (end,) = table.xpath("./tfoot/tr")
    assert _pence(start[2]) == 60895000
    assert [(row[0].text_content(), _pence(row[1])) for row in moves] == [("Staffing", 4400000)]
    assert _pence(start[2]) + sum(_pence(row[1]) for row in moves) == _pence(end[2]) == 65295000
    caption = page.xpath("//figcaption[starts-with(@id, 'movement-waterfall')]")[0]
    assert "at 2018-08, £0.6m, to the forecast at 2018-09, £0.7m: up by £44k" in (
        caption.text_content()
    )
    assert "staffing +£44k" in caption.text_content()
    (why,) = page.xpath("//a[starts-with(@href, '/movements?')]")
    assert why.get("href") == "/movements?period=2018-09&since=2018-08"


def test_a_sparkline_per_line_with_a_point_per_close(site: tuple[Settings, int]) -> None:
    page = _page(site[0])
    spark = page.xpath("//tr[@data-line='staffing']//*[local-name()='svg']")[0]
    (line,) = spark.xpath("./*[local-name()='polyline']")
    assert line.get("points") == "3.0,21.0 93.0,3.0"  # two closes, rising: bottom left to top right
    title = page.get_element_by_id(spark.get("aria-labelledby")).text_content()
    assert title == (
        "Staffing: forecast outturn at each close of 2018-19: 2018-08 £292,400; 2018-09 £336,400"
    )
    (total,) = page.xpath("//tfoot//*[local-name()='svg']")
    assert "2018-08 £608,950; 2018-09 £652,950" in total.xpath("./*[local-name()='title']")[0].text


def test_the_first_close_of_the_year_has_nothing_to_move_from(
    site: tuple[Settings, int],
) -> None:
    page = _page(site[0], "/dashboard?period=2018-08")
    assert _rows(_spec(page, "forecast-fan"), "period") == [
        {"period": "2018-08", "forecast": 0.609, "p10": 0.596, "p90": 0.622}
    ]
    assert not page.xpath("//script[starts-with(@data-chart-for, 'movement-waterfall')]")
    assert (
        "there is no earlier one to move from"
        in page.get_element_by_id("movement-heading").getparent().text_content()
    )
    spark = page.xpath("//tr[@data-line='staffing']//*[local-name()='svg']")[0]
    assert not spark.xpath("./*[local-name()='polyline']")
    assert len(spark.xpath("./*[local-name()='circle']")) == 1


def test_the_charts_are_kept_by_the_snapshots_they_draw(site: tuple[Settings, int]) -> None:
    board = dashboard(site[0])
    memo = Memo(8)
    first = dashboard_charts(board, memo)
    assert dashboard_charts(dashboard(site[0]), memo) is first
    assert first.movement is not None
    assert first.movement.since.forecast.period.label == "2018-08"
    assert [(s.label, s.amount, s.total_after) for s in first.movement.steps] == [
        ("Staffing", Decimal("44000.00"), Decimal("652950.00"))
    ]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        (VEGA_BUNDLE, "text/javascript"),
        ("carecast-charts.js", "text/javascript"),
        ("charts.css", "text/css"),
        (VEGA_BUNDLE.removesuffix(".min.js") + ".LICENSE.txt", "text/plain"),
    ],
)
def test_the_chart_scripts_are_served_from_the_package(
    site: tuple[Settings, int], name: str, content_type: str
) -> None:
    response = client(site[0]).get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert response.content == (STATIC / name).read_bytes()


def test_the_dashboard_loads_the_chart_scripts_from_this_site(site: tuple[Settings, int]) -> None:
    page = _page(site[0])
    scripts = [s.get("src") for s in page.xpath("//script[@src]")]
    assert f"/static/{VEGA_BUNDLE}" in " ".join(scripts)
    assert all(src.startswith(("/static/", "https://testserver/static/")) for src in scripts)


def test_the_bundle_is_the_vega_lite_release_altair_writes_for() -> None:
    import altair as alt

    bundle = (STATIC / VEGA_BUNDLE).read_text(encoding="utf-8")
    assert alt.SCHEMA_VERSION == "v6.4.1"
    assert '"6.4.1"' in bundle  # Vega-Lite's version, as the bundle states it
    assert '"6.2.0"' in bundle  # Vega's
    assert "expressionInterpreter" in bundle  # drawn without eval, under the page's CSP


def test_a_sparkline_skips_a_close_that_did_not_forecast_the_line() -> None:
    """Four closes, 90 px between the first and last: 30 px apart; £1 to £4 spans 18 px."""
    svg = str(
        sparkline(
            "spark-x",
            "X",
            ["P1", "P2", "P3", "P4"],
            [Decimal(1), Decimal(2), None, Decimal(4)],
        )
    )
    assert 'points="3.0,21.0 33.0,15.0 93.0,3.0"' in svg
    assert '<title id="spark-x-title">X: P1 £1; P2 £2; P3 not forecast; P4 £4</title>' in svg


def test_the_dashboard_keeps_a_snapshot_until_it_is_withdrawn(
    settings: Settings, tmp_path: Path
) -> None:
    """An open store keeps the snapshot a dashboard shows (it never changes), keyed by whether it
    has been withdrawn: a withdrawal shows at once."""
    from carecast.services.forecasting import withdraw_forecast
    from carecast.services.setup import open_store

    snapshot_id = forecast_small_council(settings, tmp_path)
    store = open_store(settings)
    first = dashboard(store, snapshot_id=snapshot_id)
    assert dashboard(store, snapshot_id=snapshot_id).snapshot is first.snapshot  # kept
    withdraw_forecast(settings, snapshot_id, "the ledger was incomplete")
    after = dashboard(store, snapshot_id=snapshot_id)
    assert after.snapshot.withdrawal is not None
    assert after.snapshot.withdrawal.reason == "the ledger was incomplete"
