"""Excel workbooks: the first or a named sheet, rows as Excel numbers them, dates however stored."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from carecast.errors import Severity
from carecast.ingest.loader import expand_paths, parse_file, parse_paths
from carecast.ingest.rules import RuleContext
from carecast.ingest.xlsx import serial_to_date, split_sheet
from tests.conftest import SHARED

COSTS: list[object] = [
    "CHILD",
    "PLACEMENT_TYPE",
    "PROVIDER",
    "START_DATE",
    "END_DATE",
    "WEEKLY_COST",
    "COST_CENTRE",
]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=number, column=column, value=value)
    book.save(path)
    return path


def test_dates_type_whether_excel_stored_them_as_dates_numbers_or_text(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "costs.xlsx",
        {
            "Costs": [
                COSTS,
                ["C1", "placements_ifa", "Agency", date(2018, 4, 1), None, 911.5, "IFA1"],
                ["C2", "placements_ifa", "Agency", datetime(2018, 5, 2), None, 1000, "IFA1"],
                ["C3", "placements_ifa", "Agency", 43191, None, "£1,000.00", "IFA1"],
                ["C4", "placements_ifa", "Agency", "01/04/2018", "2019-03-31", 0.5, "IFA1"],
            ]
        },
    )
    parsed, issues = parse_file(path)
    assert issues == []
    assert parsed is not None
    assert parsed.frame["START_DATE"].to_list() == [
        date(2018, 4, 1),
        date(2018, 5, 2),
        date(2018, 4, 1),  # serial 43191 in a General cell
        date(2018, 4, 1),
    ]
    assert parsed.frame["WEEKLY_COST"].to_list() == [91150, 100000, 100000, 50]
    assert serial_to_date(43191) == date(2018, 4, 1)


def test_rows_are_the_rows_excel_shows_title_and_blank_rows_included(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "costs.xlsx",
        {
            "Report": [
                ["Service agreements at 30 September 2018"],
                [],
                COSTS,
                ["C1", "placements_ifa", "Agency", date(2018, 4, 1), None, 911, "IFA1"],
                [],
                ["C2", "placements_ifa", "Agency", "31/09/2018", None, 911, "IFA1"],
            ]
        },
    )
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert parsed.frame["__row"].to_list() == [4, 6]
    assert [i.format() for i in issues] == [
        f"{path}:6:START_DATE: bad-date: '31/09/2018' is not a real calendar date"
    ]


def test_a_named_sheet_is_read_and_a_missing_one_lists_the_sheets(tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "budget.xlsx",
        {
            "Notes": [["Prepared by finance"]],
            "Budget 2018-19": [
                ["FINANCIAL_YEAR", "SERVICE_LINE", "BUDGET"],
                ["2018-19", "staffing", 6400000],
            ],
        },
    )
    parsed, issues = parse_file(tmp_path / "budget.xlsx#budget 2018-19")
    assert issues == []
    assert parsed is not None
    assert parsed.frame["BUDGET"].to_list() == [640_000_000]
    _, issues = parse_file(tmp_path / "budget.xlsx#Budget")
    assert [i.format() for i in issues] == [
        f"{book}#Budget::: no-sheet: the workbook has no sheet 'Budget'; "
        "its sheets are 'Notes', 'Budget 2018-19'"
    ]
    # The first sheet is a note, not an input.
    _, issues = parse_file(book)
    assert [i.rule for i in issues] == ["unknown-table"]


def test_a_sheet_path_is_accepted_on_the_command_line(tmp_path: Path) -> None:
    workbook(tmp_path / "b.xlsx", {"S": [["COST_CENTRE", "SERVICE_LINE"], ["CC1", "staffing"]]})
    assert split_sheet(tmp_path / "b.xlsx#S") == (tmp_path / "b.xlsx", "S")
    assert split_sheet(tmp_path / "notes#1.csv") == (tmp_path / "notes#1.csv", None)
    files, issues = expand_paths([tmp_path / "b.xlsx#S", tmp_path / "c.xlsx#S"])
    assert files == [tmp_path / "b.xlsx#S"]
    assert [i.rule for i in issues] == ["not-found"]


def test_child_ids_keep_their_text_and_numbers_keep_their_value(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "header.xlsx",
        {
            "Sheet1": [
                ["CHILD", "SEX", "DOB", "ETHNIC"],
                ["00123", 1, date(2010, 1, 5), "WBRI"],
                [4567, 2, date(2011, 2, 6), "WBRI"],
            ]
        },
    )
    parsed, issues = parse_file(path, RuleContext(date(2019, 3, 31)))
    assert issues == []
    assert parsed is not None
    assert parsed.frame["CHILD"].to_list() == ["00123", "4567"]
    assert parsed.frame["SEX"].to_list() == ["1", "2"]


def test_an_empty_sheet_is_one_located_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "empty.xlsx", {"Sheet1": []})
    _, issues = parse_file(path)
    assert [(i.rule, i.row) for i in issues] == [("empty-file", 1)]


@pytest.mark.parametrize(
    "name", ["ch_fake.xlsx", "scp_fake.xlsx", "combined_scp_ch_fake.xlsx", "scpch_assisted.xlsx"]
)
def test_ofsted_provider_lists_are_recognised_as_reference_not_input(name: str) -> None:
    parsed, issues = parse_paths([SHARED / "fixtures" / "ssda903_fake" / name], RuleContext())
    assert [p.dataset.name for p in parsed] == ["ofsted_providers"]
    assert [(i.rule, i.severity) for i in issues] == [("not-used", Severity.WARNING)]


def test_excel_lock_files_in_a_folder_are_ignored(tmp_path: Path) -> None:
    workbook(tmp_path / "b.xlsx", {"S": [["COST_CENTRE", "SERVICE_LINE"], ["CC1", "staffing"]]})
    (tmp_path / "~$b.xlsx").write_bytes(b"lock")
    files, issues = expand_paths([tmp_path])
    assert files == [tmp_path / "b.xlsx"]
    assert issues == []
