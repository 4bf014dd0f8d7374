"""Where the simulated paths run changes nothing (carecast/executors.py).

A forecast and a projection are run on small stores with one seed: in this process (serial), on
two local processes, and on a Dask cluster of two worker processes started here. The forecast's
figures agree to the penny and the projection's paths are the same arrays, because every block of
paths draws from its own stream spawned from the seed, wherever it runs. An unreachable scheduler
is one clear line and an exit status, never a traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from carecast import executors
from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.executors import LocalRunner, Runner, dask_runner, local_runner, make_runner
from carecast.projection.simulate import Paths
from carecast.services import import_paths, init_store, run_forecast
from carecast.services.projection import fit_and_project
from carecast.services.region import region_view
from tests.fixtures_small import write_small_council
from tests.test_cli_project import AS_OF, _small_council

if TYPE_CHECKING:
    from distributed import LocalCluster

SEED = 20180401


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes of one thread each: the smallest cluster that sends blocks apart."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as started:
        yield started


@pytest.fixture(scope="module")
def runners(cluster: LocalCluster) -> Iterator[dict[str, Runner]]:
    """serial, two local processes (always on the pool, however small the work) and Dask."""
    with (
        make_runner("local", workers=1) as one,
        local_runner(2, worth_seconds=0) as two,
        dask_runner(cluster.scheduler_address) as dask,
    ):
        yield {"serial": one, "local-2": two, "dask-2": dask}


@pytest.fixture(scope="module")
def forecast_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The small council of tests/fixtures_small.py, imported as known on 30 September 2018."""
    folder = tmp_path_factory.mktemp("forecast")
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}")
    init_store(settings, "Test Borough", "999")
    import_paths(settings, [write_small_council(folder / "inputs")], date(2018, 9, 30))
    return settings


@pytest.fixture(scope="module")
def projection_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The 90 children of tests/test_cli_project.py, 45 of them looked after on 31 March 2018."""
    folder = tmp_path_factory.mktemp("projection")
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}")
    init_store(settings, "Test Borough", "999")
    import_paths(settings, [_small_council(folder / "extract")], AS_OF)
    return settings


Figure = tuple[str, Decimal, Decimal | None, Decimal | None]


def _figures(settings: Settings, runner: Runner) -> list[Figure]:
    """The September close's figures: each line's outturn and 80% interval, and the total's."""
    forecast = run_forecast(settings, Period.parse("2018-09"), runner=runner).forecast
    lines = [(x.service_line, x.forecast_outturn, x.p10, x.p90) for x in forecast.lines]
    return [*lines, ("total", forecast.forecast_outturn, forecast.p10, forecast.p90)]


def test_the_forecast_is_the_same_to_the_penny_on_every_executor(
    forecast_store: Settings, runners: dict[str, Runner]
) -> None:
    by_executor = {name: _figures(forecast_store, runner) for name, runner in runners.items()}
    serial = by_executor["serial"]
    *_, (_, outturn, p10, p90) = serial
    assert p10 is not None
    assert p90 is not None
    assert p10 < outturn < p90  # 1,000 paths in ten blocks, really sampled
    assert by_executor["local-2"] == serial
    assert by_executor["dask-2"] == serial


def _arrays(paths: Paths) -> dict[str, np.ndarray]:
    fields = ("stock", "entries", "left", "turned_18", "placements_begun", "placed_since_start")
    return {name: getattr(paths, name) for name in fields}


def test_the_projection_paths_are_the_same_arrays_on_every_executor(
    projection_store: Settings, runners: dict[str, Runner]
) -> None:
    by_executor = {
        name: _arrays(
            fit_and_project(projection_store, 2, paths=300, seed=SEED, runner=r).projection.paths
        )
        for name, r in runners.items()
    }
    serial = by_executor["serial"]
    assert serial["stock"].shape[:2] == (25, 300)  # 24 month ends after the start, 300 paths
    assert int(serial["stock"][0].sum(axis=(1, 2))[0]) == 45  # every path starts from 45
    for name in ("local-2", "dask-2"):
        for field, values in by_executor[name].items():
            assert np.array_equal(values, serial[field]), (name, field)


