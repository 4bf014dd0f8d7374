"""Every forecast is a new, immutable snapshot; earlier snapshots never change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.services import import_paths, latest_forecast, run_forecast
from tests.fixtures_small import EXPECTED_OUTTURN, write_small_council
from tests.storehelp import dump


@pytest.fixture
def small_council(settings: Settings, tmp_path: Path) -> Settings:
    import_paths(settings, [write_small_council(tmp_path / "council")], date(2018, 9, 30))
    return settings


def test_the_stored_snapshot_holds_the_hand_computed_forecast(small_council: Settings) -> None:
    snapshot = run_forecast(small_council, Period.parse("2018-09"))
    outturn = {
        line.service_line.value: float(line.forecast_outturn) for line in snapshot.forecast.lines
    }
    assert outturn == EXPECTED_OUTTURN
    assert float(snapshot.forecast.budget) == 740000.0
    assert snapshot.forecast.knowledge_date == date(2018, 10, 15)


def test_a_second_forecast_is_a_new_snapshot_and_the_first_is_untouched(
    small_council: Settings,
) -> None:
    first = run_forecast(small_council, Period.parse("2018-09"))
    tables_before = dump(small_council.database_url)
    second = run_forecast(small_council, Period.parse("2018-09"))
    assert second.snapshot_id != first.snapshot_id
    after = dump(small_council.database_url)
    for table in ("forecast_snapshots", "forecast_lines"):
        assert all(row in after[table] for row in tables_before[table])
    assert latest_forecast(small_council).snapshot_id == second.snapshot_id


def test_the_database_refuses_to_alter_a_snapshot(small_council: Settings) -> None:
    run_forecast(small_council, Period.parse("2018-09"))
    engine = sa.create_engine(small_council.database_url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="immutable"), engine.begin() as connection:
            connection.execute(sa.text("update forecast_lines set forecast_outturn_pence = 0"))
    finally:
        engine.dispose()


def test_the_default_period_is_the_latest_with_ledger_data(small_council: Settings) -> None:
    assert run_forecast(small_council).forecast.period == Period.parse("2018-09")


def test_a_forecast_only_sees_data_known_by_its_close(small_council: Settings) -> None:
    # The files were imported as of 30 September, after the August close window (15 September).
    with pytest.raises(Exception, match="nothing was known"):
        run_forecast(small_council, Period.parse("2018-08"))


def test_the_build_up_interval_assumptions_and_actions_read_back_unchanged(
    small_council: Settings,
) -> None:
    snapshot = run_forecast(small_council, Period.parse("2018-09"))
    again = latest_forecast(small_council)
    forecast, stored = snapshot.forecast, again.forecast
    assert stored.items == forecast.items
    assert stored.items
    assert stored.components == forecast.components
    assert (stored.p10, stored.p90) == (forecast.p10, forecast.p90)
    assert stored.p10 is not None
    assert stored.p90 is not None
    assert stored.p10 <= stored.forecast_outturn <= stored.p90
    assert stored.assumptions["used"]["intervals"]["paths"] == 1000
    assert stored.actions == forecast.actions
    for line in stored.lines:
        items = sum(i.committed for i in stored.items if i.service_line is line.service_line)
        parts = sum(
            c.amount
            for c in stored.components
            if c.service_line is line.service_line and c.part == "committed"
        )
        assert line.committed == items + parts


@pytest.mark.parametrize("table", ["forecast_items", "forecast_components", "forecast_snapshots"])
def test_the_database_refuses_to_alter_a_snapshots_build_up(
    small_council: Settings, table: str
) -> None:
    run_forecast(small_council, Period.parse("2018-09"))
    engine = sa.create_engine(small_council.database_url)
    column = {"forecast_items": "committed_pence", "forecast_components": "amount_pence"}.get(
        table, "p10_pence"
    )
    try:
        with pytest.raises(sa.exc.DatabaseError, match="immutable"), engine.begin() as connection:
            connection.execute(sa.text(f"update {table} set {column} = 0"))
    finally:
        engine.dispose()
