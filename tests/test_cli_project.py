"""`carecast project` on a small store built from files, on SQLite and PostgreSQL: the table,
the contract JSON, conservation in the output, and the refusals."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.projection.fit import CATEGORY_NAMES
from carecast.reference.dataset import load_file
from carecast.services import init_store, projection
from carecast.services.accounts import audit_entries
from carecast.services.benchmark import reference_files
from carecast.services.projection import council_population, run_projection
from tests.storehelp import dump

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
PLACES = [("U4", "PR1"), ("U4", "PR4"), ("K2", "PR4"), ("U1", "PR1"), ("P1", "PR0")]
AS_OF = date(2018, 3, 31)


def _small_council(folder: Path) -> Path:
    """90 children entering care from April 2015 to March 2018 (one in every twelve days), each
    in one placement of 200 to 403 days, but every third one still open; those whose placement
    ends after 31 March 2018 are open in the extract. 45 are looked after on that day."""
    folder.mkdir(parents=True, exist_ok=True)
    header, episodes = [HEADER], [EPISODES]
    for i in range(90):
        start = date(2015, 4, 1) + timedelta(days=12 * i)
        dob = start - timedelta(days=365 * (1 + i % 15) + i)
        place, provider = PLACES[i % len(PLACES)]
        end = start + timedelta(days=200 + 7 * (i % 30)) if i % 3 else None
        dec, rec = ("", "") if end is None or end > AS_OF else (f"{end:%d/%m/%Y}", "E8")
        header.append(f"C{i},{1 + i % 2},{dob:%d/%m/%Y},WBRI,,,\n")
        episodes.append(f"C{i},{start:%d/%m/%Y},S,C2,N1,{place},{provider},{dec},{rec},,,,\n")
    (folder / "header.csv").write_text("".join(header), encoding="utf-8")
    (folder / "episodes.csv").write_text("".join(episodes), encoding="utf-8")
    return folder


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> str:
    settings = Settings(database_url=database_url)
    init_store(settings, "Test Borough", "999")
    folder = _small_council(tmp_path / "extract")
    code = run(
        ["import", str(folder), "--as-of", AS_OF.isoformat(), "--database-url", database_url]
    )
    assert code == 0
    return database_url


def _project(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["project", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_project_json_follows_the_contract_and_conserves_children(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(store)
    code, out, err = _project(
        capsys, "--years", "2", "--paths", "200", "--json", "--database-url", store
    )
    assert code == 0, err
    assert dump(store) == before  # a projection stores nothing
    result: dict[str, Any] = json.loads(out)
    assert result["council"] == "Test Borough"
    assert result["from"] == "2018-03-31"
    assert result["scenario"] is None
    assert [y["financial_year"] for y in result["years"]] == ["2018-19", "2019-20"]
    start = result["children_looked_after_at_start"]
    assert start == 45  # 30 open by design, 15 more whose placement ends after the extract
    for year in result["years"]:
        band = year["children_looked_after"]
        assert band["p10"] <= band["central"] <= band["p90"]
        assert {c["category"] for c in year["categories"]} == set(CATEGORY_NAMES)
        begun = sum(c["placements_begun"]["mean"] for c in year["categories"])
        assert begun >= year["flows"]["entries"]["mean"] - 0.05  # entrants and moves
    # no population is shipped for code 999: entries follow the council's own monthly count, and say so
    assumptions = result["assumptions"]
    assert assumptions["entries"]["per"] == "month"
    assert any("council's own monthly count" in note for note in assumptions["notes"])


def test_project_table_shows_every_category_and_year(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _project(capsys, "--years", "3", "--paths", "100", "--database-url", store)
    assert code == 0, err
    assert "31 Mar 2019" in out
    assert "31 Mar 2021" in out
    assert "Independent fostering agencies" in out
    assert "All children looked after" in out
    assert "own monthly count" in out


def test_the_service_conserves_children_and_repeats_itself(store: str) -> None:
    settings = Settings(database_url=store)
    _, first = run_projection(settings, 2, paths=150, seed=9)
    _, again = run_projection(settings, 2, paths=150, seed=9)
    paths = first.paths
    totals = paths.totals.astype(np.int64)
    assert np.array_equal(totals[1:], totals[:-1] + paths.entries - paths.left - paths.turned_18)
    assert np.array_equal(first.paths.stock, again.paths.stock)
    assert first.years == again.years


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--years", "7"), 2, "--years 7: a projection runs 1 to 5 years ahead"),
        (("--years", "0"), 2, "--years 0: a projection runs 1 to 5 years ahead"),
        (
            ("--years", "2", "--from", "2018-06"),
            2,
            "--from 2018-06: the data ends on 31 March 2018",
        ),
        (("--years", "2", "--from", "2018-14"), 2, "2018-14"),
        (("--years", "2", "--paths", "0"), 2, "--paths 0"),
        (("--years", "2", "--from", "2010-03"), 1, "no SSDA903 episode had begun by 31 March 2010"),
        (
            ("--years", "2", "--from", "2015-12"),
            1,
            "needs 12 whole months of SSDA903 history before it, and the returns begin in "
            "2015-04, 9 month(s) before it: start from 2016-03 or later",
        ),
        (("--years", "2", "--scenario", "x.yaml"), 1, "x.yaml::: unreadable: the file cannot"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(
    store: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    got, out, err = _project(capsys, *args, "--database-url", store)
    assert got == code
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_a_store_without_episodes_is_refused(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _project(capsys, "--years", "1", "--database-url", settings.database_url)
    assert code == 1
    assert "no SSDA903 episodes have been imported" in err
    assert out == ""


def test_too_few_years_borrow_the_wander_of_englands_councils_and_say_so(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """From March 2017 the store holds two complete years of entries: the year-to-year wander is
    the median of England's councils (DfE's starters), and the output says so."""
    code, out, err = _project(
        capsys,
        "--years",
        "1",
        "--from",
        "2017-03",
        "--paths",
        "50",
        "--json",
        "--database-url",
        store,
    )
    assert code == 0, err
    entries = json.loads(out)["assumptions"]["entries"]
    assert entries["drift_from"] == "england"
    assert entries["drift_measured_on_years"] == 2
    assert 0.05 < entries["yearly_drift_sd"] < 0.5
    notes = json.loads(out)["assumptions"]["notes"]
    assert any("median of England's councils" in note for note in notes)


def test_the_shipped_ons_estimates_give_the_councils_population() -> None:
    """Lewisham (DfE code 209): 67,109 children aged 0–17 at mid-2018 and 62,052 at mid-2024 in
    the shipped ONS file; an unknown code has none."""
    files = reference_files(Settings(database_url="sqlite:///unused.db"))
    population, source = council_population(files, "209")
    assert population[2018] == 67_109
    assert population[2024] == 62_052
    assert min(population) == 2012
    assert source == "ons_mid-year_population_estimates_2012_to_2024.csv"
    assert council_population(files, "999") == ({}, None)


def test_a_regions_councils_read_the_reference_files_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every council of a region looks up its population and England's starters in the same
    files: each file is read once, and each council still gets its own figures (and copies: a
    caller changing them changes no other council's)."""
    files = [
        dataclasses.replace(f, sequence=f.sequence + 7_000)  # a set no other test has read
        for f in reference_files(Settings(database_url="sqlite:///unused.db"))
    ]
    reads: list[str] = []

    def counted(entry: Any) -> Any:
        reads.append(entry.kind)
        return load_file(entry)

    monkeypatch.setattr(projection, "load_file", counted)
    lewisham, source = council_population(files, "209")
    for code in ("209", "210", "999"):
        council_population(files, code)
    projection.council_starters(files)
    starters = projection.council_starters(files)
    assert sorted(reads) == sorted(f.kind for f in files if f.kind in {"population", "cla_rates"})
    assert lewisham[2018] == 67_109
    assert source == "ons_mid-year_population_estimates_2012_to_2024.csv"
    lewisham[2018] = 0.0
    starters["209"].clear()
    assert council_population(files, "209")[0][2018] == 67_109
    assert projection.council_starters(files)["209"]


