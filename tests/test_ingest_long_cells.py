"""A cell too long for Excel is found whether or not its file is scanned for it.

Checking every cell's length is a query a file; a small file whose lines are all short, with no
quote that could carry a cell over a line end, cannot hold a long cell, and is not queried. These
pin down that the shortcut never hides one: a long line, a long cell quoted across lines, and a
file of short lines that together pass the limit.
"""

from __future__ import annotations

from carecast.ingest.reading import parse_csv_bytes
from carecast.ingest.reading_limits import MAX_CELL_CHARS
from carecast.ingest.table_checks import suspects_in

HEADER = b"COST_CENTRE,SERVICE_LINE\n"


def test_a_small_file_of_short_unquoted_lines_is_not_scanned_for_long_cells() -> None:
    # 25 bytes of header and 4,100 lines of 8: 32,825 bytes, more than the 32,767-character
    # limit, and no line near it.
    data = HEADER + b"CC1,abc\n" * 4_100
    assert len(data) > MAX_CELL_CHARS
    assert not suspects_in(data).too_long
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert issues == []


def test_a_file_shorter_than_the_limit_cannot_hold_a_long_cell() -> None:
    assert not suspects_in(HEADER + b'CC1,"a\nb"\n').too_long


def test_a_long_unquoted_line_is_scanned_and_its_cell_refused() -> None:
    data = HEADER + b"CC1,abc\n" * 10 + b"CC2," + b"x" * (MAX_CELL_CHARS + 1) + b"\n"
    assert suspects_in(data).too_long
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert [(i.row, i.column, i.rule) for i in issues] == [(12, "SERVICE_LINE", "too-large")]


def test_a_line_exactly_at_the_limit_holds_no_long_cell() -> None:
    data = HEADER + b"x" * MAX_CELL_CHARS + b"\n" + b"CC1,abc\n"
    assert not suspects_in(data).too_long


def test_a_long_cell_quoted_across_short_lines_is_found() -> None:
    # 5,000 lines of 8 bytes inside one quoted cell: no line is long, the cell is 44,999
    # characters.
    cell = b"\n".join([b"abcdefgh"] * 5_000)
    data = HEADER + b'CC1,"' + cell + b'"\n'
    assert suspects_in(data).too_long
    _, issues = parse_csv_bytes(data, "centres.csv", "")
    assert "too-large" in [i.rule for i in issues]
