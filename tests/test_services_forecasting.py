"""The forecast, movements and reconciliation use cases on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.errors import InvalidInput
from carecast.forecast.assumptions import Assumptions, StaffingAssumptions
from carecast.services import import_paths, run_forecast
from carecast.services.forecasting import read_assumptions
from carecast.services.movements import explain, reconciliation
from tests.fixtures_small import FILES, MONTHS

AUGUST = {
    **FILES,
    # At the August close the ledger runs to August, and C3 has not arrived yet.
    "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION\n" + "".join(MONTHS[:5]),
}
SEPTEMBER = {
    **FILES,
    "header.csv": FILES["header.csv"] + "C3,1,01/03/2009,WBRI,,,\n",
    "episodes.csv": FILES["episodes.csv"] + "C3,01/09/2018,S,C2,N1,U4,PR5,,,,,,\n",
    # C1's agency raised its price from £910 to £950; C3 came in at £1,050.
    "placement_costs.csv": FILES["placement_costs.csv"].replace(",910,", ",950,")
    + "C3,placements_ifa,Agency,2018-09-01,,1050,,IFA1\n",
}


def import_month(settings: Settings, folder: Path, files: dict[str, str], as_of: date) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_paths(settings, [folder], as_of)


@pytest.fixture
def two_closes(settings: Settings, tmp_path: Path) -> Settings:
    import_month(settings, tmp_path / "aug", AUGUST, date(2018, 8, 31))
    import_month(settings, tmp_path / "sep", SEPTEMBER, date(2018, 9, 30))
    return settings


def test_the_snapshot_keeps_the_assumptions_used_and_the_build_up(two_closes: Settings) -> None:
    given = Assumptions(staffing=StaffingAssumptions(months_to_fill_vacancy=2))
    snapshot = run_forecast(two_closes, Period.parse("2018-09"), assumptions=given)
    forecast = snapshot.forecast
    assert forecast.assumptions["given"]["staffing"]["months_to_fill_vacancy"] == 2
    # the ledger follows the care month by month: read as posted as the care happens
    timing = forecast.assumptions["used"]["placements"]["ledger_timing"]
    assert timing
    assert all(line["weights"] == [1.0, 0.0, 0.0] for line in timing.values())
    assert {i.key for i in forecast.items if i.kind == "placement"} == {"C1", "C2", "C3"}
    assert forecast.p10 is not None
    assert forecast.p90 is not None
    assert forecast.p10 <= forecast.forecast_outturn <= forecast.p90


def test_movements_explain_the_change_between_two_closes_to_the_penny(
    two_closes: Settings,
) -> None:
    before = run_forecast(two_closes, Period.parse("2018-08"))
    after = run_forecast(two_closes, Period.parse("2018-09"))
    previous, current, result = explain(two_closes, Period.parse("2018-09"))
    assert (previous.snapshot_id, current.snapshot_id) == (before.snapshot_id, after.snapshot_id)
    drivers = result.by_driver()
    assert (
        sum(drivers.values()) == after.forecast.forecast_outturn - before.forecast.forecast_outturn
    )
    # C3 arrived: 182 days at £1,050 = £27,300; C1's price rose £40 a week for 26 weeks.
    assert drivers["new_placements"] == Decimal("27300.00")
    assert drivers["price_changes"] == Decimal("1040.00")
    assert "assumption_changes" not in drivers


def test_a_change_of_assumptions_is_separated_from_the_change_in_the_data(
    two_closes: Settings,
) -> None:
    run_forecast(two_closes, Period.parse("2018-08"))
    given = Assumptions(staffing=StaffingAssumptions(leaver_rate_agency=0.5))
    after = run_forecast(two_closes, Period.parse("2018-09"), assumptions=given)
    _, _, result = explain(two_closes, Period.parse("2018-09"))
    drivers = result.by_driver()
    assert drivers["assumption_changes"] < 0  # the agency worker may now leave before March
    assert sum(drivers.values()) == result.change
    assert result.current.forecast_outturn == after.forecast.forecast_outturn


def test_reconciliation_at_a_close(two_closes: Settings) -> None:
    council, result = reconciliation(two_closes, Period.parse("2018-09"))
    assert council.name == "Test Borough"
    assert result.over_commitments == ()
    assert result.under_reported == ()
    assert {c.cost_centre for c in result.cost_centres} == {"IFA1", "RES1"}


def test_an_assumptions_file_with_mistakes_names_each_one(tmp_path: Path) -> None:
    path = tmp_path / "assumptions.json"
    path.write_text('{"staffing": {"months_to_fill_vacancy": "soon", "extra": 1}}')
    with pytest.raises(InvalidInput) as refused:
        read_assumptions(path)
    lines = refused.value.lines()
    assert any(
        "staffing.months_to_fill_vacancy" in line and "assumptions-invalid" in line
        for line in lines
    )
    assert any("staffing.extra" in line for line in lines)


def test_the_command_line_forecasts_with_assumptions_then_explains_and_reconciles(
    two_closes: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", two_closes.database_url]
    assert run(["forecast", "--period", "2018-08", *url]) == 0
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"intervals": {"paths": 200}}))
    capsys.readouterr()
    assert run(["forecast", "--period", "2018-09", "--assumptions", str(path), "--json", *url]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["assumptions"]["used"]["intervals"]["paths"] == 200
    assert document["p10"] <= document["forecast_outturn"] <= document["p90"]
    assert "actions" in document
    assert run(["movements", "--period", "2018-09", "--json", *url]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert round(sum(moved["drivers"].values()), 2) == round(moved["change"], 2)
    assert run(["movements", *url]) == 0
    assert "Change in the forecast" in capsys.readouterr().out
    assert run(["reconcile", "--period", "2018-09", "--json", *url]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2018-09"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert run(["forecast", "--assumptions", str(bad), *url]) == 1


def test_rerunning_a_period_with_other_assumptions_moves_only_by_the_assumptions(
    two_closes: Settings,
) -> None:
    september = Period.parse("2018-09")
    first = run_forecast(two_closes, september)
    given = Assumptions(staffing=StaffingAssumptions(leaver_rate_agency=0.5))
    second = run_forecast(two_closes, september, assumptions=given)
    _, _, result = explain(two_closes, september, since=september)
    change = second.forecast.forecast_outturn - first.forecast.forecast_outturn
    assert change < 0
    assert result.by_driver() == {"assumption_changes": change}