def _scenario(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_scenario_is_shown_beside_the_baseline_and_two_are_compared(
    store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fostering = _scenario(
        tmp_path,
        "fostering.yaml",
        "name: fostering\nlevers:\n  - kind: ifa_to_in_house\n    share: 0.5\n",
    )
    shorter = _scenario(
        tmp_path,
        "shorter.toml",
        'name = "shorter"\n[[levers]]\nkind = "time_in_care"\nchange = -0.3\n',
    )
    before = dump(store)
    code, out, err = _project(
        capsys,
        "--years",
        "2",
        "--paths",
        "100",
        "--json",
        "--scenario",
        fostering,
        "--database-url",
        store,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["scenario"]["name"] == "fostering"
    assert len(result["saving"]) == len(result["years"]) == len(result["baseline"]) == 2
    assert "in-house fostering" in result["scenario"]["levers"][0]["lever"]

    code = run(
        [
            "scenarios",
            "compare",
            fostering,
            shorter,
            "--years",
            "2",
            "--paths",
            "100",
            "--database-url",
            store,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Saving: fostering" in out
    assert "Saving: shorter" in out
    assert "fewer children looked after" in out or "no fewer children" in out
    after = dump(store)
    runs, audited = after.pop("scenario_runs"), after.pop("audit_log")
    kept = {k: v for k, v in before.items() if k not in {"scenario_runs", "audit_log"}}
    assert after == kept  # nothing else changed
    assert len(audited) == 3
    assert len(runs) == 3  # fostering, then fostering and shorter compared
    # each run is in the audit log: who ran it, from where, its levers
    entries = [e for e in audit_entries(Settings(database_url=store)) if e.action == "scenario_run"]
    assert sorted(e.subject for e in entries) == ["fostering", "fostering", "shorter"]
    assert all(e.source == "command line" for e in entries)
    assert entries[-1].after is not None
    assert entries[-1].after["levers"][0]["kind"] == "ifa_to_in_house"

    code = run(["scenarios", "show", "fostering", "--json", "--database-url", store])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["saving"] == result["saving"]  # the same seed, the same paths
    code = run(["scenarios", "list", "--database-url", store])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "fostering" in out
    assert "shorter" in out


def test_a_bad_scenario_is_refused_naming_the_file_line_and_field(
    store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = _scenario(
        tmp_path,
        "bad.yaml",
        "name: bad\nlevers:\n  - kind: ifa_to_in_house\n    share: 1.5\n    colour: red\n",
    )
    late = _scenario(
        tmp_path,
        "late.yaml",
        "name: late\nlevers:\n  - kind: entry_rate\n    change: -0.1\n    start: 2031-04\n",
    )
    code, _out, err = _project(capsys, "--years", "2", "--scenario", bad, "--database-url", store)
    assert code == 1
    assert "bad.yaml:4:levers[0].share: impossible-share" in err
    assert "bad.yaml:5:levers[0].colour: unknown-key" in err
    assert "nothing was projected" in err
    code, _out, err = _project(capsys, "--years", "2", "--scenario", late, "--database-url", store)
    assert code == 1
    assert "late.yaml:5:levers[0].start: outside-horizon" in err


def test_the_deterministic_projection_is_the_expected_course_with_no_band(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _project(
        capsys, "--years", "2", "--deterministic", "--json", "--database-url", store
    )
    assert code == 0, err
    result = json.loads(out)
    for year in result["years"]:
        band = year["children_looked_after"]
        assert band["p10"] == band["central"] == band["p90"]
    assert any("Deterministic" in note for note in result["assumptions"]["notes"])
    code, _out, err = _project(
        capsys, "--years", "2", "--deterministic", "--backtest", "--database-url", store
    )
    assert code == 2
    assert "--deterministic projects the baseline's expected course" in err


def test_the_plans_rises_come_from_an_assumptions_file_and_a_bad_one_is_refused_by_field(
    store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rises = tmp_path / "rises.yaml"
    rises.write_text("placement_price_rise:\n  2019-20: 0.06\npay_award: 0.03\n")
    code, out, err = _project(
        capsys,
        "--years",
        "1",
        "--paths",
        "50",
        "--assumptions",
        str(rises),
        "--json",
        "--database-url",
        store,
    )
    assert code == 0, err
    costs = json.loads(out)["assumptions"]["costs"]
    assert costs["placement_price_rise"] == {"2019-20": 0.06}
    assert costs["pay_award"] == 0.03
    bad = tmp_path / "bad.yaml"
    bad.write_text("placement_price_rise:\n  2019-20: 3\ncolour: red\n")
    code, _out, err = _project(
        capsys, "--years", "1", "--assumptions", str(bad), "--database-url", store
    )
    assert code == 1
    assert "bad.yaml::placement_price_rise.2019-20: assumptions-invalid" in err
    assert "bad.yaml::colour: assumptions-invalid" in err
    assert "valid number" not in err  # one problem a field
    assert "nothing was projected" in err
