"""`carecast forecast --all-councils`: every council of a pooled store closed as it would be alone."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.services import council_closes
from carecast.services.council_closes import close_councils

PERIOD = "2018-09"  # the synthetic councils' second year, 2018-19


@pytest.fixture
def pooled(database_url: str, tmp_path: Path) -> list[str]:
    """Two synthetic councils (9001, 9002) imported into one store, and a third (9003) with
    nothing imported: it cannot be closed."""
    url = ["--database-url", database_url]
    args = ["synth", "--councils", "2", "--years", "2", "--out", str(tmp_path / "n"), "--import"]
    assert run([*args, *url]) == 0
    assert run(["init", "--council", "Empty", "--la-code", "9003", *url]) == 0
    return url


def test_every_council_is_forecast_as_it_would_be_alone_and_one_that_cannot_be_says_why(
    pooled: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["forecast", "--all-councils", "--period", PERIOD, "--json", *pooled]) == 0
    closes = json.loads(capsys.readouterr().out)
    assert [c["la_code"] for c in closes] == ["9001", "9002", "9003"]
    assert closes[2]["forecast"] is None
    assert "nothing was known" in closes[2]["refused"]
    for code, close in zip(["9001", "9002"], closes, strict=False):
        assert close["refused"] is None
        together = close["forecast"]
        assert run(["--council", code, "forecast", "--period", PERIOD, "--json", *pooled]) == 0
        alone = json.loads(capsys.readouterr().out)
        assert alone["forecast_outturn"] == together["forecast_outturn"]
        assert (alone["p10"], alone["p90"]) == (together["p10"], together["p90"])
        assert alone["snapshot_id"] != together["snapshot_id"]  # each run its own snapshot

    assert run(["forecast", "--all-councils", "--period", PERIOD, *pooled]) == 0
    table = capsys.readouterr().out
    assert "The close of 3 councils" in table
    assert "refused: nothing was known" in " ".join(table.split())


def test_side_by_side_processes_give_the_figures_one_process_gives(
    pooled: list[str], database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    period = Period.parse(PERIOD)
    alone = close_councils(settings, ["9001", "9002"], period, processes=1)
    together = close_councils(settings, ["9001", "9002"], period, processes=2)
    for one, other in zip(alone, together, strict=True):
        assert one.snapshot is not None
        assert other.snapshot is not None
        assert one.snapshot.forecast.forecast_outturn == other.snapshot.forecast.forecast_outturn
        assert one.snapshot.forecast.p10 == other.snapshot.forecast.p10


def test_naming_one_council_and_all_of_them_is_refused(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", database_url]
    assert run(["init", "--council", "North", "--la-code", "9001", *url]) == 0
    assert run(["--council", "9001", "forecast", "--all-councils", *url]) == 2
    assert "leave out --council" in capsys.readouterr().err


def test_one_process_leaves_what_it_had_loaded_out_of_collections_only_while_it_closes(
    pooled: list[str], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The modules and the engine loaded before the first close are not walked again by the
    garbage collector for every council; afterwards they are its own again."""
    frozen: list[int] = []
    close_one = council_closes._close

    def watched(request: Any, runner: Any = None) -> council_closes.CouncilClose:
        frozen.append(gc.get_freeze_count())
        return close_one(request) if runner is None else close_one(request, runner)

    monkeypatch.setattr(council_closes, "_close", watched)
    before = gc.get_freeze_count()
    settings = Settings(database_url=database_url)
    closes = close_councils(settings, ["9001", "9002"], Period.parse(PERIOD), processes=1)
    assert [c.refused for c in closes] == [None, None]
    assert len(frozen) == 2
    assert all(count > before for count in frozen)
    assert gc.get_freeze_count() == before