@pytest.fixture(scope="module")
def region_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose carecast.db holds three councils of tests/test_cli_project.py's children
    and one with no data."""
    folder = tmp_path_factory.mktemp("region")
    store = f"sqlite:///{folder / 'carecast.db'}"
    for code, name in (("801", "North"), ("802", "South"), ("803", "Empty"), ("804", "West")):
        init_store(Settings(database_url=store), name, code)
    for code in ("801", "802", "804"):
        import_paths(
            Settings(database_url=store, council=code), [_small_council(folder / code)], AS_OF
        )
    return folder


def test_a_regions_councils_as_tasks_on_dask_give_what_this_process_gives(
    region_folder: Path, runners: dict[str, Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each council read, fitted and simulated whole by a Dask worker gives the same view,
    bands and councils left out, with why, as one after another here. The store is named
    relative to this process's folder, which is not the workers' (they started before the
    change of folder): its path is resolved before the work goes to them."""
    monkeypatch.chdir(region_folder)
    relative = Settings(database_url="sqlite:///carecast.db")
    here = region_view(relative, None, 2, paths=100)
    on_dask = region_view(relative, None, 2, paths=100, councils_on=runners["dask-2"])
    assert on_dask.as_json() == here.as_json()
    assert [c.la_code for c in on_dask.councils] == ["801", "802", "804"]
    assert [code for code, _why in on_dask.left_out] == ["803"]


def test_small_work_stays_in_this_process() -> None:
    """Ten blocks that take microseconds never start the pool: it would cost seconds."""
    with local_runner(2) as runner:
        assert runner(lambda block: block * block, range(10)) == [i * i for i in range(10)]
        assert runner._pool is None


def _closed_port() -> int:
    """A port nothing listens on: bound by the system, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    "command",
    [
        ["forecast"],
        ["backtest", "--financial-year", "2017-18"],
        ["project", "--years", "1"],
        ["project", "--backtest"],
    ],
)
def test_an_unreachable_scheduler_is_one_clear_line(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 0.5)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    url = f"sqlite:///{tmp_path / 'carecast.db'}"
    code = run([*command, "--executor", "dask", "--scheduler", address, "--database-url", url])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith(f"could not reach the Dask scheduler at {address}: ")
    assert "start one with `dask scheduler`" in err
    assert "or use --executor local" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--executor", "dask"], "--executor dask needs --scheduler ADDRESS"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is the Dask scheduler's address"),
        (
            ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
            "--workers counts local processes",
        ),
    ],
)
def test_options_that_do_not_fit_together_are_refused(
    options: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'carecast.db'}"
    assert run(["forecast", *options, "--database-url", url]) == 2
    assert message in capsys.readouterr().err


def test_every_core_by_default() -> None:
    runner = make_runner("local")
    assert isinstance(runner, LocalRunner)
    assert runner.workers == executors.available_cores()


class _LostClient:
    """A client whose cluster goes away once the work is sent (distributed's CommClosedError is
    an OSError)."""

    def scatter(self, items: list[object], **_options: object) -> list[object]:
        return items

    def submit(self, *args: object, **_options: object) -> object:
        return args

    def gather(self, _futures: list[object]) -> list[object]:
        raise OSError("Stream is closed")

    def close(self) -> None:
        pass


def test_a_cluster_lost_mid_run_is_a_message_not_a_traceback() -> None:
    from carecast.executors import ClusterLost, DaskRunner

    runner = DaskRunner(_LostClient())  # type: ignore[arg-type]
    with pytest.raises(ClusterLost, match="the Dask cluster was lost during the run"):
        runner(lambda block: block, [0, 1])
