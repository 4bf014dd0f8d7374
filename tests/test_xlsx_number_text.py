"""A number cell reads as the text Excel shows for it, in a text column as in a money column.

Found by the fuzzer: calamine renders a number through a float, so a DESCRIPTION cell holding
999999999.99 was stored as "999999999.99000001" and one holding -0 as "-0". The sheet's XML holds
the digits as written; Excel shows them in a General cell with at most 15 significant digits, no
trailing zeros and no sign on zero, and a CSV saved from Excel holds the same text.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from carecast.errors import Issue, Severity
from carecast.ingest import workbook_parts
from carecast.ingest.loader import parse_file, read_tables
from carecast.ingest.xlsx_numbers import shown
from tests.fuzz_oracle import excel_text

SHEET = "xl/worksheets/sheet1.xml"
LEDGER: list[object] = ["PERIOD", "COST_CENTRE", "ACCOUNT", "AMOUNT", "DESCRIPTION"]


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def ledger(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [LEDGER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def with_sheet_cells(path: Path, cells: dict[str, bytes]) -> Path:
    """The workbook with the named cells of its first sheet written as the given raw XML."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    xml = parts[SHEET]
    for reference, cell in cells.items():
        start = xml.index(f'<c r="{reference}"'.encode())
        end = xml.index(b"</c>", start) + len(b"</c>")
        xml = xml[:start] + cell + xml[end:]
    parts[SHEET] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("written", "excel_shows"),
    [
        ("999999999.99", "999999999.99"),
        ("-999999999.99", "-999999999.99"),
        ("-0", "0"),  # Excel shows no sign on zero
        ("-0.0", "0"),
        ("5.0", "5"),
        ("910.123", "910.123"),
        ("1e+20", "100000000000000000000"),
        ("1e-07", "0.0000001"),
        ("0.30000000000000004", "0.3"),  # =0.1+0.2: 15 significant digits, as Excel shows
        ("1.234567890123457e+16", "12345678901234600"),
        ("123456789012345.6", "123456789012346"),
        ("x1", None),
        ("NaN", None),
        ("1e999", None),  # beyond any number a cell holds
    ],
)
def test_a_number_is_shown_as_in_a_general_cell(written: str, excel_shows: str | None) -> None:
    assert shown(written) == excel_shows


def test_numbers_in_text_columns_are_stored_as_excel_shows_them(tmp_path: Path) -> None:
    path = ledger(
        tmp_path / "ledger.xlsx",
        [
            ["2018-04", "RES1", 999999999.99, 1500, "Home"],
            ["2018-04", "RES1", "5100", 1500, -0.0],
            ["2018-04", 12.5, "5100", 1500, 0.1 + 0.2],
            ["2018-04", 7, "5100", 1500, 1e20],
        ],
    )
    parsed, issues = parse_file(path)
    assert errors(issues) == []
    assert parsed is not None
    frame = parsed.frame
    assert frame["ACCOUNT"].to_list() == ["999999999.99", "5100", "5100", "5100"]
    assert frame["COST_CENTRE"].to_list() == ["RES1", "RES1", "12.5", "7"]
    assert frame["DESCRIPTION"].to_list() == ["Home", "0", "0.3", "100000000000000000000"]


def test_text_cells_keep_their_text_even_when_it_reads_as_a_number(tmp_path: Path) -> None:
    """Only number cells are shown as Excel shows numbers: text "1.50", "007" or "-0" (a shared
    string, an inline string, a formula's text result) is the cell's text as written."""
    path = ledger(tmp_path / "ledger.xlsx", [["2018-04", "1.50", "007", 1500, "-0"]])
    with_sheet_cells(path, {"E2": b'<c r="E2" t="str"><f>"-"&amp;"0"</f><v>-0</v></c>'})
    parsed, issues = parse_file(path)
    assert errors(issues) == []
    assert parsed is not None
    assert parsed.frame.row(0, named=True) | {"__row": 0} == {
        "__row": 0,
        "PERIOD": "2018-04",
        "COST_CENTRE": "1.50",
        "ACCOUNT": "007",
        "AMOUNT": 150000,
        "DESCRIPTION": "-0",
    }


