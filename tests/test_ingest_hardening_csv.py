"""Reading hostile or damaged CSV: a located refusal or the file's own values (issue [6]).

Stray quotes, files joined together, Excel's error values, the wrong encoding and cells or files
beyond carecast's limits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.errors import Severity
from carecast.ingest import table_checks
from carecast.ingest.loader import parse_file
from carecast.ingest.reading import parse_csv_bytes
from carecast.ingest.reading_limits import MAX_CELL_CHARS


@pytest.mark.parametrize("value", table_checks.ERROR_VALUES)
def test_excel_error_values_in_a_csv_are_errors(value: str) -> None:
    data = f"COST_CENTRE,SERVICE_LINE,S251_LINE\r\nCC1,placements_ifa,{value}\r\n".encode()
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert [(i.row, i.column, i.rule) for i in issues] == [(2, "S251_LINE", "excel-error")]


def test_a_quote_left_open_in_the_header_is_an_error_naming_the_file() -> None:
    data = b'POST_ID,"GRADE,FTE\r\nP1,SW,1\r\nP2,SW,1\r\n'
    table, issues = parse_csv_bytes(data, "establishment.csv", "")
    assert table is None  # before: read as a file of 0 rows, and accepted
    [issue] = issues
    assert (issue.source, issue.row, issue.rule) == ("establishment.csv", 1, "bad-header")
    assert issue.message.startswith('the header row does not parse: a quote (") opens')


def test_a_quote_left_open_in_a_cell_is_an_error_at_its_row_and_column() -> None:
    data = b'COST_CENTRE,SERVICE_LINE\r\nCC1,"placements_ifa\r\nCC2,placements_ifa\r\n'
    table, issues = parse_csv_bytes(data, "centres.csv", "")
    assert table is None  # before: one row, the second swallowed into its SERVICE_LINE
    assert [(i.row, i.column, i.rule) for i in issues] == [(2, "SERVICE_LINE", "open-quote")]


def test_a_quoted_cell_holding_a_line_break_is_still_read() -> None:
    data = b'COST_CENTRE,SERVICE_LINE,S251_LINE\r\nCC1,placements_ifa,"3.1\r\n1"\r\nCC2,x,y\r\n'
    table, issues = parse_csv_bytes(data, "centres.csv", "")
    assert issues == []
    assert table is not None
    assert table.frame.get_column("col2").to_list() == ["3.1\r\n1", "y"]


def test_a_heading_given_twice_is_refused_naming_both_columns() -> None:
    data = b"COST_CENTRE,SERVICE_LINE,cost_centre\r\nCC1,placements_ifa,CC9\r\n"
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    [issue] = issues  # before: the first column won, without a word
    assert (issue.row, issue.column, issue.rule) == (1, "cost_centre", "duplicate-column")
    assert "in column 1 and column 3" in issue.message


@pytest.mark.parametrize(
    ("cell", "rule"), [(b"\xef\xbb\xbfCC1", "stray-bom"), (b"C\x00C1", "nul-byte")]
)
def test_a_byte_order_mark_or_nul_inside_a_file_is_refused_at_its_cell(
    cell: bytes, rule: str
) -> None:
    data = b"COST_CENTRE,SERVICE_LINE\r\n" + cell + b",placements_ifa\r\n"
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    # before: stored inside the CHILD or cost centre (a NUL crashed the PostgreSQL write)
    assert [(i.row, i.column, i.rule, i.severity) for i in issues] == [
        (2, "COST_CENTRE", rule, Severity.ERROR)
    ]


def test_a_byte_order_mark_at_the_start_of_the_file_is_still_read_away() -> None:
    table, issues = parse_csv_bytes(b"\xef\xbb\xbfCOST_CENTRE,SERVICE_LINE\r\nCC1,x\r\n", "c", "")
    assert issues == []
    assert table is not None
    assert table.header == ("COST_CENTRE", "SERVICE_LINE")


CENTRES_TEXT = "COST_CENTRE,SERVICE_LINE,S251_LINE\r\nCC1,placements_ifa,Café £1\r\n"


@pytest.mark.parametrize(
    ("codec", "named"),
    [
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_and_utf32_files_are_read_with_a_note_naming_the_encoding(
    tmp_path: Path, codec: str, named: str
) -> None:
    path = tmp_path / "centres.csv"
    path.write_bytes(CENTRES_TEXT.encode(codec))
    parsed, issues = parse_file(path)  # before: refused as unknown-table
    assert parsed is not None
    assert parsed.frame.get_column("S251_LINE").to_list() == ["Café £1"]
    [note] = issues
    assert (note.rule, note.severity) == ("encoding", Severity.WARNING)
    assert note.message.startswith(f"read as {named}")


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_the_first_bad_byte() -> None:
    data = CENTRES_TEXT.encode() + "CC2,placements_ifa,£2\r\n".encode("cp1252")
    table, issues = parse_csv_bytes(data, "centres.csv", "")
    assert table is None  # before: read as Windows-1252, storing 'Café' as 'CafÃ©'
    [issue] = issues
    assert (issue.row, issue.column, issue.rule) == (3, "S251_LINE", "encoding")
    assert "mixes two encodings" in issue.message


def test_bytes_neither_utf8_nor_windows_1252_are_refused_at_their_row_and_column() -> None:
    data = b"COST_CENTRE,SERVICE_LINE\r\nCC1,placements\x81ifa\r\n"
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    [issue] = issues
    assert (issue.row, issue.column, issue.rule) == (2, "SERVICE_LINE", "encoding")
    assert issue.message.startswith("byte 0x81 here is neither UTF-8 nor Windows-1252")


def test_windows_1252_reading_names_where_it_starts() -> None:
    data = "COST_CENTRE,SERVICE_LINE\r\nCC1,x\r\nCC2,caf\u00e9\r\n".encode("cp1252")
    table, issues = parse_csv_bytes(data, "centres.csv", "")
    assert table is not None
    assert [(i.row, i.column, i.severity) for i in issues] == [
        (3, "SERVICE_LINE", Severity.WARNING)
    ]


def test_a_cell_longer_than_excel_allows_is_refused_naming_the_limit() -> None:
    data = b"COST_CENTRE,SERVICE_LINE\r\nCC1," + b"x" * (MAX_CELL_CHARS + 1) + b"\r\n"
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    [issue] = issues
    assert (issue.row, issue.column, issue.rule) == (2, "SERVICE_LINE", "too-large")
    assert f"more than {MAX_CELL_CHARS:,} (carecast's limit)" in issue.message


def test_more_rows_than_the_limit_are_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_checks, "MAX_ROWS", 3)
    data = b"COST_CENTRE,SERVICE_LINE\r\n" + b"CC1,x\r\n" * 5
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert [i.rule for i in issues] == ["too-large"]
    assert issues[0].message.startswith("the table has 5 rows, more than 3 (carecast's limit)")


def test_many_alike_problems_are_located_for_the_first_twenty_and_counted_after() -> None:
    data = b"COST_CENTRE,SERVICE_LINE\r\n" + b"C\x00,x\r\n" * 25
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert [i.row for i in issues] == [None, *range(2, 22)]
    assert issues[0].message == "5 more cells of this column have the same problem"


def test_a_carriage_return_alone_inside_a_row_is_refused_at_its_cell() -> None:
    """Found by the fuzzer: polars kept `01/01/2008\\r,WBRI` in one row where Python's csv module
    and Excel start a new one, so two children were stored from a file Excel shows three rows
    of."""
    data = b"CHILD,SEX,DOB,ETHNIC\nC1,1,01/01/2008\r,WBRI\nC2,2,01/02/2001,WBRI\n"
    table, issues = parse_csv_bytes(data, "header.csv", "")
    assert table is None
    assert [(i.row, i.column, i.rule) for i in issues] == [(2, "DOB", "lone-cr")]


def test_carriage_returns_ending_every_line_or_inside_quotes_are_still_read() -> None:
    only_cr = b"COST_CENTRE,SERVICE_LINE\rCC1,placements_ifa\rCC2,staffing\r"
    quoted = b'COST_CENTRE,SERVICE_LINE,S251_LINE\nCC1,placements_ifa,"3.1\r1"\n'
    for data, rows in ((only_cr, 2), (quoted, 1)):
        table, issues = parse_csv_bytes(data, "centres.csv", "")
        assert issues == []
        assert table is not None
        assert table.frame.height == rows


def test_a_carriage_return_before_a_byte_that_is_not_text_does_not_stop_its_location() -> None:
    """Found by the fuzzer: locating the bad byte split its line with Python's csv module, which
    raised on the carriage return — a traceback instead of the encoding refusal."""
    data = b"CHILD,DOB\rC1,01/01/2008\rC2,x\x81y\r" + "é".encode()
    table, issues = parse_csv_bytes(data, "header.csv", "")
    assert table is None
    assert [(i.row, i.column, i.rule) for i in issues] == [(3, "DOB", "encoding")]


def test_a_problem_under_a_blank_heading_names_the_columns_position() -> None:
    """Found by the fuzzer: an Excel error under a blank heading was located with no column."""
    data = b"PERIOD,COST_CENTRE,,ACCOUNT,AMOUNT\n2018-09,IFA1,#N/A,5000,10\n"
    _, issues = parse_csv_bytes(data, "gl.csv", "")
    assert [(i.row, i.column, i.rule) for i in issues] == [(2, "column 3", "excel-error")]


def test_a_quoted_line_break_in_a_required_cell_is_a_missing_value(tmp_path: Path) -> None:
    """Found by the fuzzer: an ASCII file without spaces is not trimmed (its bytes say no cell
    needs it), but a quoted cell of just a line break was then stored as the line break: a post
    called '\\n', an account '\\n'."""
    path = tmp_path / "gl.csv"
    for cell in (b"\n", b"\r"):
        path.write_bytes(b'PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-06,RUN1,"' + cell + b'",10000\n')
        _, issues = parse_file(path)
        assert [(i.row, i.column, i.rule) for i in issues] == [(2, "ACCOUNT", "missing-value")]
