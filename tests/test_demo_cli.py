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

    batches_before = len(dump(database_url)["import_batches"])
    second = demo(tmp_path, database_url)
    assert second.returncode == 0, second.stderr
    tables = dump(database_url)
    assert len(tables["councils"]) == 1
    assert len(tables["import_batches"]) == batches_before
    assert len(tables["forecast_snapshots"]) == 6