def test_money_is_read_from_the_digits_the_cell_holds(tmp_path: Path) -> None:
    """999,999,999.99 is 99,999,999,999 pence exactly; a computed 1100.0000000000002 is £1,100.00
    as Excel shows it; -0 is 0."""
    path = ledger(
        tmp_path / "ledger.xlsx",
        [
            ["2018-04", "RES1", "5100", 999999999.99, "a"],
            ["2018-04", "RES1", "5100", 1000 * 1.1, "b"],
            ["2018-04", "RES1", "5100", -0.0, "c"],
            ["2018-04", "RES1", "5100", -0.01, "d"],
        ],
    )
    with_sheet_cells(path, {"D3": b'<c r="D3"><f>1000*1.1</f><v>1100.0000000000002</v></c>'})
    parsed, issues = parse_file(path)
    assert errors(issues) == []
    assert parsed is not None
    assert parsed.frame["AMOUNT"].to_list() == [99_999_999_999, 110_000, 0, -1]


def test_a_date_formatted_number_still_reads_as_its_date_and_time(tmp_path: Path) -> None:
    """A date cell with a time is a number with a fraction (43221.520833…) in the XML: calamine's
    date text stands, as a date-formatted cell shows a date."""
    from datetime import datetime

    path = ledger(tmp_path / "ledger.xlsx", [["2018-04", "RES1", "5100", 1, "x"]])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["E2"] = datetime(2018, 5, 1, 12, 30)
    book.save(path)
    [table], issues = read_tables(path)
    assert errors(issues) == []
    assert table.frame.get_column("col4").to_list() == ["2018-05-01 12:30:00"]


def test_cells_cut_by_a_chunk_boundary_are_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet is scanned in chunks: with chunks of 7 bytes every cell is cut, some just after a
    shared formula's `<f …/>`, which once ended a chunk's scan mid-cell and lost the cell."""
    monkeypatch.setattr(workbook_parts, "CHUNK", 7)
    path = ledger(tmp_path / "ledger.xlsx", [["2018-04", "RES1", "5100", 1, "x"]] * 3)
    with_sheet_cells(
        path,
        {
            "E2": b'<c r="E2"><f t="shared" ref="E2:E3" si="0">D2*0.1</f><v>0.1</v></c>',
            "E3": b'<c r="E3"><f t="shared" si="0"/><v>999999999.99</v></c>',
            "E4": b'<c r="E4" t="e"><f t="shared" si="0"/><v>#DIV/0!</v></c>',
        },
    )
    [table], issues = read_tables(path)
    assert table.frame.get_column("col4").to_list() == ["0.1", "999999999.99", None]
    [error] = errors(issues)
    assert (error.row, error.column, error.rule) == (4, "DESCRIPTION", "excel-error")


@pytest.mark.parametrize(
    ("value", "excel_shows"),
    [(-0.0, "0"), (0.0, "0"), (999999999.99, "999999999.99"), (0.1 + 0.2, "0.3"), (5, "5")],
)
def test_the_fuzzers_oracle_shows_numbers_as_excel_does(value: object, excel_shows: str) -> None:
    """The oracle (tests/fuzz_oracle.py) read -0.0 as "-0", where Excel shows 0."""
    assert excel_text(value) == excel_shows


@pytest.mark.parametrize("early", [date(1899, 12, 31), date(1900, 2, 28), date(1, 1, 1)])
def test_a_date_cell_before_1_march_1900_is_refused_at_its_cell(
    tmp_path: Path, early: date
) -> None:
    """Found by the fuzzer: Excel's calendar counts a 29 February 1900, so it shows day 0 as
    1900-01-00 and a negative day as ####; calamine read day 0 as 1899-12-31 and openpyxl as the
    time 00:00:00, so no reading is what the file says. The date is refused, in any column."""
    path = ledger(tmp_path / "ledger.xlsx", [["2018-04", early, "5100", 1500, "x"]])
    _, issues = parse_file(path)
    [refusal] = errors(issues)
    assert (refusal.row, refusal.column, refusal.rule) == (2, "COST_CENTRE", "bad-date")
    assert refusal.message.startswith("sheet 'Sheet', cell B2: a date cell before 1 March 1900")


def test_from_1_march_1900_a_date_cell_reads_as_its_date_and_small_numbers_as_numbers(
    tmp_path: Path,
) -> None:
    """Day 61 is 1 March 1900 in Excel and everywhere else; 0 and 60 in General cells are numbers."""
    path = ledger(
        tmp_path / "ledger.xlsx",
        [["2018-04", date(1900, 3, 1), "5100", 1500, 0], ["2018-04", "RES1", 60, 1500, -60]],
    )
    [table], issues = read_tables(path)
    assert errors(issues) == []
    assert table.frame.get_column("col1").to_list() == ["1900-03-01 00:00:00", "RES1"]
    assert table.frame.get_column("col2").to_list() == ["5100", "60"]
    assert table.frame.get_column("col4").to_list() == ["0", "-60"]
