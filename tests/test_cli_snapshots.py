"""`carecast forecast` refusing or flagging a close, and `carecast snapshots` listing and
withdrawing snapshots, through the command line on SQLite and PostgreSQL with the small council of
tests/fixtures_small.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.errors import NotFound
from carecast.services import import_paths, latest_forecast
from carecast.services.movements import explain
from carecast.services.setup import council_transaction
from carecast.store.snapshots import load_snapshot
from tests.fixtures_small import FILES, MONTHS

ONLY_SEPTEMBER = {
    **FILES,
    "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION\n" + MONTHS[-1],
}


def import_files(settings: Settings, folder: Path, files: dict[str, str]) -> str:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_paths(settings, [folder], date(2018, 9, 30))
    return settings.database_url


@pytest.fixture
def council(settings: Settings, tmp_path: Path) -> str:
    """The small council, every period of the ledger to September posted."""
    return import_files(settings, tmp_path / "sep", FILES)


@pytest.fixture
def incomplete(settings: Settings, tmp_path: Path) -> str:
    """The small council with a ledger holding September only."""
    return import_files(settings, tmp_path / "sep", ONLY_SEPTEMBER)


def cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--database-url", url])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], url: str) -> list[dict[str, Any]]:
    code, out, _ = cli(capsys, url, "snapshots", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["council"] == "Test Borough"
    snapshots: list[dict[str, Any]] = document["snapshots"]
    return snapshots


def forecast_id(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> int:
    code, out, err = cli(capsys, url, "forecast", *args, "--json")
    assert code == 0, err
    snapshot_id: int = json.loads(out)["snapshot_id"]
    return snapshot_id


def test_a_ledger_with_missing_periods_is_refused_line_by_line_and_nothing_is_stored(
    incomplete: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, incomplete, "forecast", "--period", "2018-09")
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "ledger-periods-missing: the ledger holds no actuals for 2018-04 … 2018-08 of 2018-19: "
        "import those periods' gl_actuals, or rerun with --allow-incomplete to forecast anyway "
        "(the forecast will be flagged)",
        "1 problem(s) with the data behind this close; nothing was stored.",
    ]
    assert listed(capsys, incomplete) == []


def test_allow_incomplete_forecasts_and_flags_it_in_the_json_the_table_and_the_store(
    incomplete: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, incomplete, "forecast", "--allow-incomplete", "--json")
    assert code == 0, err
    [flag] = json.loads(out)["readiness"]
    assert (flag["code"], flag["severity"]) == ("ledger-periods-missing", "flag")
    assert flag["message"].startswith("the ledger holds no actuals for 2018-04 … 2018-08")
    code, out, _ = cli(capsys, incomplete, "forecast", "--allow-incomplete")
    assert code == 0
    assert "FLAGGED (1)" in out
    assert "Flagged ledger-periods-missing: the ledger holds no actuals" in out
    assert [s["flags"] for s in listed(capsys, incomplete)] == [1, 1]


def test_a_complete_close_carries_no_flags(
    council: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, council, "forecast", "--json")
    assert code == 0
    assert json.loads(out)["readiness"] == []


def test_a_period_beyond_the_data_is_refused_by_forecast_and_reconcile_and_changes_no_default(
    council: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("forecast", "reconcile"):
        for extra in ((), ("--allow-incomplete",)) if command == "forecast" else ((),):
            code, out, err = cli(capsys, council, command, "--period", "2019-09", *extra)
            assert code == 1
            assert out == ""
            assert err.startswith("period-beyond-data: period 2019-09 is beyond the data known")
            assert err.splitlines()[-1].endswith("nothing was stored.")
    assert listed(capsys, council) == []
    code, out, _ = cli(capsys, council, "forecast", "--json")
    assert code == 0
    assert json.loads(out)["period"] == "2018-09"


def test_snapshots_lists_each_snapshot_with_its_totals(
    council: str, capsys: pytest.CaptureFixture[str]
) -> None:
    august = forecast_id(capsys, council, "--period", "2018-08", "--as-of", "2018-09-30")
    code, out, _ = cli(capsys, council, "forecast", "--json")
    september = json.loads(out)
    found = listed(capsys, council)
    assert [(s["snapshot_id"], s["period"]) for s in found] == [
        (august, "2018-08"),
        (september["snapshot_id"], "2018-09"),
    ]
    latest = found[-1]
    assert latest["knowledge_date"] == "2018-10-15"
    assert latest["financial_year"] == "2018-19"
    assert latest["budget"] == 740000.0
    assert latest["forecast_outturn"] == september["forecast_outturn"]
    assert latest["variance"] == september["variance"]
    assert (latest["flags"], latest["withdrawn"], latest["withdrawal"]) == (0, False, None)
    assert latest["method"]
    code, out, _ = cli(capsys, council, "snapshots")
    assert code == 0
    assert "Forecast snapshots for Test Borough (999)" in out
    assert "2018-08" in out


def test_a_withdrawn_snapshot_is_kept_listed_and_never_again_the_default(
    council: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    august = forecast_id(capsys, council, "--period", "2018-08", "--as-of", "2018-09-30")
    kept = forecast_id(capsys, council, "--period", "2018-09")
    wrong = forecast_id(capsys, council, "--period", "2018-09")
    code, out, err = cli(
        capsys, council, "snapshots", "withdraw", str(wrong), "--reason", "ran on a stale ledger"
    )
    assert code == 0, err
    assert out.startswith(f"Withdrew snapshot {wrong} (2018-09, made ")
    found = {s["snapshot_id"]: s for s in listed(capsys, council)}
    assert set(found) == {august, kept, wrong}
    assert found[wrong]["withdrawn"] is True
    assert found[wrong]["withdrawal"]["reason"] == "ran on a stale ledger"
    assert found[kept]["withdrawn"] is False
    code, out, _ = cli(capsys, council, "snapshots")
    assert "ran on a stale ledger" in out
    # Every default skips it: the latest forecast, and the pair movements compares.
    assert latest_forecast(settings).snapshot_id == kept
    assert latest_forecast(settings, Period(2018, 9)).snapshot_id == kept
    previous, current, _ = explain(settings)
    assert (previous.snapshot_id, current.snapshot_id) == (august, kept)
    # Still there to read by its number, marked.
    with council_transaction(settings) as (connection, owner):
        withdrawn = load_snapshot(connection, owner, wrong)
    assert withdrawn.withdrawal is not None
    assert withdrawn.withdrawal.reason == "ran on a stale ledger"
    assert latest_forecast(settings).withdrawal is None
    # With August withdrawn too there is no earlier forecast to compare September with.
    assert cli(capsys, council, "snapshots", "withdraw", str(august), "--reason", "x")[0] == 0
    code, _, err = cli(capsys, council, "movements")
    assert code == 1
    assert "no forecast for a period of 2018-19 before 2018-09" in err


def test_a_period_whose_every_snapshot_is_withdrawn_has_no_default_forecast(
    council: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    only = forecast_id(capsys, council, "--period", "2018-09")
    assert cli(capsys, council, "snapshots", "withdraw", str(only), "--reason", "wrong")[0] == 0
    with pytest.raises(
        NotFound, match="every forecast stored for period 2018-09 has been withdrawn"
    ):
        latest_forecast(settings, Period(2018, 9))
    code, _, err = cli(capsys, council, "movements")
    assert code == 1
    assert "has been withdrawn" in err


def test_withdrawing_an_unknown_or_withdrawn_snapshot_or_without_a_reason_is_a_clear_error(
    council: str, capsys: pytest.CaptureFixture[str]
) -> None:
    only = forecast_id(capsys, council)
    code, out, err = cli(capsys, council, "snapshots", "withdraw", "99", "--reason", "typo")
    assert (code, out) == (1, "")
    assert err.strip() == (
        f"there is no forecast snapshot 99 for Test Borough (the latest are {only}); "
        "'carecast snapshots' lists them; nothing was withdrawn"
    )
    code, _, err = cli(capsys, council, "snapshots", "withdraw", str(only), "--reason", "  ")
    assert code == 2
    assert "--reason must say why" in err
    assert cli(capsys, council, "snapshots", "withdraw", str(only), "--reason", "first")[0] == 0
    code, _, err = cli(capsys, council, "snapshots", "withdraw", str(only), "--reason", "again")
    assert code == 2
    assert f"snapshot {only} (2018-09) was already withdrawn" in err
    assert "(first)" in err
    assert [s["withdrawal"]["reason"] for s in listed(capsys, council)] == ["first"]
    assert cli(capsys, council, "snapshots", "withdraw", str(only))[0] == 2


def test_the_database_refuses_to_alter_a_withdrawal(
    council: str, capsys: pytest.CaptureFixture[str]
) -> None:
    only = forecast_id(capsys, council)
    assert cli(capsys, council, "snapshots", "withdraw", str(only), "--reason", "wrong")[0] == 0
    engine = sa.create_engine(council)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="permanent"), engine.begin() as connection:
            connection.execute(sa.text("update snapshot_withdrawals set reason = 'fine after all'"))
    finally:
        engine.dispose()
