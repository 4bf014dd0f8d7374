"""Excel workbooks (.xlsx) → a RawTable of text, rows numbered as Excel shows them.

The first sheet is read unless a sheet is named (`costs.xlsx#Service agreements` on the command
line, or `sheet:` in a mapping file). The header is the fullest of the first rows (title rows above
it are skipped); a cell's row is its Excel row. Excel keeps dates as numbers: a cell formatted as a
date arrives as ISO text, and a bare serial number in a date column (a cell left as General) is
converted once the file is recognised, so both type as dates. Reading is calamine's (Rust, via
fastexcel): about 15× faster than openpyxl's read-only mode on a 100,000-row sheet (0.6 s against
9.5 s here).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.reading import RawTable

SHEET_MARK = "#"
HEADER_SEARCH = 20  # rows looked at for the header
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's phantom 29 Feb 1900 included)
# Serial numbers taken as dates: 1 Jan 1930 to 31 Dec 2099; anything else is left to fail typing.
SERIAL_RANGE = ((date(1930, 1, 1) - EXCEL_EPOCH).days, (date(2099, 12, 31) - EXCEL_EPOCH).days)


def split_sheet(path: Path) -> tuple[Path, str | None]:
    """`book.xlsx#Sheet name` → (book.xlsx, 'Sheet name'); other paths unchanged."""
    name = path.name
    if SHEET_MARK in name:
        book, sheet = name.split(SHEET_MARK, 1)
        if book.lower().endswith(".xlsx") and sheet:
            return path.with_name(book), sheet
    return path, None


def read_xlsx_file(
    path: Path, sheet: str | None = None, source: str | None = None, *, required: bool = True
) -> tuple[RawTable | None, list[Issue]]:
    """One sheet of a workbook as text cells; `source` names it in issues (default: the path).

    A named sheet the workbook lacks is an error, unless not `required` (a mapping file's
    preference): then the first sheet is read.
    """
    import fastexcel

    name = source or (str(path) if sheet is None or not required else f"{path}{SHEET_MARK}{sheet}")
    data = path.read_bytes()
    try:
        book = fastexcel.read_excel(data)
    except Exception as exc:  # calamine raises its own error types for unreadable files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = f"not readable as an Excel workbook (.xlsx): {reason}"
        return None, [Issue(name, None, None, "bad-xlsx", message)]
    names = list(book.sheet_names)
    index = 0
    if sheet is not None:
        wanted = sheet.strip().lower()
        matches = [i for i, n in enumerate(names) if n.strip().lower() == wanted]
        if not matches and not required:
            matches = [0]
        if not matches:
            listed = ", ".join(f"'{n}'" for n in names)
            message = f"the workbook has no sheet '{sheet}'; its sheets are {listed}"
            return None, [Issue(name, None, None, "no-sheet", message)]
        index = matches[0]
    frame = book.load_sheet(index, header_row=None, dtypes="string", skip_rows=0).to_polars()
    digest = hashlib.sha256(data).hexdigest()
    if sheet is not None:
        digest = hashlib.sha256(f"{digest}:{names[index]}".encode()).hexdigest()
    return _table(frame, name, digest)


def _table(frame: pl.DataFrame, source: str, digest: str) -> tuple[RawTable | None, list[Issue]]:
    cells = list(frame.columns)
    if not cells or frame.is_empty():
        return None, [Issue(source, 1, None, "empty-file", "the sheet is empty")]
    text = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    text = text.rename({c: f"col{i}" for i, c in enumerate(cells)})
    columns = [f"col{i}" for i in range(len(cells))]
    filled = pl.any_horizontal(pl.col(c).str.strip_chars().str.len_chars() > 0 for c in columns)
    used = text.filter(filled.fill_null(value=False))
    if used.is_empty():
        return None, [Issue(source, 1, None, "empty-file", "the sheet is empty")]
    # Exports often open with a title row or two: the header is the first of the opening rows
    # with the most cells filled (a title has one; headings fill every column).
    counts = (
        used.head(HEADER_SEARCH)
        .select(
            pl.sum_horizontal(
                pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0 for c in columns
            )
        )
        .to_series()
    )
    position = counts.arg_max() or 0
    header_row = used.row(position, named=True)
    header = tuple((header_row[c] or "").strip() for c in columns)
    # Columns to the right of the last heading carry nothing carecast can name.
    width = max(i for i, h in enumerate(header) if h) + 1
    body = used.slice(position + 1).select(ROW, *(_dates_as_iso(f"col{i}") for i in range(width)))
    return RawTable(source, digest, header[:width], body, excel=True), []


def _dates_as_iso(column: str) -> pl.Expr:
    """A date-formatted cell arrives as 'YYYY-MM-DD 00:00:00': keep the date."""
    cell = pl.col(column)
    return (
        pl.when(cell.str.contains(r"^\d{4}-\d{2}-\d{2} 00:00:00$"))
        .then(cell.str.slice(0, 10))
        .otherwise(cell)
        .alias(column)
    )


def serial_dates(table: RawTable, positions: list[int]) -> RawTable:
    """Convert Excel serial numbers in the given (date) columns to ISO dates."""
    if not positions:
        return table
    low, high = SERIAL_RANGE
    converted = []
    for position in positions:
        cell = pl.col(f"col{position}")
        serial = cell.str.strip_chars().str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int64)
        as_date = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
        in_range = serial.is_between(low, high)
        converted.append(
            pl.when(in_range)
            .then(as_date.dt.to_string("%Y-%m-%d"))
            .otherwise(cell)
            .alias(f"col{position}")
        )
    frame = table.frame.with_columns(converted)
    return RawTable(table.source, table.sha256, table.header, frame, excel=True)


def serial_to_date(serial: int) -> date:
    """Excel's day number as a date (for tests and messages)."""
    return EXCEL_EPOCH + timedelta(days=serial)
