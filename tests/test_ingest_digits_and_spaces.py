"""A date or a figure is read only from the digits 0-9 in the documented shape; anything that merely
looks like one on screen is a refusal at its cell that names what is wrong.

The fuzzer's input csv:header 8607 (the header extract re-encoded with CR line ends, then one bit
flipped) turned the DOB `01/01/2008` into `01/ 1/2008` — byte 0x30 '0' became 0x20 ' '. polars'
strptime skips spaces before a number, so carecast stored 2008-01-01, though neither DD/MM/YYYY
nor its own error message allows a space there. A digit of another script (Arabic-Indic '٠١',
full-width '０１') passed the money pattern, because polars' regex `\\d` is Unicode, and a money
cell of `3.٥` crashed the import instead of being refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from carecast.errors import Issue, Severity
from carecast.ingest.loader import parse_file, parse_path
from carecast.ingest.mapping import load_mapping
from tests.conftest import Writer

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
COSTS = (
    "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,CONTRIBUTION_PCT,COST_CENTRE\n"
)
LEDGER = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"
POSTS = "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST,CASELOAD\n"

# (cell, what the refusal says stops it being read)
NOT_DATES = [
    ("01/ 1/2008", "has a space inside it"),  # the fuzzer's input 8607
    ("01/\u00a01/2008", "has a space inside it"),  # no-break space
    ("01/\u20071/2008", "has a space inside it"),  # figure space: as wide as a digit
    ("2008- 1-01", "has a space inside it"),
    ("+2008-01-01", "is not a date"),
    ("٠١/٠١/٢٠٠٨", "has '٠', not one of the digits 0-9"),  # Arabic-Indic
    ("０１/０１/２００８", "has '０', not one of the digits 0-9"),  # full-width
    ("01/01/２００８", "has '２', not one of the digits 0-9"),
]
NOT_FIGURES = [
    ("٩١٠", "has '٩', not one of the digits 0-9"),
    ("3.٥", "has '٥', not one of the digits 0-9"),  # crashed the import before
    ("１２", "has '１', not one of the digits 0-9"),
]


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def only_problem(path: Path) -> Issue:
    _parsed, issues = parse_file(path)
    [problem] = errors(issues)
    return problem


def test_the_fuzzers_input_8607_is_refused_at_the_dob_of_row_2(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(
        b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r"
        b"C1,1,01/ 1/2008,WBRI,,,\r"
        b"C2,2,01/02/2001,WBRI,,,\r"
    )
    problem = only_problem(path)
    assert (problem.source, problem.row, problem.column, problem.rule) == (
        str(path),
        2,
        "DOB",
        "bad-date",
    )
    assert problem.message == (
        "'01/ 1/2008' has a space inside it: it is not a date; write YYYY-MM-DD or DD/MM/YYYY"
    )


@pytest.mark.parametrize(("cell", "said"), NOT_DATES)
def test_a_dob_not_in_ascii_digits_is_refused_in_a_csv(write: Writer, cell: str, said: str) -> None:
    problem = only_problem(write("header.csv", HEADER + f"C1,1,{cell},WBRI,,,\n"))
    assert (problem.row, problem.column, problem.rule) == (2, "DOB", "bad-date")
    assert problem.message.startswith(f"'{cell}' {said}")


@pytest.mark.parametrize(("cell", "said"), NOT_DATES)
def test_a_dob_not_in_ascii_digits_is_refused_in_a_workbooks_text_cell(
    tmp_path: Path, cell: str, said: str
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["C1", "1", cell, "WBRI"])
    path = tmp_path / "header.xlsx"
    book.save(path)
    problem = only_problem(path)
    assert (problem.row, problem.column, problem.rule) == (2, "DOB", "bad-date")
    assert problem.message.startswith(f"'{cell}' {said}")


@pytest.mark.parametrize(("cell", "said"), NOT_DATES)
def test_a_dob_not_in_ascii_digits_is_refused_in_ssda903_xml(
    write: Writer, cell: str, said: str
) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n  <CHILD>\n    <HEADER>\n'
        "      <CHILDID>C1</CHILDID>\n      <SEX>1</SEX>\n"
        f"      <DOB>{cell}</DOB>\n      <ETHNIC>WBRI</ETHNIC>\n"
        "    </HEADER>\n  </CHILD>\n</EXPSSDA903>\n"
    )
    _parsed, issues = parse_path(write("return.xml", xml))
    dob = [i for i in errors(issues) if i.column == "DOB"]
    assert [(i.rule, i.message.startswith(f"'{cell}' {said}")) for i in dob] == [("bad-date", True)]
    assert dob[0].row is not None


@pytest.mark.parametrize(("cell", "said"), NOT_FIGURES)
def test_a_weekly_cost_not_in_ascii_digits_is_refused(write: Writer, cell: str, said: str) -> None:
    path = write(
        "placement_costs.csv", COSTS + f"C1,placements_ifa,Agency,2018-05-01,,{cell},,IFA1\n"
    )
    problem = only_problem(path)
    assert (problem.row, problem.column, problem.rule) == (2, "WEEKLY_COST", "bad-number")
    assert problem.message.startswith(f"'{cell}' {said}: it is not an amount in pounds")


@pytest.mark.parametrize(("cell", "said"), NOT_FIGURES)
def test_an_amount_not_in_ascii_digits_is_refused(write: Writer, cell: str, said: str) -> None:
    problem = only_problem(write("gl.csv", LEDGER + f"2018-09,SW1,1000,{cell}\n"))
    assert (problem.row, problem.column, problem.rule) == (2, "AMOUNT", "bad-number")
    assert problem.message.startswith(f"'{cell}' {said}: it is not an amount in pounds")


@pytest.mark.parametrize(
    ("cell", "said"), [("٠.٥", "has '٠'"), ("0.٥", "has '٥'"), ("１", "has '１'")]
)
def test_an_fte_not_in_ascii_digits_is_refused(write: Writer, cell: str, said: str) -> None:
    path = write("posts.csv", POSTS + f"P1,Team A,Social worker,{cell},permanent,45000,15\n")
    problem = only_problem(path)
    assert (problem.row, problem.column, problem.rule) == (2, "FTE", "bad-number")
    assert problem.message.startswith(f"'{cell}' {said}, not one of the digits 0-9: it is not a")


def test_dates_and_figures_in_the_documented_shapes_still_read(write: Writer) -> None:
    header, issues = parse_file(
        write("header.csv", HEADER + "C1,1,01/01/2008,WBRI,,,\nC2,2,\u00a01/2/2001 ,WBRI,,,\n")
    )
    assert errors(issues) == []
    assert header is not None
    assert header.frame["DOB"].to_list() == [date(2008, 1, 1), date(2001, 2, 1)]
    costs, issues = parse_file(
        write(
            "placement_costs.csv", COSTS + "C1,placements_ifa,Agency,2018-05-01,,£1 234.5,,IFA1\n"
        )
    )
    assert errors(issues) == []
    assert costs is not None
    assert costs.frame["WEEKLY_COST"].to_list() == [123450]


def test_a_mapping_files_date_format_does_not_read_a_space_inside_a_date(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("columns:\n  Birth Date: DOB\ndate_format: DD/MM/YYYY\n")
    export = tmp_path / "header.csv"
    export.write_text(
        "CHILD,SEX,Birth Date,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/ 1/2008,WBRI,,,\nC2,2,1/2/2001,WBRI,,,\n"
    )
    _parsed, issues = parse_file(export, None, load_mapping(mapping_file))
    [problem] = errors(issues)
    assert (problem.row, problem.column, problem.rule) == (2, "Birth Date", "bad-date")
    assert problem.message.startswith("'01/ 1/2008' has a space inside it")
