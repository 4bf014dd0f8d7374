"""Excel workbooks (.xlsx) → a RawTable of text, rows numbered as Excel shows them.

The first sheet is read unless a sheet is named (`costs.xlsx#Service agreements` on the command
line, or `sheet:` in a mapping file). The header is the fullest of the first rows (title rows above
it are skipped); a cell's row is its Excel row. Excel keeps dates as numbers: a cell formatted as a
date arrives as ISO text, and a bare serial number in a date column (a cell left as General) is
converted once the file is recognised, so both type as dates. A number cell arrives as the text
Excel shows for it (xlsx_numbers.py), in every column. Reading is calamine's (Rust, via
fastexcel): about 15× faster than openpyxl's read-only mode on a 100,000-row sheet (0.6 s against
9.5 s here).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.reading import RawTable
from carecast.ingest.reading_limits import MAX_FILE_BYTES, mib, too_large
from carecast.ingest.table_checks import (
    SHOWN,
    cell_problems,
    duplicate_headings,
    excel_error_message,
    heading_problems,
)
from carecast.ingest.workbook_parts import (
    RESAVE,
    Damaged,
    ErrorCell,
    check_sheet,
    column_letters,
    open_workbook,
)
from carecast.ingest.xlsx_numbers import excel_numbers

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
    preference): then the first sheet is read. Whatever is wrong with the file — not a zip, a
    damaged part, XML that is not well formed, a DTD, a part beyond the limits — is a refusal
    naming the part, never an exception (workbook_parts.py checks the zip before calamine reads).
    """
    import fastexcel

    name = source or (str(path) if sheet is None or not required else f"{path}{SHEET_MARK}{sheet}")
    if (size := path.stat().st_size) > MAX_FILE_BYTES:
        what = f"the workbook is {mib(size)}, more than {mib(MAX_FILE_BYTES)}"
        return None, [too_large(name, None, None, what, "save the sheet carecast needs as CSV")]
    data = path.read_bytes()
    try:
        return _read_sheet(data, sheet, name, required=required)
    except Damaged as exc:
        unreadable = (
            "" if exc.rule == "too-large" else "not readable as an Excel workbook (.xlsx): "
        )
        return None, [Issue(name, None, None, exc.rule, unreadable + exc.message)]
    except fastexcel.FastExcelError as exc:  # calamine's own refusals of what it cannot read
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = f"not readable as an Excel workbook (.xlsx): {reason}; {RESAVE}"
        return None, [Issue(name, None, None, "bad-xlsx", message)]


def _read_sheet(
    data: bytes, sheet: str | None, name: str, *, required: bool
) -> tuple[RawTable | None, list[Issue]]:
    import fastexcel

    book = open_workbook(data)
    excel = fastexcel.read_excel(data)
    names = list(excel.sheet_names)
    if not names:
        raise Damaged(f"the workbook lists no sheets; {RESAVE}")
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
    error_cells = check_sheet(book, names[index])
    loaded = excel.load_sheet(index, header_row=None, dtypes="string", skip_rows=0)
    absolute = [c.absolute_index for c in loaded.available_columns()]
    frame, early_dates = excel_numbers(loaded.to_polars(), absolute, book.numbers)
    digest = hashlib.sha256(data).hexdigest()
    if sheet is not None:
        digest = hashlib.sha256(f"{digest}:{names[index]}".encode()).hexdigest()
    table, issues, header_row = _table(frame, name, digest)
    if table is None:
        return None, issues
    letter = {p: column_letters(a) for p, a in enumerate(absolute)}
    issues += heading_problems(name, table.header, header_row)
    issues += duplicate_headings(name, table.header, header_row, lambda p: f"column {letter[p]}")
    issues += _error_cell_issues(table, names[index], error_cells, absolute, header_row)
    issues += _error_cell_issues(table, names[index], early_dates, absolute, header_row, early=True)
    return table, issues + cell_problems(table)


def _error_cell_issues(
    table: RawTable,
    sheet: str,
    cells: list[ErrorCell],
    absolute: list[int],
    header_row: int,
    *,
    early: bool = False,
) -> list[Issue]:
    """Excel's error cells within the table (calamine reads them as blanks), at their cell; or,
    when `early`, its date cells before 1 March 1900 (xlsx_numbers.py)."""
    rule, what = (
        ("bad-date", "dates Excel cannot show") if early else ("excel-error", "Excel errors")
    )
    position = {a: p for p, a in enumerate(absolute) if p < len(table.header)}
    issues = []
    per_column: Counter[str] = Counter()
    for cell in cells:
        if cell.row >= header_row and cell.column in position:
            heading = table.spelling(position[cell.column]) or f"column {cell.letters}"
            per_column[heading] += 1
            if per_column[heading] <= SHOWN:
                says = _early_date_message(cell.value) if early else excel_error_message(cell.value)
                message = f"sheet '{sheet}', cell {cell.reference}: {says}"
                issues.append(Issue(table.source, cell.row, heading, rule, message))
    for heading, count in per_column.items():
        if count > SHOWN:
            more = f"{count - SHOWN:,} more cells of this column hold {what}"
            issues.append(Issue(table.source, None, heading, rule, more))
    return issues


def _early_date_message(rendered: str) -> str:
    return (
        f"a date cell before 1 March 1900 (read as {rendered[:10]}), which Excel shows as another "
        "day (its calendar has a 29 February 1900) or as ####: type the date again, or format "
        "the cell as Text if it is not a date"
    )


def _table(
    frame: pl.DataFrame, source: str, digest: str
) -> tuple[RawTable | None, list[Issue], int]:
    """The table under the header row, and the header's Excel row."""
    cells = list(frame.columns)
    if not cells or frame.is_empty():
        return None, [Issue(source, 1, None, "empty-file", "the sheet is empty")], 1
    text = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    text = text.rename({c: f"col{i}" for i, c in enumerate(cells)})
    columns = [f"col{i}" for i in range(len(cells))]
    filled = pl.any_horizontal(pl.col(c).str.strip_chars().str.len_chars() > 0 for c in columns)
    used = text.filter(filled.fill_null(value=False))
    if used.is_empty():
        return None, [Issue(source, 1, None, "empty-file", "the sheet is empty")], 1
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
    body = used.slice(position + 1).select(ROW, *(f"col{i}" for i in range(width)))
    table = RawTable(source, digest, header[:width], body, excel=True)
    return table, [], int(header_row[ROW])


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
    """Dates in the given (date) columns as ISO text: a date cell's midnight dropped, and Excel
    serial numbers converted. Other columns keep a date cell's text whole, time included: only
    in a date column is '2018-05-01 00:00:00' the date it shows."""
    if not positions:
        return table
    low, high = SERIAL_RANGE
    converted = []
    for position in positions:
        cell = _dates_as_iso(f"col{position}")
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
