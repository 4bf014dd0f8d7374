"""`carecast import --errors-out`, the terminal's cap on problems, and the `imports` group."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from carecast.cli import run
from tests.fixtures_small import write_small_council
from tests.storehelp import dump

Captured = pytest.CaptureFixture[str]
LEDGER = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"


@pytest.fixture
def store(database_url: str) -> list[str]:
    """The --database-url arguments of an initialised store."""
    assert run(["init", "--council", "T", "--la-code", "9", "--database-url", database_url]) == 0
    return ["--database-url", database_url]


def bad_ledger(folder: Path, bad_rows: int) -> Path:
    """A ledger whose every row has an unreadable amount, plus one unmapped cost centre (warning)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gl.csv"
    rows = "".join(f"2018-09,SW1,1000,12o{n}\n" for n in range(bad_rows))
    path.write_text(LEDGER + rows, encoding="utf-8")
    return path


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_errors_out_csv_holds_every_problem_even_when_the_import_fails(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = bad_ledger(tmp_path / "in", 3)
    out = tmp_path / "problems.csv"
    before = dump(store[1])
    assert (
        run(["import", str(ledger), "--as-of", "2018-09-30", "--errors-out", str(out), *store]) == 1
    )
    assert dump(store[1]) == before
    rows = read_csv_rows(out)
    assert [(r["row"], r["column"], r["rule"], r["severity"]) for r in rows] == [
        ("2", "AMOUNT", "bad-number", "error"),
        ("3", "AMOUNT", "bad-number", "error"),
        ("4", "AMOUNT", "bad-number", "error"),
        ("2", "COST_CENTRE", "cost-centre-unmapped", "warning"),
    ]
    assert rows[0]["file"] == str(ledger)
    assert rows[0]["message"].startswith("'12o0' is not an amount in pounds")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{ledger}:2:AMOUNT: bad-number: {rows[0]['message']}"
    assert err[-1] == "3 problem(s) found; nothing was imported."


def test_errors_out_xlsx_is_a_filterable_sheet(store: list[str], tmp_path: Path) -> None:
    ledger = bad_ledger(tmp_path / "in", 2)
    out = tmp_path / "problems.xlsx"
    assert (
        run(["import", str(ledger), "--as-of", "2018-09-30", "--errors-out", str(out), *store]) == 1
    )
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    values = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert values[0] == ("file", "row", "column", "rule", "severity", "message")
    assert [v[1:5] for v in values[1:]] == [
        (2, "AMOUNT", "bad-number", "error"),
        (3, "AMOUNT", "bad-number", "error"),
        (2, "COST_CENTRE", "cost-centre-unmapped", "warning"),
    ]


def test_the_terminal_shows_200_problems_and_points_at_the_rest(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = bad_ledger(tmp_path / "in", 250)
    assert run(["import", str(ledger), "--as-of", "2018-09-30", *store]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 202
    assert err[199].startswith(f"{ledger}:201:AMOUNT: bad-number:")
    assert (
        err[200]
        == "… and 50 more problem(s); --errors-out FILE.xlsx (or .csv) writes the full list"
    )
    assert err[201] == "250 problem(s) found; nothing was imported."
    out = tmp_path / "all.csv"
    assert (
        run(["import", str(ledger), "--as-of", "2018-09-30", "--errors-out", str(out), *store]) == 1
    )
    assert f"… and 50 more problem(s); all of them are in {out}" in capsys.readouterr().err
    assert len(read_csv_rows(out)) == 251  # and the warning


def test_errors_out_on_success_lists_the_warnings(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    folder = write_small_council(tmp_path / "in")
    (folder / "gl_actuals.csv").write_text(LEDGER + "2018-09,NOWHERE,1,5\n", encoding="utf-8")
    out = tmp_path / "w.csv"
    assert (
        run(["import", str(folder), "--as-of", "2018-09-30", "--errors-out", str(out), *store]) == 0
    )
    assert [(r["rule"], r["severity"]) for r in read_csv_rows(out)] == [
        ("cost-centre-unmapped", "warning")
    ]
    shown = capsys.readouterr().out
    assert "Storing 7 file(s) as known on 2018-09-30…" in shown
    assert "gl_actuals.csv:2:COST_CENTRE: cost-centre-unmapped: cost centre NOWHERE" in shown


@pytest.mark.parametrize("name", ["problems.txt", "missing-folder/problems.csv"])
def test_an_errors_out_path_carecast_cannot_write_is_wrong_usage(
    store: list[str], tmp_path: Path, name: str, capsys: Captured
) -> None:
    ledger = bad_ledger(tmp_path / "in", 1)
    args = ["import", str(ledger), "--as-of", "2018-09-30", "--errors-out", str(tmp_path / name)]
    assert run([*args, *store]) == 2
    assert "--errors-out" in capsys.readouterr().err


def test_imports_lists_shows_warnings_and_undoes_a_batch(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    folder = write_small_council(tmp_path / "in")
    (folder / "gl_actuals.csv").write_text(LEDGER + "2018-09,NOWHERE,1,5\n", encoding="utf-8")
    assert run(["import", str(folder), "--as-of", "2018-09-30", *store]) == 0
    capsys.readouterr()
    assert run(["imports", *store]) == 0
    listing = capsys.readouterr().out
    assert "gl_actuals" in listing
    assert "Warnings" in listing
    assert run(["imports", "warnings", *store]) == 0
    warnings = capsys.readouterr().out.splitlines()
    assert warnings[0].startswith(
        f"{folder / 'gl_actuals.csv'}:2:COST_CENTRE: cost-centre-unmapped"
    )
    assert warnings[-1] == "1 warning(s) in 1 batch(es)."
    assert run(["imports", "warnings", "1", *store]) == 0
    assert capsys.readouterr().out.strip() == "0 warning(s) in batch 1."
    assert run(["imports", "undo", "1", *store]) == 0
    assert capsys.readouterr().out.startswith(f"Removed batch 1: {folder / 'budget.csv'} (budget,")
    assert run(["imports", "undo", "1", *store]) == 1
    assert "there is no import batch 1" in capsys.readouterr().err
    assert run(["imports", "undo", "one", *store]) == 2


def test_the_group_takes_the_store_before_the_subcommand_too(
    store: list[str], capsys: Captured
) -> None:
    assert run(["imports", *store, "undo", "7"]) == 1
    assert "there is no import batch 7 for T" in capsys.readouterr().err
