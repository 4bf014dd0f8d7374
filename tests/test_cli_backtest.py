"""`carecast backtest` on the demo council: its fast-growth year 2017-18, replayed close by close.

The demo is built once for the module, on SQLite (the demo's PostgreSQL run is in test_demo_cli).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from carecast.cli import run
from tests.storehelp import dump
from tests.test_cli import carecast

CONTRACT_KEYS = {"financial_year", "actual_outturn", "periods"}
PERIOD_KEYS = {"period", "forecast_outturn", "error_pct", "baselines"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'carecast.db'}"
    built = carecast("demo", cwd=folder, database_url=url)
    assert built.returncode == 0, built.stderr
    return folder, url


@pytest.fixture(scope="module")
def backtest_json(demo: tuple[Path, str]) -> dict[str, Any]:
    folder, url = demo
    before = dump(url)
    result = carecast(
        "backtest", "--financial-year", "2017-18", "--json", cwd=folder, database_url=url
    )
    assert result.returncode == 0, result.stderr
    assert dump(url) == before  # nothing stored: the demo keeps its one snapshot
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_the_json_follows_the_contract_with_whole_year_and_line_figures(
    backtest_json: dict[str, Any],
) -> None:
    assert set(backtest_json) >= CONTRACT_KEYS
    assert backtest_json["financial_year"] == "2017-18"
    periods = backtest_json["periods"]
    assert [p["period"] for p in periods] == [
        *(f"2017-{m:02d}" for m in range(4, 13)),
        *(f"2018-{m:02d}" for m in range(1, 4)),
    ]
    outturn = backtest_json["actual_outturn"]
    lines = {x["service_line"]: x["actual_outturn"] for x in backtest_json["lines"]}
    assert sum(lines.values()) == pytest.approx(outturn, abs=0.05)
    for period in periods:
        assert set(period) >= PERIOD_KEYS
        assert {"commitments_only", "straight_line", "budget"} <= set(period["baselines"])
        expected = (period["forecast_outturn"] - outturn) / outturn * 100
        assert period["error_pct"] == pytest.approx(expected, abs=0.001)
        by_line = {x["service_line"]: x for x in period["lines"]}
        assert set(by_line) >= {"staffing", "placements_ifa", "placements_residential"}
        assert sum(x["forecast_outturn"] for x in by_line.values()) == pytest.approx(
            period["forecast_outturn"], abs=0.5
        )
        assert all(by_line[k]["actual_outturn"] == lines[k] for k in lines if k in by_line)
        if period["p10"] is not None:
            inside = period["p10"] <= outturn <= period["p90"]
            assert period["within_interval"] is inside
    held = [p["within_interval"] for p in periods[:11] if p["within_interval"] is not None]
    assert backtest_json["interval_coverage"] == (sum(held) / len(held) if held else None)
    # At the last close the year's ledger is complete: every method but the budget is exact.
    final = periods[-1]
    assert final["error_pct"] == pytest.approx(0, abs=0.01)
    assert final["baseline_error_pct"]["straight_line"] == pytest.approx(0, abs=0.01)


def test_the_fast_growth_year_shows_carecast_beside_commitments_only(
    backtest_json: dict[str, Any],
) -> None:
    """2017-18 is the demo's year of fast growth: the commitments-only method misses the children
    who have not arrived yet, so before the year end it under-forecasts at every close."""
    outturn, budget = backtest_json["actual_outturn"], backtest_json["budget"]
    assert outturn > budget * 1.2  # a year that overspent by more than a fifth
    early = [p for p in backtest_json["periods"] if p["period_number"] <= 9]
    assert all(p["baselines"]["commitments_only"] < outturn for p in early)
    assert all(p["baseline_error_pct"]["budget"] < -15 for p in early)
    # carecast's demand allowance counts the children still to come: closer at P3 and P6.
    for period in (early[2], early[5]):
        assert abs(period["error_pct"]) < abs(period["baseline_error_pct"]["commitments_only"])


def test_the_table_shows_each_close_beside_the_baselines(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _folder, url = demo
    assert run(["backtest", "--financial-year", "2017-18", "--database-url", url]) == 0
    shown = capsys.readouterr().out
    for text in ("backtest of 2017-18", "Commitments only", "Straight line", "P6 2017-09"):
        assert text in shown


def test_the_current_unfinished_year_is_refused(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _folder, url = demo
    assert run(["backtest", "--financial-year", "2018-19", "--database-url", url]) == 1
    assert "2018-19 is not complete" in capsys.readouterr().err
    assert run(["backtest", "--financial-year", "2017", "--database-url", url]) == 2
    assert "write it like 2018-19" in capsys.readouterr().err
