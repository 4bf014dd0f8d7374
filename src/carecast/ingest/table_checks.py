"""What no table may hold, whatever file it came from: checks on its headings and its text cells.

- a heading given twice: which of the two columns is meant cannot be told (refused);
- a NUL byte or a byte-order mark (U+FEFF) inside a cell or heading: invisible, never part of a
  value, and a NUL cannot be written to PostgreSQL. carecast refuses them rather than strips them,
  so what is stored is always what the file shows; a mark inside a row is what joining two files
  with `cat` leaves behind, and the fix is to remove it (or the second header) and save again;
- Excel's error values (#DIV/0!, #N/A …): the formula behind the cell failed, so its value is not
  known; stored as a blank it would become a quiet wrong number (a 20% contribution read as 0);
- a cell longer than Excel allows, or more rows than carecast reads (reading_limits.py).

Each problem names the row and the column as the file spells it. A file with many cells alike
gets the first few located and one line counting the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.reading_limits import MAX_CELL_CHARS, MAX_ROWS, too_large

if TYPE_CHECKING:  # reading.py calls these checks: a run-time import would be circular
    from carecast.ingest.reading import RawTable

# Excel's error values, as a cell shows them and as Excel writes them into a CSV.
ERROR_VALUES = (
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)
NUL = "\x00"
BOM = "\ufeff"
SHOWN = 20  # cells located per check and file; the rest are counted in one more line
LINES_SCANNED_BYTES = 1 << 20  # files up to this size are scanned for their longest line


@dataclass(frozen=True)
class Suspects:
    """Which checks a file's bytes say could find something (all, when the bytes are unknown).

    Scanning every cell of a million-row file costs more than searching its bytes once, so a
    reader that has the bytes passes what it found there.
    """

    nul: bool = True
    bom: bool = True
    error_value: bool = True
    too_long: bool = True


def suspects_in(data: bytes) -> Suspects:
    """What a CSV file's UTF-8 bytes (after any leading byte-order mark) may hold."""
    return Suspects(
        nul=b"\x00" in data,
        # A byte-order mark is not ASCII: an ASCII file (checked far faster) holds none.
        bom=not data.isascii() and BOM.encode() in data,
        # Each error value starts with '#': one quick search spares ten slower ones in most files.
        error_value=b"#" in data and any(value.encode() in data for value in ERROR_VALUES),
        too_long=_may_hold_long_cell(data),
    )


def _may_hold_long_cell(data: bytes) -> bool:
    """Whether a cell could be longer than MAX_CELL_CHARS characters.

    A character takes at least a byte in any encoding, and a cell spans lines only inside quotes:
    in a file with no quote, no cell is longer than its longest line. Small files only: on a
    large one the scan would cost about what the check does.
    """
    if len(data) <= MAX_CELL_CHARS:
        return False
    if b'"' in data or len(data) > LINES_SCANNED_BYTES:
        return True
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    bounds = np.concatenate(([-1], ends, [len(data)]))
    return bool(np.diff(bounds).max() - 1 > MAX_CELL_CHARS)


def excel_error_message(value: str) -> str:
    return (
        f"the cell holds Excel's error {value}: the formula behind it failed, so its value is not "
        "known; correct the formula (or type the value) in the workbook, then save it again"
    )


def duplicate_headings(
    source: str, header: tuple[str, ...], row: int, name: Callable[[int], str]
) -> list[Issue]:
    """A heading given twice (whatever its case), naming both columns; `name` labels a position."""
    first: dict[str, int] = {}
    issues: list[Issue] = []
    for position, heading in enumerate(header):
        key = heading.strip().lower()
        if not key:
            continue
        if key in first:
            earlier = first[key]
            message = (
                f"the heading '{heading.strip()}' is given twice, in {name(earlier)} and "
                f"{name(position)}: carecast cannot tell which to read; rename or remove one"
            )
            issues.append(Issue(source, row, heading.strip(), "duplicate-column", message))
        else:
            first[key] = position
    return issues


