"""`carecast benchmark` and `carecast reference` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carecast.cli import run
from tests.test_reference_import import NEWER


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store URL with no store behind it, and a reference folder of the test's own."""
    monkeypatch.setenv("CARECAST_REFERENCE_DIR", str(tmp_path / "reference"))
    return f"sqlite:///{tmp_path / 'none.db'}"


def test_benchmark_json_for_a_council_code(
    nowhere: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["benchmark", "--la-code", "209", "--json", "--database-url", nowhere]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["la_code"], body["name"], body["own"]) == ("209", "Lewisham", None)
    assert [s["key"] for s in body["sections"]] == [
        "cla_rate", "flows", "placement_mix", "workforce", "spend"
    ]  # fmt: skip
    latest = body["sections"][0]["rows"][-1]
    assert (latest["year"], latest["council"]["value"]) == ("2025", 70.7)
    assert latest["council"]["source"]["file"] == "cla_number_and_rate_per_10k_children.csv"
    estimate = body["at_neighbours_rate"][0]
    assert estimate["basis"] == "published"
    assert estimate["children_fewer"] > 0
    assert [m["la_code"] for m in body["neighbours"]["members"]][:2] == ["208", "210"]


def test_benchmark_accepts_an_ons_code_and_prints_tables(
    nowhere: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["benchmark", "--la-code", "E09000023", "--database-url", nowhere]) == 0
    out = capsys.readouterr().out
    assert "Lewisham (209, E09000023) against its statistical neighbours and England" in out
    assert "Children looked after per 10,000 children" in out
    assert "At its statistical neighbours' rate" in out


def test_an_unknown_council_code_is_an_error(
    nowhere: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["benchmark", "--la-code", "999", "--database-url", nowhere]) == 1
    assert "no council with code 999" in capsys.readouterr().err


def test_without_a_code_the_store_must_hold_a_council(
    nowhere: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["benchmark", "--database-url", nowhere]) == 2
    assert "carecast init" in capsys.readouterr().err


def test_reference_import_then_list(
    nowhere: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = tmp_path / "cla_2026.csv"
    release.write_text(NEWER, encoding="utf-8")
    assert run(["reference", "import", str(release), "--database-url", nowhere]) == 0
    assert "Imported cla_2026.csv (cla_rates)" in capsys.readouterr().out
    assert run(["reference", "import", str(release)]) == 0
    assert "already in use" in capsys.readouterr().out
    assert run(["reference", "list"]) == 0
    listing = capsys.readouterr().out
    assert "imported" in listing
    assert "cla_2026.csv" in listing
    assert "sn_model_2025_wide.csv" in listing
    assert run(["benchmark", "--la-code", "209", "--json", "--database-url", nowhere]) == 0
    rows = json.loads(capsys.readouterr().out)["sections"][0]["rows"]
    assert rows[-1]["year"] == "2026"
    assert rows[-1]["council"]["source"]["file"] == "cla_2026.csv"


def test_reference_import_refuses_files_it_cannot_read(
    nowhere: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "notes.csv"
    odd.write_text("A,B\n1,2\n", encoding="utf-8")
    assert run(["reference", "import", str(odd), "--database-url", nowhere]) == 1
    err = capsys.readouterr().err
    assert f"{odd}::: reference-unknown:" in err
    assert not (tmp_path / "reference").exists()
