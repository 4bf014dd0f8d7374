"""`carecast demo` builds the demo council through the user's import path and runs the close."""

from __future__ import annotations

import json
from pathlib import Path

from tests.storehelp import dump
from tests.test_cli import carecast


def test_the_demo_builds_imports_forecasts_and_rebuilds_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    first = carecast("demo", cwd=tmp_path, database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert "Demo Borough (fictional)" in first.stdout
    assert "Total" in first.stdout
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert (tmp_path / "demo" / "extracts" / "2018-09" / "placement_costs.csv").exists()
    for suffix in ("html", "pdf", "docx", "xlsx"):
        assert (tmp_path / "out" / f"carecast-report-2018-09.{suffix}").stat().st_size > 0

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
    second = carecast("demo", cwd=tmp_path, database_url=database_url)
    assert second.returncode == 0, second.stderr
    tables = dump(database_url)
    assert len(tables["councils"]) == 1
    assert len(tables["import_batches"]) == batches_before
    assert len(tables["forecast_snapshots"]) == 1