def heading_problems(source: str, header: tuple[str, ...], row: int) -> list[Issue]:
    """Invisible characters inside headings (a mark at the very start of a file is read away)."""
    issues = []
    for position, heading in enumerate(header):
        found = _invisible(heading)
        if found:
            shown = heading.replace(NUL, "").replace(BOM, "").strip()
            issues.append(Issue(source, row, shown or f"column {position + 1}", *found))
    return issues


def _invisible(text: str) -> tuple[str, str] | None:
    if NUL in text:
        return "nul-byte", (
            "the value holds a NUL byte, which is not text: the file is damaged or was saved by "
            "a program that pads with zeros; remove it, or save the file again as CSV UTF-8"
        )
    if BOM in text:
        return "stray-bom", (
            "the value holds a byte-order mark (U+FEFF), an invisible character often left where two "
            "files were joined together; delete it (and any header row joined in), then save again"
        )
    return None


Describe = Callable[[str], tuple[str, str]]  # a flagged cell's text → (rule, message)


def cell_problems(table: RawTable, suspects: Suspects = Suspects()) -> list[Issue]:
    """Every row and cell of the table checked for what no input may hold.

    One pass over all columns says which checks find anything (usually none); only those are
    run again column by column to locate the cells.
    """
    if table.frame.height > MAX_ROWS:
        what = f"the table has {table.frame.height:,} rows, more than {MAX_ROWS:,}"
        return [too_large(table.source, None, None, what, "split the file by year or period")]
    positions = [p for p in range(len(table.header)) if table.column_name(p) in table.frame.columns]
    checks = _checks(suspects)
    if not positions or not checks:
        return []
    found = table.frame.select(
        pl.any_horizontal(
            flag(pl.col(table.column_name(p))).fill_null(value=False).any() for p in positions
        ).alias(str(index))
        for index, (flag, _) in enumerate(checks)
    ).row(0)
    issues: list[Issue] = []
    for (flag, describe), any_found in zip(checks, found, strict=True):
        if any_found:
            for position in positions:
                issues += _located(table, position, flag, describe)
    return sorted(issues, key=lambda i: i.row or 0)


def _checks(suspects: Suspects) -> list[tuple[Callable[[pl.Expr], pl.Expr], Describe]]:
    checks: list[tuple[Callable[[pl.Expr], pl.Expr], Describe]] = []
    if suspects.too_long:  # bytes ≥ characters
        checks.append((lambda cell: cell.str.len_bytes() > MAX_CELL_CHARS, _too_long))
    if suspects.nul or suspects.bom:
        checks.append(
            (
                lambda cell: (
                    cell.str.contains(NUL, literal=True) | cell.str.contains(BOM, literal=True)
                ),
                lambda text: _invisible(text) or ("", ""),
            )
        )
    if suspects.error_value:
        checks.append(
            (
                lambda cell: cell.str.strip_chars().is_in(ERROR_VALUES),
                lambda text: ("excel-error", excel_error_message(text.strip())),
            )
        )
    return checks


def _located(
    table: RawTable, position: int, flag: Callable[[pl.Expr], pl.Expr], describe: Describe
) -> list[Issue]:
    cell = pl.col(table.column_name(position))
    heading = table.spelling(position).strip() or f"column {position + 1}"  # a blank heading
    found = table.frame.filter(flag(cell).fill_null(value=False)).select(ROW, cell.alias("cell"))
    issues: list[Issue] = []
    for row, text in found.head(SHOWN).iter_rows():
        rule, message = describe(text)
        if rule:  # a cell longer in bytes than the limit may still be short enough in characters
            issues.append(Issue(table.source, row, heading, rule, message))
    if found.height > SHOWN and issues:
        more = f"{found.height - SHOWN:,} more cells of this column have the same problem"
        issues.append(Issue(table.source, None, heading, issues[-1].rule, more))
    return issues


def _too_long(text: str) -> tuple[str, str]:
    if len(text) <= MAX_CELL_CHARS:
        return "", ""
    what = f"the cell holds {len(text):,} characters, more than {MAX_CELL_CHARS:,}"
    fix = "a quote left open may have swallowed the rows after it; check the cell"
    return "too-large", f"{what} (carecast's limit); {fix}"
