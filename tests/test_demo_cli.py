"""`carecast demo` builds the demo council through the user's import path and runs every close of
the year to date, so that movements, the fan chart and the track record work straight away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from carecast.store.schema import forecast_snapshots
from tests.storehelp import dump
from tests.test_cli import carecast


def demo(cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """`carecast demo` in its own process. Six closes and the report take about a minute on an
    idle machine; the limit leaves room for a busy one."""
    env = {**os.environ, "CARECAST_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "carecast", "demo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_the_demo_builds_imports_forecasts_and_rebuilds_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    first = demo(tmp_path, database_url)
    assert first.returncode == 0, first.stderr
    assert "Demo Borough (fictional)" in first.stdout
    assert "Total" in first.stdout
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert (tmp_path / "demo" / "extracts" / "2018-09" / "placement_costs.csv").exists()
    for suffix in ("html", "pdf", "docx", "xlsx"):
        assert (tmp_path / "out" / f"carecast-report-2018-09.{suffix}").stat().st_size > 0

    # Every close of 2018-19 to date, April to September, each as known at its own close.
    period = list(forecast_snapshots.columns.keys()).index("period")
    closes = sorted(row[period] for row in dump(database_url)["forecast_snapshots"])
    assert closes == ["2018-04", "2018-05", "2018-06", "2018-07", "2018-08", "2018-09"]
    moved = carecast("movements", cwd=tmp_path, database_url=database_url)
    assert moved.returncode == 0, moved.stderr
    assert "2018-08 → 2018-09" in moved.stdout
    report = (tmp_path / "out" / "carecast-report-2018-09.html").read_text(encoding="utf-8")
    assert 'id="track_record"' in report  # six forecasts of the year to show
    assert 'id="movement"' in report

    forecast = json.loads(
        carecast(
            "forecast", "--period", "2018-09", "--json", cwd=tmp_path, database_url=database_url
        ).stdout
    )
    # Shaped like the case study: a £41.6m budget heading for an overspend of several £m.
    assert forecast["budget"] == 41_600_000.0
    assert 5_000_000 < forecast["variance"] < 20_000_000
    assert f"£{forecast['budget']:,.0f}" in summary
    ifa = next(x for x in forecast["lines"] if x["service_line"] == "placements_ifa")
    assert 150 < ifa["children"] < 260
    assert 700 < ifa["average_weekly_cost"] < 1200

    _the_demo_councils_plan_and_the_case_study_scenarios(tmp_path, database_url)

    batches_before = len(dump(database_url)["import_batches"])
    second = demo(tmp_path, database_url)
    assert second.returncode == 0, second.stderr
    tables = dump(database_url)
    assert len(tables["councils"]) == 1
    assert len(tables["import_batches"]) == batches_before
    assert len(tables["forecast_snapshots"]) == 6


EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def _the_demo_councils_plan_and_the_case_study_scenarios(cwd: Path, database_url: str) -> None:
    """The medium-term plan of the demo council and the case study's two scenarios on it: savings
    of the case study's order (about £3.4m at the neighbours' rate with the case study's own
    figures, just over £0.5m with agency at 11%), each explained."""
    plan = carecast(
        "project", "--years", "2", "--paths", "200", "--json", cwd=cwd, database_url=database_url
    )
    assert plan.returncode == 0, plan.stderr
    years = json.loads(plan.stdout)["years"]
    assert [y["financial_year"] for y in years] == ["2018-19", "2019-20", "2020-21"]
    first = years[0]
    # posted to September and projected from October: beside the monthly forecast's £53–54m
    assert 48_000_000 < first["cost"]["central"] < 58_000_000
    assert first["budget"] == 41_600_000.0
    for year in years:
        assert year["cost"]["p10"] <= year["cost"]["central"] <= year["cost"]["p90"]
        staffing = next(x for x in year["lines"] if x["service_line"] == "staffing")
        assert staffing["central"] > 0

    agency = carecast(
        "project",
        "--years",
        "3",
        "--paths",
        "200",
        "--json",
        "--scenario",
        str(EXAMPLES / "agency_11.toml"),
        cwd=cwd,
        database_url=database_url,
    )
    assert agency.returncode == 0, agency.stderr
    result = json.loads(agency.stdout)
    assert result["scenario"]["name"] == "agency-11"
    assert [y["financial_year"] for y in result["baseline"]][:3] == [
        "2018-19",
        "2019-20",
        "2020-21",
    ]
    # the demo's 355 filled FTE, 31% agency: 72 FTE made permanent in 2020-21, the full year
    full = result["saving"][2]
    assert 300_000 < full["central"] < 700_000
    words = result["scenario"]["levers"][0]["years"][2]["arithmetic"]
    assert "agency premium" in words

    rate = carecast(
        "project",
        "--years",
        "2",
        "--paths",
        "200",
        "--json",
        "--scenario",
        str(EXAMPLES / "neighbours_rate.yaml"),
        cwd=cwd,
        database_url=database_url,
    )
    assert rate.returncode == 0, rate.stderr
    result = json.loads(rate.stdout)
    assert result["assumptions"]["rates"]["statistical_neighbours"] > 0
    assert 1_000_000 < result["saving"][1]["mean"] < 8_000_000
    assert (
        "fewer children looked after on average"
        in (result["scenario"]["levers"][0]["years"][1]["arithmetic"])
    )
