"""Files are recognised by their columns and every problem is located: file, row, column, rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carecast.errors import Severity
from carecast.ingest.loader import parse_file, parse_path
from tests.conftest import SHARED, Writer

PLACEMENT_COSTS = (
    "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,CONTRIBUTION_PCT,COST_CENTRE\n"
)


def errors(path: Path) -> list[str]:
    _parsed, issues = parse_file(path)
    return [i.format() for i in issues if i.severity is Severity.ERROR]


def test_a_file_is_recognised_by_its_columns_not_its_name(write: Writer) -> None:
    path = write(
        "export_from_contrOCC.csv",
        PLACEMENT_COSTS + "C1,placements_ifa,Agency,2018-05-01,,911,,IFA1\n",
    )
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert parsed.dataset.name == "placement_costs"
    assert issues == []
    assert parsed.frame["WEEKLY_COST"].to_list() == [91100]


def test_column_names_match_whatever_their_case_and_spacing(write: Writer) -> None:
    path = write(
        "budget.csv", ' financial_year , Service_Line,budget\n2018-19,staffing,"£6,400,000"\n'
    )
    parsed, _ = parse_file(path)
    assert parsed is not None
    assert parsed.frame["BUDGET"].to_list() == [640_000_000]


def test_a_missing_column_is_named_with_the_file(write: Writer) -> None:
    path = write("budget.csv", "FINANCIAL_YEAR,SERVICE_LINE\n2018-19,staffing\n")
    assert errors(path) == [
        f"{path}:1:BUDGET: missing-column: this looks like a budget file but has no BUDGET column; add it"
    ]


def test_bad_dates_and_numbers_are_located_by_spreadsheet_row_and_column_as_spelt(
    write: Writer,
) -> None:
    path = write(
        "costs.csv",
        PLACEMENT_COSTS.lower()
        + "C1,placements_ifa,Agency,2018-05-01,,911,,IFA1\n"
        + "C2,placements_ifa,Agency,31/09/2018,,911,,IFA1\n"
        + "C3,placements_ifa,Agency,2018-05-01,,nine hundred,,IFA1\n",
    )
    assert errors(path) == [
        f"{path}:3:start_date: bad-date: '31/09/2018' is not a real calendar date",
        f"{path}:4:weekly_cost: bad-number: 'nine hundred' is not an amount in pounds; "
        "write it like 1234.56 or £1,234.56",
    ]


def test_a_file_with_errors_yields_no_records(write: Writer) -> None:
    path = write(
        "costs.csv",
        PLACEMENT_COSTS + "C1,placements_ifa,Agency,2018-05-01,,911,,IFA1\nC2,x,A,,,1,,I\n",
    )
    parsed, _ = parse_file(path)
    assert parsed is not None
    assert parsed.has_errors


def test_end_date_before_start_date_is_an_error(write: Writer) -> None:
    path = write(
        "costs.csv", PLACEMENT_COSTS + "C1,placements_ifa,Agency,2018-05-01,2018-04-01,911,,IFA1\n"
    )
    [error] = errors(path)
    assert ":2:END_DATE: end-before-start:" in error


def test_unknown_codes_name_the_valid_ones(write: Writer) -> None:
    path = write(
        "establishment.csv", "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST\nP1,T,SW,1,interim,50000\n"
    )
    [error] = errors(path)
    assert error.startswith(f"{path}:2:STATUS: bad-code: 'interim' is not a valid STATUS")
    assert "agency" in error


def test_an_unrecognisable_file_says_so(write: Writer) -> None:
    path = write("notes.csv", "A,B,C\n1,2,3\n")
    assert errors(path) == [
        f"{path}:1:: unknown-table: the columns match no input carecast knows (see formats.md); "
        "check the header row"
    ]


def test_excel_saved_windows_1252_with_pound_signs_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "budget.csv"
    path.write_bytes(
        "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\r\n2018-19,staffing,£6400000\r\n".encode("cp1252")
    )
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert parsed.frame["BUDGET"].to_list() == [640_000_000]
    assert [i.rule for i in issues] == ["encoding"]
    assert issues[0].severity is Severity.WARNING


def test_a_utf8_byte_order_mark_and_trailing_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "cc.csv"
    path.write_bytes(b"\xef\xbb\xbfCOST_CENTRE,SERVICE_LINE\r\nCC1,staffing\r\n\r\n\r\n")
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert issues == []
    assert parsed.row_count == 1


def test_a_row_with_more_values_than_columns_is_located(write: Writer) -> None:
    path = write("cc.csv", "COST_CENTRE,SERVICE_LINE\nCC1,staffing,extra\n")
    [error] = errors(path)
    assert error.startswith(f"{path}:2:: row-length:")


def test_a_file_that_is_not_really_a_workbook_says_so(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"PK\x03\x04")
    [error] = errors(path)
    assert error.startswith(f"{path}::: bad-xlsx: not readable as an Excel workbook (.xlsx): ")
    assert "\n" not in error


def test_formats_carecast_cannot_read_are_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "budget.ods"
    path.write_bytes(b"PK\x03\x04")
    assert errors(path) == [
        f"{path}::: unsupported-format: carecast reads CSV, XLSX and SSDA903 XML files; "
        "save this .ods as CSV"
    ]


STRUCTURE = ("missing-value", "bad-date", "bad-code", "bad-number", "missing-column", "row-length")


@pytest.mark.parametrize("name", ["episodes.csv", "header.csv"])
def test_the_dfe_validator_fake_return_has_no_structural_errors(name: str) -> None:
    parsed, issues = parse_file(SHARED / "fixtures" / "ssda903_fake" / name)
    assert parsed is not None
    assert not [i for i in issues if i.rule in STRUCTURE], issues[:3]
    assert parsed.frame.height == {"episodes.csv": 5050, "header.csv": 2675}[name]
    # Its header is sound; its random episodes overlap (see test_ingest_fixtures.py).
    assert parsed.has_errors is (name == "episodes.csv")


def test_every_demand_model_sample_year_is_read_without_structural_errors() -> None:
    folder = SHARED / "fixtures" / "demand_model_samples"
    for year in (2017, 2018, 2019, 2020):
        for table in ("episodes", "header"):
            parsed, issues = parse_file(folder / f"{year}-{table}.csv")
            assert parsed is not None
            assert not [i for i in issues if i.rule in STRUCTURE], (year, table, issues[:3])


def test_open_episodes_are_those_without_a_dec() -> None:
    parsed, _ = parse_file(SHARED / "fixtures" / "ssda903_fake" / "episodes.csv")
    assert parsed is not None
    open_episodes = parsed.frame.filter(pl.col("DEC").is_null())
    assert open_episodes.height == 1413


def test_a_column_mixing_both_date_spellings_reads_both(write: Writer) -> None:
    path = write(
        "allowances.csv",
        "CASE_ID,ALLOWANCE_TYPE,START_DATE,END_DATE,WEEKLY_AMOUNT\n"
        "S1,sgo,01/04/2018,,150\nS2,sgo,2018-05-01,31/03/2019,150\n",
    )
    parsed, issues = parse_file(path)
    assert issues == []
    assert parsed is not None
    assert parsed.frame["START_DATE"].to_list() == [date(2018, 4, 1), date(2018, 5, 1)]


def test_an_ssda903_xml_file_needs_parse_path(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(
        "<EXPSSDA903><CHILD><HEADER><CHILDID>A</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB>"
        "<ETHNIC>WBRI</ETHNIC></HEADER><EPISODE><DECOM>01/05/2018</DECOM><RNE>S</RNE><LS>C2</LS>"
        "<CIN>N1</CIN><PL>U4</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD></EXPSSDA903>"
    )
    with pytest.raises(ValueError, match="parse_path"):
        parse_file(path)
    parsed, issues = parse_path(path)
    assert [p.dataset.name for p in parsed] == ["ssda903_header", "ssda903_episodes"]
    assert issues == []
