"""benchmark_council: published figures for any council, the store's own beside them for its own
council (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecast.benchmarking.estimate import arithmetic
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.errors import NotFound, StoreNotReady
from carecast.services import import_paths, init_store, run_forecast
from carecast.services.benchmark import benchmark_council, reference_folder
from tests.fixtures_small import write_small_council


@pytest.fixture
def lewisham_store(database_url: str, tmp_path: Path) -> Settings:
    """A store whose council has Lewisham's code, the small council's files, and a forecast."""
    settings = Settings(database_url=database_url, reference_dir=tmp_path / "reference")
    init_store(settings, "Test Borough", "209")
    import_paths(settings, [write_small_council(tmp_path / "extract")], date(2018, 9, 30))
    run_forecast(settings, Period(2018, 9))
    return settings


def test_the_stores_council_is_benchmarked_with_its_own_figures(lewisham_store: Settings) -> None:
    result = benchmark_council(lewisham_store)
    assert result.la_code == "209"
    assert result.own is not None
    assert (result.own.name, result.own.known_on) == ("Test Borough", date(2018, 9, 30))
    workforce = result.section("workforce").rows
    own = [r for r in workforce if r.own is not None]
    # One agency post and nothing else: 100% agency, and 100% of posts not held by an employee.
    assert [(r.year, r.own.value) for r in own if r.own] == [
        ("2018", Decimal(100)),
        ("2018", Decimal(100)),
    ]
    mix = {
        r.measure: r.own.value for r in result.section("placement_mix").rows if r.own is not None
    }
    # C1 in a U4 foster placement with PR4, C2 in a K2 children's home with PR4.
    assert mix["Foster placements (%)"] == Decimal(50)
    assert mix["Placed with private or voluntary providers (%)"] == Decimal(100)


def test_the_own_estimate_uses_the_forecasts_average_weekly_cost(lewisham_store: Settings) -> None:
    result = benchmark_council(lewisham_store)
    estimate = next(e for e in result.estimates if e.basis == "own data")
    # IFA £910 a week (1 child) and residential £3,500 (1 child): £2,205 on average.
    assert estimate.average_weekly_cost.value == Decimal("2205.00")
    # Two children on 30 September 2018 against the neighbours' 2018 rate: far fewer, so the
    # neighbours' rate would cost more (a negative difference).
    assert estimate.neighbours_rate.source.year == "31 March 2018"
    assert estimate.children_fewer < 0
    values = [
        f.value
        for f in (
            estimate.council_rate,
            estimate.neighbours_rate,
            estimate.population,
            estimate.average_weekly_cost,
        )
    ]
    assert (estimate.children_fewer, estimate.annual_difference) == arithmetic(
        *(v for v in values if v is not None)
    )


def test_asking_for_the_stores_council_by_code_also_brings_its_own_figures(
    lewisham_store: Settings,
) -> None:
    assert benchmark_council(lewisham_store, "E09000023").own is not None
    assert benchmark_council(lewisham_store, "208").own is None  # Lambeth: published only


def test_a_council_the_reference_data_does_not_know_is_not_found(settings: Settings) -> None:
    # The settings fixture's council has the made-up code 999.
    with pytest.raises(NotFound, match="no council with code 999"):
        benchmark_council(settings)


def test_any_council_can_be_benchmarked_without_a_store(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'none.db'}")
    result = benchmark_council(settings, "209")
    assert result.own is None
    assert not (tmp_path / "none.db").exists()  # looking did not create a store
    with pytest.raises(StoreNotReady):
        benchmark_council(settings)


def test_imported_releases_live_beside_a_sqlite_store_by_default(tmp_path: Path) -> None:
    beside = Settings(database_url=f"sqlite:///{tmp_path / 'carecast.db'}")
    assert reference_folder(beside) == tmp_path / "carecast-reference"
    chosen = Settings(database_url="sqlite:///x.db", reference_dir=tmp_path / "mine")
    assert reference_folder(chosen) == tmp_path / "mine"
    remote = Settings(database_url="postgresql+psycopg://u@h/db")
    assert reference_folder(remote).parts[-2:] == ("carecast", "reference")
