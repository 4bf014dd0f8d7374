"""Every spreadsheet and CSV file carecast writes holds text as text: never a live formula or link.

A value beginning with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a formula by
Excel and LibreOffice ("CSV injection"). In a CSV such a cell gets a leading apostrophe; in a
workbook it is a string cell with Excel's quote prefix, its value unchanged. Numbers written as text
(`-1234.56`) are not formulas and are written as they are.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from carecast.cli import run
from carecast.demo.writers import write_csv
from carecast.errors import Issue, Severity
from carecast.reports.cells import csv_cell, formula_like
from carecast.reports.import_issues import write_issues
from carecast.reports.model import Column, Kind, SectionContent, Table
from carecast.reports.xlsx_writer import write_xlsx
from tests.test_reports_formats import REPORT

HOSTILE = ("=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2", '=HYPERLINK("http://x","y")')


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_is_formula_like(text: str) -> None:
    assert formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-1234.56", "+5", "-1,234.56", "-0.05", "1=1", "a-b", ""])
def test_numbers_and_ordinary_text_are_written_as_they_are(text: str) -> None:
    assert not formula_like(text)
    assert csv_cell(text) == text


def test_csv_cell_leaves_numbers_and_empty_values_alone() -> None:
    assert csv_cell(7) == 7
    assert csv_cell(None) is None


def hostile_issues() -> list[Issue]:
    return [
        Issue(text, 2, text, "bad-number", text, Severity.ERROR if n else Severity.WARNING)
        for n, text in enumerate(HOSTILE)
    ]


def test_errors_out_csv_escapes_formula_like_cells(tmp_path: Path) -> None:
    path = write_issues(tmp_path / "problems.csv", hostile_issues())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["message"] for row in rows] == [
        "'+1+2",
        "'-1+2",
        "'@SUM(A1)",
        "\\t=1+2",  # shown on one line as an escape, it no longer starts a formula
        "\\r=1+2",
        '\'=HYPERLINK("http://x","y")',
        "'=1+2",  # the warning, after the errors
    ]
    assert [row["file"] for row in rows] == [row["message"] for row in rows]


def quoted_strings(path: Path, sheet_name: str | None = None) -> dict[str, bool]:
    """Every string cell of a sheet: its value → whether it carries Excel's quote prefix; and no
    cell of the sheet is a formula."""
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name] if sheet_name else book.active
    assert sheet is not None
    found: dict[str, bool] = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                found[cell.value] = bool(cell.quotePrefix)
    return found


def test_errors_out_xlsx_writes_formula_like_cells_as_quoted_strings(tmp_path: Path) -> None:
    path = write_issues(tmp_path / "problems.xlsx", hostile_issues())
    found = quoted_strings(path)
    assert found["=1+2"] is True
    assert found['=HYPERLINK("http://x","y")'] is True
    assert found["\\t=1+2"] is False  # shown escaped, it no longer starts a formula
    assert found["bad-number"] is False


def test_an_import_of_a_file_named_like_a_formula_writes_it_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'carecast.db'}"
    assert run(["init", "--council", "T", "--la-code", "9", "--database-url", url]) == 0
    name = "=HYPERLINK(1).csv"
    Path(name).write_text("PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-09,SW1,1,x\n", encoding="utf-8")
    for out in ("problems.csv", "problems.xlsx"):
        args = ["import", name, "--as-of", "2018-09-30", "--errors-out", out]
        assert run([*args, "--database-url", url]) == 1
    with Path("problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {row["file"] for row in csv.DictReader(handle)} == {"'" + name}
    assert quoted_strings(Path("problems.xlsx"))[name] is True


def test_the_report_workbook_writes_formula_like_text_as_quoted_strings(tmp_path: Path) -> None:
    table = Table(
        "providers",
        "Providers",
        (Column("provider", "Provider", Kind.TEXT), Column("cost", "Cost", Kind.PENCE)),
        (("=1+2", 5), ("@SUM(A1)", -7)),
        notes=("-1+2 in a note",),
    )
    section = SectionContent("providers", "Providers", ("+cmd paragraph",), (table,))
    report = replace(REPORT, council_name="=Council", sections=(section,))
    path = write_xlsx(report, tmp_path / "r.xlsx")
    contents = quoted_strings(path, "Contents")
    assert contents["=Council"] is True
    assert contents["+cmd paragraph"] is True
    providers = quoted_strings(path, "providers")
    assert providers["=1+2"] is True
    assert providers["@SUM(A1)"] is True
    assert providers["-1+2 in a note"] is True
    assert providers["Providers"] is False


def test_demo_files_escape_formula_like_text_and_keep_negative_amounts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ("A", "B"), [("=1+2", "-1234.56")])
    assert path.read_text(encoding="utf-8") == "A,B\n'=1+2,-1234.56\n"
