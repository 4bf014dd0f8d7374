"""End to end through the real command line: init → import → forecast, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_small import EXPECTED_OUTTURN, write_small_council
from tests.storehelp import dump

CONTRACT_KEYS = {
    "council",
    "period",
    "financial_year",
    "budget",
    "forecast_outturn",
    "variance",
    "p10",
    "p90",
    "lines",
}
LINE_KEYS = {
    "service_line",
    "budget",
    "actual_to_date",
    "committed",
    "demand_allowance",
    "forecast_outturn",
    "p10",
    "p90",
    "children",
    "average_weekly_cost",
}


def carecast(
    *args: str, cwd: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CARECAST_DATABASE_URL"}
    if database_url:
        env["CARECAST_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "carecast", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_monthly_close_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    folder = write_small_council(tmp_path / "extract")
    init = carecast(
        "init",
        "--council",
        "Test Borough",
        "--la-code",
        "999",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert init.returncode == 0, init.stderr
    imported = carecast(
        "import", str(folder), "--as-of", "2018-09-30", cwd=tmp_path, database_url=database_url
    )
    assert imported.returncode == 0, imported.stderr
    assert "Imported" in imported.stdout
    result = carecast(
        "forecast", "--period", "2018-09", "--json", cwd=tmp_path, database_url=database_url
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) >= CONTRACT_KEYS
    assert document["council"] == "Test Borough"
    assert (document["period"], document["financial_year"]) == ("2018-09", "2018-19")
    assert document["budget"] == 740000.0
    assert document["forecast_outturn"] == sum(EXPECTED_OUTTURN.values())
    assert document["variance"] == sum(EXPECTED_OUTTURN.values()) - 740000.0
    assert all(set(line) == LINE_KEYS for line in document["lines"])
    assert {x["service_line"]: x["forecast_outturn"] for x in document["lines"]} == EXPECTED_OUTTURN
    table = carecast("forecast", cwd=tmp_path, database_url=database_url)
    assert table.returncode == 0
    assert "Independent fostering agencies" in table.stdout


def test_the_database_url_option_overrides_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = carecast(
        "init", "--council", "X", "--la-code", "1", "--database-url", url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere.db").exists()
    assert not (tmp_path / "carecast.db").exists()


def test_invalid_input_exits_1_with_located_lines_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    folder = write_small_council(tmp_path / "extract")
    (folder / "gl_actuals.csv").write_text(
        "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-09,SW1,1000,12o0\n2018-9,SW1,1000,1\n"
    )
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC\nC1,2018-02-30,S,C2,N1,U4,PR1,\n"
    )
    carecast("init", "--council", "T", "--la-code", "9", cwd=tmp_path, database_url=database_url)
    before = dump(database_url)
    result = carecast(
        "import", str(folder), "--as-of", "2018-09-30", cwd=tmp_path, database_url=database_url
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:-1] == [
        f"{folder / 'episodes.csv'}:1:REC: missing-column: this looks like a SSDA903 episodes file "
        "but has no REC column; add it",
        f"{folder / 'gl_actuals.csv'}:2:AMOUNT: bad-number: '12o0' is not an amount in pounds; "
        "write it like 1234.56 or £1,234.56",
        f"{folder / 'gl_actuals.csv'}:3:PERIOD: bad-period: '2018-9' is not a period; write it as "
        "YYYY-MM, like 2018-09",
    ]
    assert lines[-1] == "3 problem(s) found; nothing was imported."
    assert dump(database_url) == before


def test_serve_refuses_a_store_that_was_never_initialised(tmp_path: Path) -> None:
    result = carecast("serve", "--port", "8999", cwd=tmp_path)
    assert result.returncode == 2
    assert "carecast init" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "--period", "2018-13"),
        ("import", "x.csv", "--as-of", "30/09/2018"),
        ("import", "x.csv"),
        ("frobnicate",),
    ],
)
def test_wrong_usage_exits_2(args: tuple[str, ...], tmp_path: Path) -> None:
    carecast("init", "--council", "T", "--la-code", "9", cwd=tmp_path)
    assert carecast(*args, cwd=tmp_path).returncode == 2


def test_a_command_on_a_store_that_was_never_initialised_says_what_to_do(tmp_path: Path) -> None:
    result = carecast("forecast", cwd=tmp_path)
    assert result.returncode == 2
    assert "carecast init" in result.stderr
