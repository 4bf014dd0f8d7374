"""Several councils in one store: every command works on the one `--council` names, each
council's data apart from the other's, and with no choice made the store says which it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.cli import council_first, run
from tests.test_cli_project import _small_council

AS_OF = "2018-03-31"


def test_two_councils_share_a_store_and_each_command_works_on_the_one_chosen(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", database_url]
    assert run(["init", "--council", "North", "--la-code", "801", *url]) == 0
    assert run(["init", "--council", "South", "--la-code", "802", *url]) == 0
    extract = _small_council(tmp_path / "north")
    assert run(["--council", "801", "import", str(extract), "--as-of", AS_OF, *url]) == 0
    capsys.readouterr()

    # North has its episodes; South has none, and a projection of it says so
    assert run(["--council", "801", "imports", *url]) == 0
    assert "Imports for North (801)" in capsys.readouterr().out
    assert run(["imports", "--council", "801", *url]) == 0  # after the command too
    assert "Imports for North (801)" in capsys.readouterr().out
    assert run(["--council", "802", "imports", *url]) == 0
    assert "ssda903" not in capsys.readouterr().out  # South's list is empty
    assert run(["--council", "802", "project", "--years", "1", *url]) == 1
    assert "no SSDA903 episodes have been imported" in capsys.readouterr().err
    assert run(["--council", "801", "project", "--years", "1", "--paths", "50", *url]) == 0
    assert "North" in capsys.readouterr().out

    # with no council chosen, the store names those it holds
    assert run(["imports", *url]) == 2
    assert "several councils (801, 802)" in capsys.readouterr().err
    assert run(["--council", "803", "imports", *url]) == 2
    assert "no council 803" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "run_as"),
    [
        (["forecast", "--council", "801", "--json"], ["--council", "801", "forecast", "--json"]),
        (["forecast", "--council=801"], ["--council=801", "forecast"]),
        (["--council", "801", "forecast"], ["--council", "801", "forecast"]),
        # init's own --council is the new council's name, never moved
        (
            ["init", "--council", "North", "--la-code", "801"],
            ["init", "--council", "North", "--la-code", "801"],
        ),
        (["report", "--", "--council", "x"], ["report", "--", "--council", "x"]),
        (["forecast", "--council"], ["forecast", "--council"]),  # no value: Click says so
    ],
)
def test_the_council_may_be_written_after_the_command(
    written: list[str], run_as: list[str]
) -> None:
    assert council_first(written) == run_as


@pytest.mark.parametrize("command", [["forecast"], ["user", "add"], ["scenarios", "compare"]])
def test_every_commands_help_names_the_council_option(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*command, "--help"]) == 0
    assert "--council CODE" in " ".join(capsys.readouterr().out.split())


def test_init_help_keeps_its_own_council_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init", "--help"]) == 0
    assert "--council CODE (before or after" not in capsys.readouterr().out
