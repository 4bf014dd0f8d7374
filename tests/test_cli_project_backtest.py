"""`carecast project --backtest` end to end on a small store (SQLite and PostgreSQL): the replays
it can make, their JSON and table, and located refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.services import init_store
from tests.storehelp import dump
from tests.test_cli_project import AS_OF, _small_council


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> str:
    """The small council of test_cli_project: returns from April 2015 to 31 March 2018."""
    init_store(Settings(database_url=database_url), "Test Borough", "999")
    folder = _small_council(tmp_path / "extract")
    code = run(
        ["import", str(folder), "--as-of", AS_OF.isoformat(), "--database-url", database_url]
    )
    assert code == 0
    return database_url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["project", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_31_march_with_a_year_either_side_is_replayed_and_scored(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Returns run from April 2015 to March 2018: 31 March 2016 (24 months after it on record)
    and 2017 (12 months) can be replayed, and the 12-month outcome of the 2017 replay is the
    45 children looked after on 31 March 2018."""
    before = dump(store)
    code, out, err = _run(capsys, "--backtest", "--paths", "100", "--json", "--database-url", store)
    assert code == 0, err
    assert dump(store) == before  # a backtest stores nothing
    result: dict[str, Any] = json.loads(out)
    assert result["data_until"] == "2018-03-31"
    replays = result["replays"]
    assert [r["from"] for r in replays] == ["2016-03-31", "2017-03-31"]
    assert list(replays[0]["horizons"]) == ["12", "24"]
    assert list(replays[1]["horizons"]) == ["12"]
    total = replays[1]["horizons"]["12"]["total"]
    assert total["observed"] == 45
    assert total["error"] == pytest.approx((total["p50"] - 45) / 45, abs=1e-5)
    assert total["held"] == (total["p10"] <= 45 <= total["p90"])
    assert len(replays[0]["months"]) == 24
    summary = result["horizons"]["12"]["as_fitted"]
    assert summary["replays"] == 2
    assert 0 <= summary["band_held"] <= 2
    # the first replay has no earlier outcome to calibrate on; the second has the first's
    assert result["calibrated_replays"][0]["band_factor"] == 1.0
    assert result["calibration"]["residuals"] == 3  # 2016 at 12 and 24 months, 2017 at 12


def test_the_table_names_each_replay_and_its_outcomes(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "--backtest", "--from-years", "2017", "--paths", "50", "--database-url", store
    )
    assert code == 0, err
    assert "31 Mar 2017" in out
    assert "31 Mar 2016" not in out
    assert "vs 45" in out
    assert "Band calibration" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--from-years", "2018"),
            2,
            "--from-years 2018: the returns run from 01 April 2015 to 31 March 2018, so only "
            "31 March of 2016, 2017 can be replayed",
        ),
        (("--from-years", "2016,twenty"), 2, "'twenty' is not a year"),
        (("--years", "2"), 2, "--backtest replays every 31 March it can"),
        (("--paths", "0"), 2, "--paths 0"),
    ],
)
def test_impossible_replays_are_refused_with_a_reason(
    store: str,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    got, out, err = _run(capsys, "--backtest", *args, "--database-url", store)
    assert got == code
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_from_years_without_backtest_is_refused(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--from-years", "2016", "--database-url", store)
    assert code == 2
    assert "--from-years chooses the replays of --backtest" in err
    assert out == ""


def test_a_year_of_returns_alone_has_nothing_to_replay(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the 2017-18 return is imported (as of 31 March 2018): no 31 March has a year of
    returns before it and a year of outcomes after it."""
    init_store(Settings(database_url=database_url), "Test Borough", "999")
    folder = _small_council(tmp_path / "extract")
    episodes = (folder / "episodes.csv").read_text().splitlines(keepends=True)
    kept = [episodes[0]] + [
        line for line in episodes[1:] if line.split(",")[1].endswith(("2017", "2018"))
    ]
    (folder / "episodes.csv").write_text("".join(kept))
    assert (
        run(["import", str(folder), "--as-of", "2018-03-31", "--database-url", database_url]) == 0
    )
    capsys.readouterr()
    code, out, err = _run(capsys, "--backtest", "--database-url", database_url)
    assert code == 1
    assert "needs a 31 March with 12 whole months of SSDA903 returns before it" in err
    assert "Traceback" not in err
    assert out == ""


def test_a_store_without_episodes_is_refused(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--backtest", "--database-url", settings.database_url)
    assert code == 1
    assert "no SSDA903 episodes have been imported" in err
    assert out == ""
