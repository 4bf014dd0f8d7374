"""Reading hostile or damaged workbooks: one guard around all of it, never a traceback (issue [6]).

Damaged zips and parts, DTDs, Excel's error cells, duplicated headings and parts built to exhaust
memory are each refused at their part, sheet or cell, with what to do about it.
"""

from __future__ import annotations

import struct
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from carecast.errors import Issue, Severity
from carecast.ingest.loader import parse_file, read_tables
from carecast.ingest.reading_limits import MAX_WORKBOOK_XML_BYTES

SHEET = "xl/worksheets/sheet1.xml"
CENTRES: list[list[object]] = [
    ["COST_CENTRE", "SERVICE_LINE", "S251_LINE"],
    ["CC1", "placements_ifa", "3.1.1"],
]


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def workbook(path: Path, rows: list[list[object]] = CENTRES) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Centres"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewrite(path: Path, part: str, change: Callable[[bytes], bytes] | None) -> Path:
    """The workbook with one part changed (None: removed)."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            if name != part:
                new.writestr(name, data)
            elif change is not None:
                new.writestr(name, change(data))
    return path


def _entities(xml: bytes) -> bytes:
    declared = b'<!DOCTYPE worksheet [<!ENTITY cc "CC9">]>'
    return declared + xml.replace(b"<t>CC1</t>", b"<t>&cc;</t>")


def _corrupt_stream(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(10, 40):
        data[start + offset] ^= 0x55
    path.write_bytes(bytes(data))
    return path


DAMAGE: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # name: (damage, rule, what the message says)
    "a sheet declaring entities": (
        lambda p: rewrite(p, SHEET, _entities),
        "bad-xlsx",
        "sheet 'Centres': xl/worksheets/sheet1.xml declares a DTD or entities",
    ),
    "a corrupt zip stream": (_corrupt_stream, "bad-xlsx", "xl/worksheets/sheet1.xml is damaged"),
    "a mismatched tag": (
        lambda p: rewrite(p, SHEET, lambda x: x.replace(b"</row>", b"</rowx>", 1)),
        "bad-xlsx",
        "is not well-formed XML (mismatched tag, line ",
    ),
    "a sheet cut short after a row": (
        lambda p: rewrite(p, SHEET, lambda x: x[: x.index(b"</row>") + 6]),
        "bad-xlsx",
        "is not well-formed XML (no element found, line ",
    ),
    "no workbook.xml": (
        lambda p: rewrite(p, "xl/workbook.xml", None),
        "bad-xlsx",
        "the workbook has no xl/workbook.xml",
    ),
    "not a zip at all": (
        lambda p: (p.write_bytes(b"COST_CENTRE,SERVICE_LINE\n"), p)[1],
        "bad-xlsx",
        "it cannot be opened as the zip archive",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_workbook_is_refused_naming_the_part_and_how_to_fix_it(
    tmp_path: Path, damage: str
) -> None:
    change, rule, says = DAMAGE[damage]
    path = change(workbook(tmp_path / "centres.xlsx"))
    parsed, issues = parse_file(path)  # before: a traceback for each but the last
    assert parsed is None
    [issue] = issues
    assert (issue.source, issue.rule) == (str(path), rule)
    assert issue.message.startswith("not readable as an Excel workbook (.xlsx): ")
    assert says in issue.message
    assert issue.message.endswith("save it again as an Excel Workbook (.xlsx)")


def test_a_non_numeric_value_in_a_numeric_cell_is_read_as_the_text_it_holds(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path / "centres.xlsx")
    rewrite(path, SHEET, lambda x: x.replace(b't="inlineStr"><is><t>3.1.1</t></is>', b"><v>x1</v>"))
    [table], issues = read_tables(path)
    assert issues == []
    assert table.frame.get_column("col2").to_list() == ["x1"]


def test_excel_error_cells_are_errors_at_their_sheet_cell_and_column(tmp_path: Path) -> None:
    heading: list[object] = ["CHILD", "PLACEMENT_TYPE", "PROVIDER", "START_DATE", "WEEKLY_COST"]
    rows: list[list[object]] = [
        [*heading, "COST_CENTRE", "CONTRIBUTION_PCT"],
        ["C1", "placements_ifa", "Agency", "2018-04-01", 900, "IFA1", 20],
        ["C2", "placements_ifa", "Agency", "2018-04-01", 900, "IFA1", "#N/A"],  # text: an error too
    ]
    path = workbook(tmp_path / "costs.xlsx", rows)

    def broken(xml: bytes) -> bytes:  # G2 becomes a formula Excel could not compute
        cell = b'<c r="G2" t="n"><v>20</v></c>'
        assert cell in xml
        return xml.replace(cell, b'<c r="G2" t="e"><f>A2/0</f><v>#DIV/0!</v></c>')

    rewrite(path, SHEET, broken)
    _, issues = parse_file(path)
    located = [(i.row, i.column, i.rule) for i in errors(issues)]
    assert (2, "CONTRIBUTION_PCT", "excel-error") in located  # before: read as a blank, so 0%
    assert (3, "CONTRIBUTION_PCT", "excel-error") in located
    [cell] = [i for i in issues if i.row == 2 and i.rule == "excel-error"]
    assert cell.message.startswith("sheet 'Centres', cell G2: the cell holds Excel's error #DIV/0!")


def test_a_heading_given_twice_in_a_sheet_is_refused_naming_both_columns(tmp_path: Path) -> None:
    path = workbook(tmp_path / "centres.xlsx", [["COST_CENTRE", "SERVICE_LINE", "COST_CENTRE"]])
    _, issues = read_tables(path)
    [issue] = issues
    assert (issue.row, issue.column, issue.rule) == (1, "COST_CENTRE", "duplicate-column")
    assert "in column A and column C" in issue.message


@pytest.fixture(scope="module")
def shared_strings_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook of a few MB carrying a 1 GiB shared-strings part (built once: ~3 s)."""
    path = workbook(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")
    unit = b"<si><t>x</t></si>" * 4096
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as book,
        book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range((1 << 30) // len(unit)):
            part.write(unit)
        part.write(b"</sst>")
    return path


def test_a_small_workbook_with_a_1_gib_part_is_refused_before_it_is_read(
    shared_strings_bomb: Path,
) -> None:
    assert shared_strings_bomb.stat().st_size < 8 * 1024 * 1024
    started = time.perf_counter()
    parsed, issues = parse_file(shared_strings_bomb)  # before: read at 3.3 GB of memory
    assert time.perf_counter() - started < 1  # nothing decompressed
    assert parsed is None
    [issue] = issues
    assert issue.rule == "too-large"
    assert issue.message.startswith("xl/sharedStrings.xml says it holds 1,024 MiB of XML")
    assert f"{MAX_WORKBOOK_XML_BYTES // 1024 // 1024} MiB carecast reads" in issue.message


def _declare_size(path: Path, part: str, size: int) -> Path:
    """Make the zip's headers claim `size` bytes for `part` (as a crafted file would)."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature + b"")
        while at >= 0:
            header = 30 if signature == b"PK\x03\x04" else 46
            length = struct.unpack_from("<H", data, at + (26 if header == 30 else 28))[0]
            if bytes(data[at + header : at + header + length]) == name:
                struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def test_a_part_larger_than_its_header_declares_is_refused_as_damaged(tmp_path: Path) -> None:
    more: list[list[object]] = [["CC2", "x", "y"]] * 2000
    path = workbook(tmp_path / "centres.xlsx", [*CENTRES, *more])
    _declare_size(path, SHEET, 100)
    _, issues = parse_file(path)
    [issue] = issues
    assert issue.rule == "bad-xlsx"
    assert "xl/worksheets/sheet1.xml" in issue.message


def test_an_archive_python_cannot_open_is_refused_not_raised(tmp_path: Path) -> None:
    path = workbook(tmp_path / "centres.xlsx")
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6 : central + 8] = struct.pack("<H", 144)  # "needs zip version 14.4"
    path.write_bytes(bytes(data))
    _, issues = parse_file(path)  # before: NotImplementedError out of zipfile
    [issue] = issues
    assert issue.rule == "bad-xlsx"
    assert "it cannot be opened as the zip archive" in issue.message


def test_a_column_of_error_cells_is_located_for_the_first_twenty_and_counted_after(
    tmp_path: Path,
) -> None:
    rows: list[list[object]] = [["CC", "placements_ifa", f"x{n}"] for n in range(2, 32)]
    path = workbook(tmp_path / "centres.xlsx", [CENTRES[0], *rows])

    def broken(xml: bytes) -> bytes:
        for n in range(2, 32):
            cell = f'<c r="C{n}" t="inlineStr"><is><t>x{n}</t></is></c>'.encode()
            xml = xml.replace(cell, f'<c r="C{n}" t="e"><v>#REF!</v></c>'.encode())
        return xml

    rewrite(path, SHEET, broken)
    _, issues = read_tables(path)
    assert [i.row for i in issues] == [*range(2, 22), None]
    assert issues[-1].message == "10 more cells of this column hold Excel errors"


def test_a_date_and_time_in_a_text_column_is_kept_as_the_cell_shows_it(tmp_path: Path) -> None:
    """Found by the fuzzer: text reading '2018-05-01 00:00:00' in a text column was stored as
    '2018-05-01'; only in a date column is a date cell's midnight dropped."""
    rows: list[list[object]] = [
        ["CASE_ID", "ALLOWANCE_TYPE", "START_DATE", "END_DATE", "WEEKLY_AMOUNT"],
        ["2018-05-01 00:00:00", "sgo", datetime(2017, 6, 1), "2019-01-03 00:00:00", 150],
    ]
    parsed, issues = parse_file(workbook(tmp_path / "allowances.xlsx", rows))
    assert errors(issues) == []
    assert parsed is not None
    assert parsed.frame.row(0, named=True) | {"__row": 0} == {
        "__row": 0,
        "CASE_ID": "2018-05-01 00:00:00",
        "ALLOWANCE_TYPE": "sgo",
        "START_DATE": date(2017, 6, 1),
        "END_DATE": date(2019, 1, 3),
        "WEEKLY_AMOUNT": 15000,
    }


@pytest.mark.parametrize(
    ("reference", "rule"), [("ZZZZ9", "bad-xlsx"), ("B0", "bad-xlsx"), ("XFD1048576", "too-large")]
)
def test_a_cell_outside_the_sheet_or_far_beyond_the_table_is_refused(
    tmp_path: Path, reference: str, rule: str
) -> None:
    """Found by the fuzzer: one cell at ZZZZ9 (past Excel's last column) made calamine read for
    minutes; at XFD1048576 the range it holds from A1 is 17 billion cells."""
    path = workbook(tmp_path / "centres.xlsx")
    far = f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    rewrite(path, SHEET, lambda x: x.replace(b"</row>", far, 1))
    started = time.perf_counter()
    tables, issues = read_tables(path)
    assert time.perf_counter() - started < 10
    assert tables == []
    assert [(i.rule, reference in i.message) for i in issues] == [(rule, True)]
